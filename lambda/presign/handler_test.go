package presign

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// fakeS3 records multipart calls; presigning needs no server.
type fakeS3 struct {
	mu        sync.Mutex
	created   []string
	completed []*s3.CompleteMultipartUploadInput
	aborted   []string
	listed    []string
	parts     []types.Part
	pageSize  int // ListParts pages; 0: one page
	fail      error
	listFail  error
}

func (f *fakeS3) CreateMultipartUpload(_ context.Context, in *s3.CreateMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = append(f.created, *in.Key)
	return &s3.CreateMultipartUploadOutput{UploadId: aws.String("upload-1")}, nil
}

func (f *fakeS3) CompleteMultipartUpload(_ context.Context, in *s3.CompleteMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	f.completed = append(f.completed, in)
	if f.fail != nil {
		return nil, f.fail
	}
	return &s3.CompleteMultipartUploadOutput{ETag: aws.String(`"etag-all"`)}, nil
}

func (f *fakeS3) ListParts(_ context.Context, in *s3.ListPartsInput, _ ...func(*s3.Options)) (*s3.ListPartsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listed = append(f.listed, aws.ToString(in.UploadId))
	if f.listFail != nil {
		return nil, f.listFail
	}
	if f.pageSize == 0 {
		return &s3.ListPartsOutput{Parts: f.parts}, nil
	}
	from := 0
	if in.PartNumberMarker != nil {
		from, _ = strconv.Atoi(*in.PartNumberMarker)
	}
	end := min(from+f.pageSize, len(f.parts))
	out := &s3.ListPartsOutput{Parts: f.parts[from:end], IsTruncated: aws.Bool(end < len(f.parts))}
	if end < len(f.parts) {
		out.NextPartNumberMarker = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeS3) AbortMultipartUpload(_ context.Context, in *s3.AbortMultipartUploadInput, _ ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	f.aborted = append(f.aborted, *in.UploadId)
	return &s3.AbortMultipartUploadOutput{}, nil
}

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func testClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
	})
}

func testHandler(mode Mode) (*Handler, *fakeS3) {
	f := &fakeS3{}
	h := New(Config{
		Bucket: "uploads", Prefix: "incoming/", MaxSize: 100 << 20, Mode: mode,
		ContentTypes: []string{"image/png", "text/csv"}, URLExpiration: 15 * time.Minute,
	}, testClient("http://127.0.0.1:9000"))
	h.S3 = f
	h.Now = func() time.Time { return testNow }
	return h, f
}

func call(t *testing.T, h *Handler, method, resource, body string, path map[string]string, query map[string]string) (int, map[string]any) {
	t.Helper()
	resp, err := h.Handle(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: method, Resource: resource, Body: body, PathParameters: path, QueryStringParameters: query,
		RequestContext: events.APIGatewayProxyRequestContext{Identity: events.APIGatewayRequestIdentity{UserArn: "arn:aws:iam::123456789012:user/alice"}},
	})
	if err != nil {
		t.Fatalf("Handle returned an error: %v", err)
	}
	if resp.Headers["Content-Type"] != "application/json" {
		t.Errorf("Content-Type = %q", resp.Headers["Content-Type"])
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", resp.Body, err)
	}
	return resp.StatusCode, m
}

var alice = CallerID(events.APIGatewayProxyRequestContext{Identity: events.APIGatewayRequestIdentity{UserArn: "arn:aws:iam::123456789012:user/alice"}})

