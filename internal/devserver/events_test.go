package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/streamgate/streamgate/internal/assemblytest"
	"github.com/streamgate/streamgate/internal/devserver/eventbridge"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/s3server"
)

var (
	uploadFnOnce sync.Once
	uploadFnBin  string
	uploadFnErr  error
)

// uploadFnBinary builds testdata/uploadfn once per run, into the user
// cache (go build only relinks when it changed).
func uploadFnBinary(tb testing.TB) string {
	tb.Helper()
	uploadFnOnce.Do(func() {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		uploadFnBin = filepath.Join(dir, "streamgate", "devserver-test", "uploadfn", "bootstrap")
		if out, err := exec.Command("go", "build", "-o", uploadFnBin, "./testdata/uploadfn").CombinedOutput(); err != nil {
			uploadFnErr = fmt.Errorf("go build ./testdata/uploadfn: %v\n%s", err, out)
		}
	})
	if uploadFnErr != nil {
		tb.Fatal(uploadFnErr)
	}
	return uploadFnBin
}

// s3Bin is the S3 server's binary in TOOLS (or the module's .tools); the
// test is skipped without it.
func s3Bin(tb testing.TB, k s3server.Kind) string {
	tools := os.Getenv("TOOLS")
	if tools == "" {
		tools, _ = filepath.Abs("../../.tools")
	}
	bin := k.ToolsBin(tools)
	if _, err := os.Stat(bin); err != nil {
		tb.Skipf("%s: %v (scripts/s3server.sh install %s; TOOLS names the tools directory)", k.Title(), err, k)
	}
	return bin
}

// uploadsAssembly writes a cloud assembly like the one
// PresignedUploadApi.OnUploadedFunction synthesizes: a bucket with
// EventBridge on, a rule for Object Created under incoming/, the function
// (testdata/uploadfn) as its target with a retry policy and a dead-letter
// queue, the same queue as the function's own; plus an SQS target
// "Seen", and a mock route (the runner serves an API).
func uploadsAssembly(t *testing.T) string {
	dir, write := assemblytest.OneStack(t, "Uploads")
	asset := filepath.Join(dir, "asset.uploadfn")
	os.MkdirAll(asset, 0o755)
	bin, err := os.ReadFile(uploadFnBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(asset, "bootstrap"), bin, 0o755)
	getAtt := func(id string) map[string]any { return map[string]any{"Fn::GetAtt": []string{id, "Arn"}} }
	write("Uploads.template.json", map[string]any{"Resources": map[string]any{
		"Api":   map[string]any{"Type": "AWS::ApiGateway::RestApi", "Properties": map[string]any{"Name": "uploads"}},
		"Stage": map[string]any{"Type": "AWS::ApiGateway::Stage", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": "Api"}, "StageName": "v1"}},
		"Root": map[string]any{"Type": "AWS::ApiGateway::Method", "Properties": map[string]any{"RestApiId": map[string]any{"Ref": "Api"}, "HttpMethod": "GET",
			"ResourceId": map[string]any{"Fn::GetAtt": []string{"Api", "RootResourceId"}}, "AuthorizationType": "NONE", "Integration": map[string]any{"Type": "MOCK"}}},
		"Bucket": map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{
			"NotificationConfiguration": map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}}}},
		"DeadLetters": map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{}},
		"Seen":        map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{}},
		"OnUpload": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap",
			"Architectures": []string{hostArchName()}, "Timeout": 5, "Code": map[string]any{"S3Key": "uploadfn.zip"},
			"DeadLetterConfig": map[string]any{"TargetArn": getAtt("DeadLetters")}}},
		"OnUploadRule": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{
			"EventPattern": map[string]any{"source": []string{"aws.s3"}, "detail-type": []string{"Object Created"},
				"detail": map[string]any{"bucket": map[string]any{"name": []any{map[string]any{"Ref": "Bucket"}}},
					"object": map[string]any{"key": []any{map[string]any{"prefix": "incoming/"}}}}},
			"State": "ENABLED",
			"Targets": []any{
				map[string]any{"Id": "Target0", "Arn": getAtt("OnUpload"), "RetryPolicy": map[string]any{"MaximumEventAgeInSeconds": 21600, "MaximumRetryAttempts": 2},
					"DeadLetterConfig": map[string]any{"Arn": getAtt("DeadLetters")}},
				map[string]any{"Id": "Target1", "Arn": getAtt("Seen")},
			}}},
	}})
	return dir
}

