package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/streamgate/streamgate/lambda/stream"
)

// body reads a streamed response and returns its status and body.
func body(t *testing.T, resp *events.APIGatewayProxyStreamingResponse) (int, string) {
	t.Helper()
	raw, err := io.ReadAll(resp)
	if err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	i := bytes.Index(raw, []byte(stream.Delimiter))
	if i < 0 {
		t.Fatalf("no delimiter in %q", raw)
	}
	var prelude struct{ StatusCode int }
	if err := json.Unmarshal(raw[:i], &prelude); err != nil {
		t.Fatal(err)
	}
	return prelude.StatusCode, string(raw[i+len(stream.Delimiter):])
}

func TestRecordsReferenceWorkloadShape(t *testing.T) {
	resp, err := Records(context.Background(), events.APIGatewayProxyRequest{QueryStringParameters: map[string]string{"count": "3", "interval_ms": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	status, b := body(t, resp)
	lines := strings.Split(strings.TrimSpace(b), "\n")
	if status != 200 || len(lines) != 4 {
		t.Fatalf("status %d, %d lines:\n%s", status, len(lines), b)
	}
	for i, l := range lines[:3] {
		var r Record
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Seq != i || r.At.IsZero() {
			t.Errorf("line %d = %s (%v)", i, l, err)
		}
	}
	if lines[3] != `{"done":true,"records":3}` {
		t.Errorf("last line = %s", lines[3])
	}
}

func TestRecordsRejectsBadParameters(t *testing.T) {
	for _, q := range []map[string]string{{"count": "0"}, {"count": "x"}, {"count": "100001"}, {"interval_ms": "-1"}} {
		resp, _ := Records(context.Background(), events.APIGatewayProxyRequest{QueryStringParameters: q})
		status, b := body(t, resp)
		if status != 400 || !strings.Contains(b, `"code":"BadRequest"`) || !strings.Contains(b, "allowed: an integer from") {
			t.Errorf("%v: %d %s", q, status, b)
		}
	}
}

func TestJobProgressEvents(t *testing.T) {
	req := events.APIGatewayProxyRequest{
		PathParameters:        map[string]string{"id": "job-7"},
		QueryStringParameters: map[string]string{"steps": "4", "interval_ms": "0"},
		Headers:               map[string]string{"last-event-id": "2"},
	}
	resp, _ := JobProgress(context.Background(), req)
	status, b := body(t, resp)
	want := "id: 3\nevent: progress\ndata: {\"job\":\"job-7\",\"step\":3,\"steps\":4,\"percent\":75}\n\n" +
		"id: 4\nevent: progress\ndata: {\"job\":\"job-7\",\"step\":4,\"steps\":4,\"percent\":100}\n\n" +
		"event: complete\ndata: {\"job\":\"job-7\"}\n\n" +
		"event: done\ndata: {\"records\":3}\n\n"
	if status != 200 || b != want {
		t.Errorf("status %d, body:\n%q\nwant:\n%q", status, b, want)
	}
	for _, bad := range []events.APIGatewayProxyRequest{
		{PathParameters: map[string]string{"id": "../etc"}},
		{PathParameters: map[string]string{"id": "a"}, Headers: map[string]string{"Last-Event-ID": "x"}},
	} {
		resp, _ := JobProgress(context.Background(), bad)
		if status, b := body(t, resp); status != 400 {
			t.Errorf("%+v: %d %s", bad, status, b)
		}
	}
}

type fakeS3 struct {
	objects map[string]string
	asked   []string
}

func (f *fakeS3) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.asked = append(f.asked, aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key))
	body, ok := f.objects[aws.ToString(in.Key)]
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(body)), ContentType: aws.String("text/csv")}, nil
}

func TestExportStreamsObject(t *testing.T) {
	big := strings.Repeat("id,name\n", 200_000) // 1.6 MB, several copy buffers
	s3c := &fakeS3{objects: map[string]string{"exports/report.csv": big}}
	e := &Exporter{S3: s3c, Bucket: "b"}
	resp, err := e.Handle(context.Background(), events.APIGatewayProxyRequest{PathParameters: map[string]string{"name": "report.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Headers["Content-Type"] != "text/csv" || !strings.Contains(resp.Headers["Content-Disposition"], `filename="report.csv"`) {
		t.Errorf("headers = %v", resp.Headers)
	}
	if status, b := body(t, resp); status != 200 || b != big {
		t.Errorf("status %d, %d bytes, want %d", status, len(b), len(big))
	}
	if s3c.asked[0] != "b/exports/report.csv" {
		t.Errorf("asked S3 for %v", s3c.asked)
	}
}

func TestExportNotFoundAndBadNames(t *testing.T) {
	e := &Exporter{S3: &fakeS3{}, Bucket: "b"}
	resp, _ := e.Handle(context.Background(), events.APIGatewayProxyRequest{PathParameters: map[string]string{"name": "missing.csv"}})
	if status, b := body(t, resp); status != 404 || !strings.Contains(b, "no export named missing.csv") {
		t.Errorf("missing: %d %s", status, b)
	}
	for _, name := range []string{"", "../secrets", ".hidden", "a/b", strings.Repeat("x", 201)} {
		resp, _ := e.Handle(context.Background(), events.APIGatewayProxyRequest{PathParameters: map[string]string{"name": name}})
		if status, _ := body(t, resp); status != 400 {
			t.Errorf("name %q: status %d, want 400", name, status)
		}
	}
}

type failingS3 struct{}

func (failingS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return nil, errors.New("AccessDenied")
}

func TestExportS3ErrorIsAnInvokeError(t *testing.T) {
	if _, err := (&Exporter{S3: failingS3{}, Bucket: "b"}).Handle(context.Background(),
		events.APIGatewayProxyRequest{PathParameters: map[string]string{"name": "x.csv"}}); err == nil {
		t.Error("want an error")
	}
}