func TestPresignPutSignsHeadersNotQuery(t *testing.T) {
	h, _ := testHandler(ModePut)
	sum := base64.StdEncoding.EncodeToString(make([]byte, 32))
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"../../etc/x.png","contentType":"image/png","size":1234,"checksumSha256":"`+sum+`"}`, nil, nil)
	if status != 400 {
		t.Fatalf("a path in the file name: status %d, want 400: %v", status, m)
	}
	status, m = call(t, h, "POST", RouteUploads, `{"fileName":"holiday photo.png","contentType":"image/png","size":1234,"checksumSha256":"`+sum+`"}`, nil, nil)
	if status != 200 {
		t.Fatalf("status %d: %v", status, m)
	}
	key := m["key"].(string)
	if !strings.HasPrefix(key, "incoming/"+alice+"/") || !strings.HasSuffix(key, "/holiday_photo.png") {
		t.Errorf("key = %q", key)
	}
	headers := m["headers"].(map[string]any)
	for k, v := range map[string]string{"Content-Length": "1234", "Content-Type": "image/png", "If-None-Match": "*", "X-Amz-Checksum-Sha256": sum} {
		if headers[k] != v {
			t.Errorf("signed header %s = %v, want %q (all: %v)", k, headers[k], v, headers)
		}
	}
	u, _ := url.Parse(m["url"].(string))
	q := u.Query()
	signed := q.Get("X-Amz-SignedHeaders")
	for _, h := range []string{"content-length", "content-type", "if-none-match", "x-amz-checksum-sha256", "host"} {
		if !strings.Contains(signed, h) {
			t.Errorf("X-Amz-SignedHeaders %q lacks %s", signed, h)
		}
	}
	if q.Get("x-amz-checksum-sha256") != "" || q.Get("X-Amz-Checksum-Sha256") != "" {
		t.Error("the checksum was hoisted into the query string, where S3 ignores it")
	}
	if q.Get("X-Amz-Expires") != "900" || m["method"] != "PUT" || m["expiresAt"] != "2026-11-22T12:15:00Z" {
		t.Errorf("expires %s, method %v, expiresAt %v", q.Get("X-Amz-Expires"), m["method"], m["expiresAt"])
	}
}

func TestPresignPostPolicy(t *testing.T) {
	h, _ := testHandler(ModePost)
	sum := base64.StdEncoding.EncodeToString(make([]byte, 32))
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"a.csv","contentType":"text/csv","size":77,"checksumSha256":"`+sum+`"}`, nil, nil)
	if status != 200 {
		t.Fatalf("status %d: %v", status, m)
	}
	fields := m["fields"].(map[string]any)
	raw, err := base64.StdEncoding.DecodeString(fields["policy"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Expiration string
		Conditions []any
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatal(err)
	}
	conds, _ := json.Marshal(policy.Conditions)
	for _, c := range []string{`["content-length-range",77,77]`, `{"Content-Type":"text/csv"}`, `{"key":"` + m["key"].(string) + `"}`,
		`{"x-amz-checksum-sha256":"` + sum + `"}`, `{"bucket":"uploads"}`} {
		if !strings.Contains(string(conds), c) {
			t.Errorf("policy conditions lack %s:\n%s", c, conds)
		}
	}
	if fields["Content-Type"] != "text/csv" || fields["x-amz-checksum-sha256"] != sum || fields["key"] != m["key"] {
		t.Errorf("fields = %v", fields)
	}
	if m["method"] != "POST" || !strings.HasSuffix(m["url"].(string), "/uploads") {
		t.Errorf("method %v url %v", m["method"], m["url"])
	}
}