func hostArchName() string {
	if out, _ := exec.Command("go", "env", "GOARCH").Output(); strings.TrimSpace(string(out)) == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

// TestUploadEventsReachTheFunction runs the runner with a real S3 server
// and the real function process: a PutObject and a multipart upload under
// incoming/ each reach the function, parsed by lambda/uploadevent, and
// the SQS target; a key outside the prefix reaches nothing; a key the
// function fails on is retried twice, then lands in the dead-letter queue.
// The delay from each upload's end to the event in the queue is logged.
func TestUploadEventsReachTheFunction(t *testing.T) {
	for _, kind := range s3server.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			bin := s3Bin(t, kind)
			logs := &lockedBuffer{}
			s, err := Start(context.Background(), Options{Assemblies: []string{uploadsAssembly(t)}, S3: kind, S3Bin: bin, S3Data: t.TempDir(),
				CacheDir: t.TempDir(), Logs: logs, EventRetryDelay: 20 * time.Millisecond, IAMIgnoreDeveloperKeys: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			client := s.s3.client()
			ctx := context.Background()
			const bucket = "uploads-bucket"

			put := func(key string, body []byte) time.Time {
				t.Helper()
				if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
					t.Fatal(err)
				}
				return time.Now()
			}
			seen := func(n int, since time.Time) (QueueMessage, time.Duration) {
				t.Helper()
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
					if msgs, _ := s.QueueMessages("Seen"); len(msgs) >= n {
						return msgs[n-1], time.Since(since)
					}
				}
				t.Fatalf("no event %d in the Seen queue within 10 s; logs:\n%s", n, logs.String())
				return QueueMessage{}, 0
			}
			waitLog := func(want string) {
				t.Helper()
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					if strings.Contains(logs.String(), want) {
						return
					}
				}
				t.Fatalf("logs lack %q:\n%s", want, logs.String())
			}

			// A PutObject.
			done := put("incoming/a b.txt", []byte("hello"))
			msg, latency := seen(1, done)
			t.Logf("%s PutObject: event queued %v after the upload returned", kind.Title(), latency)
			var ev eventbridge.Event
			if err := json.Unmarshal([]byte(msg.Body), &ev); err != nil {
				t.Fatal(err)
			}
			var d map[string]any
			json.Unmarshal(ev.Detail, &d)
			obj, _ := d["object"].(map[string]any)
			if ev.DetailType != "Object Created" || ev.Source != "aws.s3" || ev.Resources[0] != "arn:aws:s3:::"+bucket || obj["key"] != "incoming/a+b.txt" ||
				obj["size"] != 5.0 || obj["etag"] != "5d41402abc4b2a76b9719d911017c592" || d["reason"] != "PutObject" || d["requester"] != LocalAccount {
				t.Errorf("event: %s", msg.Body)
			}
			waitLog("UPLOAD bucket=uploads-bucket key=incoming/a b.txt size=5 etag=5d41402abc4b2a76b9719d911017c592 reason=PutObject")

			// A multipart upload of two parts.
			mp, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("incoming/big.bin")})
			if err != nil {
				t.Fatal(err)
			}
			var parts []types.CompletedPart
			for i, body := range [][]byte{bytes.Repeat([]byte("x"), 5<<20), []byte("tail")} {
				r, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("incoming/big.bin"), UploadId: mp.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body)})
				if err != nil {
					t.Fatal(err)
				}
				parts = append(parts, types.CompletedPart{ETag: r.ETag, PartNumber: aws.Int32(int32(i + 1))})
			}
			if _, err := client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("incoming/big.bin"),
				UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
				t.Fatal(err)
			}
			// The event may be queued before the client has read the answer:
			// then the latency measured here is about 0.
			msg, latency = seen(2, time.Now())
			t.Logf("%s CompleteMultipartUpload: event queued %v after the upload returned", kind.Title(), latency)
			if !strings.Contains(msg.Body, `"reason":"CompleteMultipartUpload"`) || !strings.Contains(msg.Body, `"size":5242884`) || !strings.Contains(msg.Body, `-2","sequencer"`) {
				t.Errorf("multipart event: %s", msg.Body)
			}
			waitLog("UPLOAD bucket=uploads-bucket key=incoming/big.bin size=5242884 etag=")

			// Outside the prefix: no rule matches.
			put("other/x.txt", []byte("x"))
			waitLog("s3://uploads-bucket/other/x.txt (PutObject): Object Created matched no rule")

			// A failing function: the first attempt and Lambda's two
			// retries, then the function's dead-letter queue.
			put("incoming/fail.txt", []byte("x"))
			waitLog("failed on the event of Uploads/OnUploadRule after 3 attempts: errorString: refusing incoming/fail.txt")
			dlq, _ := s.QueueMessages("DeadLetters")
			if len(dlq) != 1 || !strings.Contains(dlq[0].Body, `"key":"incoming/fail.txt"`) || dlq[0].Attributes["ErrorMessage"] != "errorString: refusing incoming/fail.txt" || dlq[0].Attributes["RequestID"] == "" {
				t.Errorf("dead-letter queue: %+v", dlq)
			}
			if n := strings.Count(logs.String(), "Lambda retries it"); n != 2 {
				t.Errorf("%d retries logged; want 2:\n%s", n, logs.String())
			}

			// The page's endpoint lists the same messages.
			resp, err := http.Get(strings.TrimSuffix(s.APIs[0].URL, "/v1") + "/_streamgate/queues/DeadLetters")
			if err != nil {
				t.Fatal(err)
			}
			var viaHTTP []QueueMessage
			json.NewDecoder(resp.Body).Decode(&viaHTTP)
			resp.Body.Close()
			if len(viaHTTP) != 1 || viaHTTP[0].MessageID != dlq[0].MessageID {
				t.Errorf("/_streamgate/queues/DeadLetters: %+v", viaHTTP)
			}
		})
	}
}