func TestPresignMultipart(t *testing.T) {
	h, f := testHandler(ModeMultipart)
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"big.csv","contentType":"text/csv","size":20971521,"partSize":10485760}`, nil, nil)
	if status != 200 {
		t.Fatalf("status %d: %v", status, m)
	}
	parts := m["parts"].([]any)
	if len(parts) != 3 || m["uploadId"] != "upload-1" || m["partSize"] != float64(10485760) {
		t.Fatalf("parts %d, upload %v, part size %v", len(parts), m["uploadId"], m["partSize"])
	}
	last := parts[2].(map[string]any)
	if last["size"] != float64(1) || last["headers"].(map[string]any)["Content-Length"] != "1" {
		t.Errorf("last part = %v", last)
	}
	if !strings.Contains(last["url"].(string), "partNumber=3") || !strings.Contains(last["url"].(string), "uploadId=upload-1") {
		t.Errorf("part URL = %v", last["url"])
	}
	if m["complete"] != "/uploads/upload-1/complete" || !strings.HasPrefix(m["abort"].(string), "/uploads/upload-1?key=incoming%2F") {
		t.Errorf("complete %v abort %v", m["complete"], m["abort"])
	}
	key := m["key"].(string)
	if len(f.created) != 1 || f.created[0] != key {
		t.Errorf("created %v", f.created)
	}

	done := `{"key":"` + key + `","parts":[{"number":1,"etag":"a"},{"number":2,"etag":"b"},{"number":3,"etag":"c"}]}`
	status, m = call(t, h, "POST", RouteComplete, done, map[string]string{"uploadId": "upload-1"}, nil)
	if status != 200 || m["etag"] != `"etag-all"` {
		t.Fatalf("complete: %d %v", status, m)
	}
	if in := f.completed[0]; aws.ToString(in.IfNoneMatch) != "*" || len(in.MultipartUpload.Parts) != 3 {
		t.Errorf("complete input: %+v", in)
	}

	status, m = call(t, h, "POST", RouteParts, `{"key":"`+key+`","size":20971521,"partSize":10485760,"from":3,"count":5}`, map[string]string{"uploadId": "upload-1"}, nil)
	if status != 200 || len(m["parts"].([]any)) != 1 {
		t.Errorf("more parts: %d %v", status, m)
	}
	// count left out: as many as a first answer gives.
	status, m = call(t, h, "POST", RouteParts, `{"key":"`+key+`","size":20971521,"partSize":10485760,"from":2}`, map[string]string{"uploadId": "upload-1"}, nil)
	if status != 200 || len(m["parts"].([]any)) != 2 {
		t.Errorf("more parts without count: %d %v", status, m)
	}
	status, m = call(t, h, "POST", RouteParts, `{"key":"`+key+`","size":20971521,"partSize":10485760,"from":2,"count":1001}`, map[string]string{"uploadId": "upload-1"}, nil)
	if status != 400 || m["error"].(map[string]any)["field"] != "count" {
		t.Errorf("count over the limit: %d %v, want 400 naming count", status, m)
	}

	// Another caller's key is an upload this caller does not have; so is a
	// key outside the prefix.
	for _, k := range []string{"incoming/0123456789abcdef/00112233445566778899aabbccddeeff/big.csv", "other/" + key, key + "/../x"} {
		status, m = call(t, h, "POST", RouteComplete, `{"key":"`+k+`","parts":[{"number":1,"etag":"a"}]}`, map[string]string{"uploadId": "upload-1"}, nil)
		if status != 404 || m["error"].(map[string]any)["code"] != "NoSuchUpload" {
			t.Errorf("complete of %q: %d %v", k, status, m)
		}
	}
	status, _ = call(t, h, "DELETE", RouteAbort, "", map[string]string{"uploadId": "upload-1"}, map[string]string{"key": key})
	if status != 200 || len(f.aborted) != 1 {
		t.Errorf("abort: %d, aborted %v", status, f.aborted)
	}
	f.fail = &smithy.GenericAPIError{Code: "NoSuchUpload", Message: "gone"}
	status, m = call(t, h, "POST", RouteComplete, done, map[string]string{"uploadId": "upload-1"}, nil)
	if status != 404 || m["error"].(map[string]any)["code"] != "NoSuchUpload" {
		t.Errorf("complete of an aborted upload: %d %v", status, m)
	}
}

func TestBadRequests(t *testing.T) {
	put, _ := testHandler(ModePut)
	mp, _ := testHandler(ModeMultipart)
	locked, _ := testHandler(ModePost)
	locked.Config.RequireChecksum = true // an object-lock bucket
	for _, tc := range []struct {
		name   string
		h      *Handler
		body   string
		status int
		code   string
		field  string
	}{
		{"malformed JSON", put, `{"fileName":`, 400, "InvalidJSON", ""},
		{"unknown field", put, `{"fileName":"a.png","contentType":"image/png","size":1,"key":"mine"}`, 400, "UnknownField", "key"},
		{"duplicate file name", put, `{"fileName":"../x","fileName":"a.png","contentType":"image/png","size":1}`, 400, "DuplicateField", "fileName"},
		{"duplicate size", put, `{"fileName":"a.png","contentType":"image/png","size":-1,"size":5}`, 400, "DuplicateField", "size"},
		// encoding/json reads FileName into fileName too.
		{"duplicate file name in another case", put, `{"fileName":"../x","FileName":"a.png","contentType":"image/png","size":1}`, 400, "DuplicateField", "FileName"},
		{"line break in the content type", put, `{"fileName":"a.csv","contentType":"text/csv;\n charset=utf-8","size":1}`, 400, "InvalidContentType", "contentType"},
		{"space before the content type", put, `{"fileName":"a.png","contentType":" image/png","size":1}`, 400, "InvalidContentType", "contentType"},
		{"size as a string", put, `{"fileName":"a.png","contentType":"image/png","size":"5"}`, 400, "InvalidJSON", "size"},
		{"file name as a number", put, `{"fileName":7,"contentType":"image/png","size":5}`, 400, "InvalidJSON", "fileName"},
		{"unknown algorithm", put, `{"fileName":"a.png","contentType":"image/png","size":1,"checksumAlgorithm":"MD5"}`, 400, "InvalidChecksumAlgorithm", "checksumAlgorithm"},
		{"algorithm without checksum", put, `{"fileName":"a.png","contentType":"image/png","size":1,"checksumAlgorithm":"SHA256"}`, 400, "ChecksumRequired", "checksumSha256"},
		{"whole checksum on multipart", mp, `{"fileName":"a.csv","contentType":"text/csv","size":10,"checksumSha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}`, 200, "", ""},
		{"trailing data", put, `{"fileName":"a.png","contentType":"image/png","size":1}{}`, 400, "InvalidJSON", ""},
		{"missing size", put, `{"fileName":"a.png","contentType":"image/png"}`, 400, "MissingSize", "size"},
		{"negative size", put, `{"fileName":"a.png","contentType":"image/png","size":-5}`, 400, "MissingSize", "size"},
		{"oversize", put, `{"fileName":"a.png","contentType":"image/png","size":104857601}`, 413, "SizeTooLarge", "size"},
		{"disallowed type", put, `{"fileName":"a.exe","contentType":"application/x-msdownload","size":1}`, 415, "ContentTypeNotAllowed", "contentType"},
		{"not a media type", put, `{"fileName":"a.png","contentType":"png","size":1}`, 400, "InvalidContentType", "contentType"},
		{"missing file name", put, `{"contentType":"image/png","size":1}`, 400, "MissingFileName", "fileName"},
		{"path in file name", put, `{"fileName":"a/b.png","contentType":"image/png","size":1}`, 400, "InvalidFileName", "fileName"},
		{"backslash path", put, `{"fileName":"..\\b.png","contentType":"image/png","size":1}`, 400, "InvalidFileName", "fileName"},
		{"dot dot", put, `{"fileName":"..","contentType":"image/png","size":1}`, 400, "InvalidFileName", "fileName"},
		{"control characters", put, `{"fileName":"a\u0000.png","contentType":"image/png","size":1}`, 400, "InvalidFileName", "fileName"},
		{"bad checksum", put, `{"fileName":"a.png","contentType":"image/png","size":1,"checksumSha256":"abc"}`, 400, "InvalidChecksum", "checksumSha256"},
		{"part size on PUT", put, `{"fileName":"a.png","contentType":"image/png","size":1,"partSize":5242880}`, 400, "PartSizeNotSupported", "partSize"},
		{"too many parts", mp, `{"fileName":"a.csv","contentType":"text/csv","size":104857600,"partSize":5242880}`, 200, "", ""},
		{"part too small", mp, `{"fileName":"a.csv","contentType":"text/csv","size":1000,"partSize":1000}`, 400, "InvalidPartSize", "partSize"},
		{"checksum required", locked, `{"fileName":"a.png","contentType":"image/png","size":1}`, 400, "ChecksumRequired", "checksumSha256"},
		{"checksum given", locked, `{"fileName":"a.png","contentType":"image/png","size":1,"checksumSha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}`, 200, "", ""},
		{"body too large", put, `{"fileName":"` + strings.Repeat("a", MaxRequestBody) + `"}`, 413, "BodyTooLarge", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := call(t, tc.h, "POST", RouteUploads, tc.body, nil, nil)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, m)
			}
			if tc.code == "" {
				return
			}
			e := m["error"].(map[string]any)
			if e["code"] != tc.code || (e["field"] != nil && e["field"] != tc.field) || tc.field != "" && e["field"] != tc.field || e["message"] == "" {
				t.Errorf("error = %v, want code %s field %q", e, tc.code, tc.field)
			}
		})
	}
}