// Notifications as the servers post them (captured from SeaweedFS 4.53's
// filer webhook and MinIO's webhook target), shortened.
const (
	seaweedPut = `{"event_type":"create","key":"/buckets/up/incoming/a b.txt","message":{"new_entry":{"name":"a b.txt","chunks":[{"size":5,"fid":{"volume_id":1,"file_key":1}}],` +
		`"attributes":{"file_size":5,"md5":"XUFAKrxLKna5cZ2REBfFkg=="},"extended":{"Seaweed-X-Amz-ETag":"NWQ0MTQwMmFiYzRiMmE3NmI5NzE5ZDkxMTAxN2M1OTI="},"commit_ts_ns":1796650594264211745},` +
		`"new_parent_path":"/buckets/up/incoming"}}`
	seaweedComplete = `{"event_type":"create","key":"/buckets/up/incoming/big.bin","message":{"new_entry":{"name":"big.bin","chunks":[{"size":4194304},{"size":1048576},{"size":4}],` +
		`"attributes":{"file_size":5242884},"extended":{"Seaweed-X-Amz-ETag":"YTQ1ZjE0MjJmMmRiZTNkMjg5MDgyOWRkNzZhZGJhMWItMg==",` +
		`"X-Seaweedfs-Upload-Id":"YzQ5Y2FhMTIwNDY3OWQ3YWQzNWRlNWUzNTJkZjBmNTg4Yjc0YzI4MV8wMWEyNTBiODc3YWU3YTI5OTVmYmYyYmExZWRmMWFiOQ=="},"commit_ts_ns":1796650597223880480},` +
		`"new_parent_path":"/buckets/up/incoming"}}`
	seaweedPart = `{"event_type":"create","key":"/buckets/up/.uploads/c49c/0001_b38b.part","message":{"new_entry":{"name":"0001_b38b.part","chunks":[{"size":4}],` +
		`"attributes":{"file_size":4}},"new_parent_path":"/buckets/up/.uploads/c49c"}}`
	seaweedDir     = `{"event_type":"create","key":"/buckets/up/incoming","message":{"new_entry":{"name":"incoming","is_directory":true},"new_parent_path":"/buckets/up"}}`
	seaweedRetag   = `{"event_type":"update","key":"/buckets/up/a","message":{"old_entry":{"name":"a","chunks":[{"size":4}]},"new_entry":{"name":"a","chunks":[{"size":4}]},"new_parent_path":"/buckets/up"}}`
	seaweedRewrite = `{"event_type":"update","key":"/buckets/up/a","message":{"old_entry":{"name":"a","chunks":[{"size":4}]},"new_entry":{"name":"a","chunks":[{"size":5}],"attributes":{"file_size":5}},"new_parent_path":"/buckets/up"}}`
	seaweedDelete  = `{"event_type":"delete","key":"/buckets/up/a","message":{"old_entry":{"name":"a","chunks":[{"size":4}]}}}`
	minioComplete  = `{"EventName":"s3:ObjectCreated:CompleteMultipartUpload","Key":"up/incoming/big.bin","Records":[{"eventName":"s3:ObjectCreated:CompleteMultipartUpload",` +
		`"eventTime":"2026-12-07T13:37:11.679Z","requestParameters":{"sourceIPAddress":"127.0.0.1"},"responseElements":{"x-amz-request-id":"18EEFC3AFE69068B"},` +
		`"s3":{"bucket":{"name":"up"},"object":{"key":"incoming%2Fmy+big%281%29.bin","size":5242884,"eTag":"a45f1422f2dbe3d2890829dd76adba1b-2","sequencer":"18EEFC3AFE7A6699"}}}]}`
)

func TestSeaweedFSFilerEvents(t *testing.T) {
	o, ok := seaweedCreated([]byte(seaweedPut))
	if !ok || o.Bucket != "up" || o.Key != "incoming/a b.txt" || o.Size != 5 || o.ETag != "5d41402abc4b2a76b9719d911017c592" || o.Reason != "PutObject" ||
		o.Sequencer != fmt.Sprintf("%016X", 1796650594264211745) || o.Time.UnixNano() != 1796650594264211745 {
		t.Errorf("PUT: %+v, %v", o, ok)
	}
	o, ok = seaweedCreated([]byte(seaweedComplete))
	if !ok || o.Key != "incoming/big.bin" || o.Size != 5242884 || o.ETag != "a45f1422f2dbe3d2890829dd76adba1b-2" || o.Reason != "CompleteMultipartUpload" {
		t.Errorf("complete: %+v, %v", o, ok)
	}
	if o, ok := seaweedCreated([]byte(seaweedRewrite)); !ok || o.Size != 5 {
		t.Errorf("an object written again: %+v, %v; want an event", o, ok)
	}
	for name, body := range map[string]string{"a part": seaweedPart, "a folder": seaweedDir, "new tags": seaweedRetag, "a delete": seaweedDelete} {
		if o, ok := seaweedCreated([]byte(body)); ok {
			t.Errorf("%s: %+v; want no event", name, o)
		}
	}
}

func TestMinIOEventRecords(t *testing.T) {
	got := minioCreated([]byte(minioComplete))
	if len(got) != 1 {
		t.Fatalf("%d objects; want 1", len(got))
	}
	o := got[0]
	if o.Bucket != "up" || o.Key != "incoming/my big(1).bin" || o.Size != 5242884 || o.ETag != "a45f1422f2dbe3d2890829dd76adba1b-2" || o.Reason != "CompleteMultipartUpload" ||
		o.RequestID != "18EEFC3AFE69068B" || o.Sequencer != "18EEFC3AFE7A6699" || o.SourceIP != "127.0.0.1" || !o.Time.Equal(time.Date(2026, 12, 7, 13, 37, 11, 679e6, time.UTC)) {
		t.Errorf("%+v", o)
	}
}

// TestUndeliverableEventGoesToTheTargetsDeadLetterQueue: a function the
// runner cannot run is a failed delivery: EventBridge retries it per the
// target's RetryPolicy, then sends it to the target's dead-letter queue
// with the rule and the error.
func TestUndeliverableEventGoesToTheTargetsDeadLetterQueue(t *testing.T) {
	dir := uploadsAssembly(t)
	a, err := loaderLoad(dir)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	b, notices := newEventBus(a.Rules, a.Buckets, a.Queues, nil, Options{Logs: logs, EventRetryDelay: time.Millisecond})
	defer b.close()
	if len(notices) != 0 || len(b.rules) != 1 {
		t.Fatalf("rules %d, notices %v", len(b.rules), notices)
	}
	b.publish(eventbridge.ObjectCreated{Bucket: "uploads-bucket", Key: "incoming/x", Size: 1, Reason: "PutObject", Time: time.Now()})
	b.wg.Wait()
	dlq := b.queue("DeadLetters").list()
	if len(dlq) != 1 || dlq[0].Attributes["RULE_ARN"] != "arn:aws:events:us-east-1:000000000000:rule/OnUploadRule" || !strings.Contains(dlq[0].Attributes["ERROR_MESSAGE"], "not run locally") {
		t.Errorf("dead-letter queue: %+v", dlq)
	}
	if n := strings.Count(logs.String(), "delivery failed"); n != 2 || !strings.Contains(logs.String(), "not delivered after 3 attempts") {
		t.Errorf("want 2 retries, then the dead-letter queue:\n%s", logs.String())
	}
	if seen := b.queue("Seen").list(); len(seen) != 1 {
		t.Errorf("the SQS target got %d messages; want 1", len(seen))
	}
}

var loaderLoad = loader.Load