func TestTooManyParts(t *testing.T) {
	h, _ := testHandler(ModeMultipart)
	h.Config.MaxSize = 1 << 40
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"a.csv","contentType":"text/csv","size":53687091201,"partSize":5242880}`, nil, nil)
	if status != 400 || m["error"].(map[string]any)["code"] != "TooManyParts" || !strings.Contains(m["error"].(map[string]any)["message"].(string), "10241 parts; allowed: at most 10000") {
		t.Errorf("%d %v", status, m)
	}
}

func TestUnknownRoute(t *testing.T) {
	h, _ := testHandler(ModePut)
	if status, m := call(t, h, "GET", "/secrets", "", nil, nil); status != 404 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "allowed: POST /uploads") {
		t.Errorf("%d %v", status, m)
	}
}

func TestBase64Body(t *testing.T) {
	h, _ := testHandler(ModePut)
	resp, _ := h.Handle(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "POST", Resource: RouteUploads, IsBase64Encoded: true,
		Body: base64.StdEncoding.EncodeToString([]byte(`{"fileName":"a.png","contentType":"image/png","size":3}`))})
	if resp.StatusCode != 200 {
		t.Errorf("base64 body: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestCallerIDs(t *testing.T) {
	ids := map[string]bool{}
	for _, rc := range []events.APIGatewayProxyRequestContext{
		{},
		{Identity: events.APIGatewayRequestIdentity{UserArn: "arn:aws:iam::1:user/a"}},
		{Identity: events.APIGatewayRequestIdentity{UserArn: "arn:aws:iam::1:user/b"}},
		{Authorizer: map[string]any{"claims": map[string]any{"sub": "1234"}}},
		{Authorizer: map[string]any{"principalId": "1234"}},
	} {
		id := CallerID(rc)
		if len(id) != 16 || ids[id] {
			t.Errorf("CallerID(%+v) = %q: not a fresh 16-hex id", rc, id)
		}
		ids[id] = true
	}
}

func TestSanitizeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                         "report.pdf",
		"holiday photo (1).JPG":              "holiday_photo_1_.JPG",
		".bashrc":                            "bashrc",
		"ünïcödé.txt":                        "n_c_d_.txt",
		"___":                                "file",
		strings.Repeat("a", 300):             strings.Repeat("a", 100),
		strings.Repeat("b", 200) + ".tar.gz": strings.Repeat("b", 97) + ".gz",
	} {
		got, err := SanitizeFileName(in)
		if err != nil || got != want {
			t.Errorf("SanitizeFileName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a/b", `a\b`, ".", "..", "../x", "a\x00b", "a\nb", string([]byte{0xff})} {
		if got, err := SanitizeFileName(bad); err == nil {
			t.Errorf("SanitizeFileName(%q) = %q, want an error", bad, got)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	for k, v := range map[string]string{EnvBucket: "b", EnvPrefix: "in/", EnvMaxSize: "1024", EnvContentTypes: "image/png, text/csv",
		EnvURLExpiration: "600", EnvMode: "post"} {
		t.Setenv(k, v)
	}
	c, err := ConfigFromEnv()
	if err != nil || c.Mode != ModePost || len(c.ContentTypes) != 2 || c.URLExpiration != 10*time.Minute {
		t.Errorf("%+v %v", c, err)
	}
	t.Setenv(EnvPrefix, "/abs/")
	t.Setenv(EnvURLExpiration, "30")
	if _, err := ConfigFromEnv(); err == nil || !strings.Contains(err.Error(), "prefix") || !strings.Contains(err.Error(), "expiry") {
		t.Errorf("err = %v", err)
	}
}

// TestCompleteLargeAndUnorderedParts: a complete request lists every part,
// so it may be far larger than a presign request (10,000 parts); the parts
// may come in any order and reach S3 in ascending order; a part missing or
// given twice is a 400; parts that add up to more than MaxSize (URLs asked
// for another declared size) abort the upload with a 413.
func TestCompleteLargeAndUnorderedParts(t *testing.T) {
	h, f := testHandler(ModeMultipart)
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"big.csv","contentType":"text/csv","size":20971521,"partSize":10485760}`, nil, nil)
	if status != 200 {
		t.Fatalf("create: %d %v", status, m)
	}
	key, upload1 := m["key"].(string), map[string]string{"uploadId": "upload-1"}
	body := func(numbers ...int) string {
		var parts []string
		for _, n := range numbers {
			parts = append(parts, fmt.Sprintf(`{"number":%d,"etag":"\"%032d\"","checksumSha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}`, n, n))
		}
		return `{"key":"` + key + `","parts":[` + strings.Join(parts, ",") + `]}`
	}
	all := make([]int, MaxParts)
	for i := range all {
		all[i] = MaxParts - i // in reverse
	}
	big := body(all...)
	if len(big) <= MaxRequestBody || len(big) > MaxCompleteRequestBody {
		t.Fatalf("10,000 parts are %d bytes", len(big))
	}
	if status, m := call(t, h, "POST", RouteComplete, big, upload1, nil); status != 200 {
		t.Fatalf("10,000 parts in reverse: %d %v", status, m)
	}
	got := f.completed[0].MultipartUpload.Parts
	if len(got) != MaxParts || aws.ToInt32(got[0].PartNumber) != 1 || aws.ToInt32(got[MaxParts-1].PartNumber) != MaxParts || aws.ToString(got[0].ETag) != fmt.Sprintf(`"%032d"`, 1) {
		t.Errorf("S3 got parts %d, first %v, last %v", len(got), got[0], got[MaxParts-1])
	}
	for _, tc := range []struct {
		body, field string
	}{
		{body(1, 3), "parts[1]"},
		{body(2, 1, 2), "parts[2]"},
		{body(MaxParts + 1), "parts[0]"},
	} {
		if status, m := call(t, h, "POST", RouteComplete, tc.body, upload1, nil); status != 400 || m["error"].(map[string]any)["field"] != tc.field {
			t.Errorf("%.60s: %d %v, want 400 naming %s", tc.body, status, m, tc.field)
		}
	}
	if status, m := call(t, h, "POST", RouteComplete, `{"key":"`+key+`","parts":[`+strings.Repeat(" ", MaxCompleteRequestBody)+`]}`, upload1, nil); status != 413 {
		t.Errorf("a body over %d bytes: %d %v", MaxCompleteRequestBody, status, m)
	}

	f.parts = []types.Part{{PartNumber: aws.Int32(1), Size: aws.Int64(100 << 20), ETag: aws.String(`"a"`)}, {PartNumber: aws.Int32(2), Size: aws.Int64(1), ETag: aws.String(`"b"`)}}
	completed := len(f.completed)
	status, m = call(t, h, "POST", RouteComplete, body(1, 2), upload1, nil)
	if status != 413 || m["error"].(map[string]any)["code"] != "SizeTooLarge" || len(f.completed) != completed || len(f.aborted) != 1 {
		t.Errorf("parts over MaxSize: %d %v, completed %d, aborted %v", status, m, len(f.completed)-completed, f.aborted)
	}
}

// TestChecksumWithALineBreak: a checksum the decoder would accept with a
// line break in it (which no header can carry) is refused.
func TestChecksumWithALineBreak(t *testing.T) {
	h, _ := testHandler(ModePut)
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"a.csv","contentType":"text/csv","size":3,"checksumSha256":"LXEWQrcmsEQBYnyp+6wy\n9chTD7GQPMTbAiWHF5IaSIE="}`, nil, nil)
	if status != 400 || m["error"].(map[string]any)["field"] != "checksumSha256" {
		t.Errorf("status %d: %v", status, m)
	}
}

// TestCompleteNamesABadPartNumber: a part number outside 1..n is named as
// such, not as a repeat.
func TestCompleteNamesABadPartNumber(t *testing.T) {
	h, _ := testHandler(ModeMultipart)
	_, m := call(t, h, "POST", RouteUploads, `{"fileName":"big.csv","contentType":"text/csv","size":20971521,"partSize":10485760}`, nil, nil)
	status, m := call(t, h, "POST", RouteComplete, `{"key":"`+m["key"].(string)+`","parts":[{"number":0,"etag":"a"},{"number":1,"etag":"b"}]}`, map[string]string{"uploadId": "upload-1"}, nil)
	if e := m["error"].(map[string]any); status != 400 || e["field"] != "parts[0]" || !strings.Contains(e["message"].(string), "0 is not a part number from 1 to 2") {
		t.Errorf("%d %v", status, m)
	}
}
