package eventbridge

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/uploadevent"
)

// documentedObjectCreated is S3's "Object Created" example from
// "EventBridge event message structure"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
const documentedObjectCreated = `{
  "version": "0",
  "id": "17793124-05d4-b198-2fde-7ededc63b103",
  "detail-type": "Object Created",
  "source": "aws.s3",
  "account": "111122223333",
  "time": "2021-11-12T00:00:00Z",
  "region": "ca-central-1",
  "resources": ["arn:aws:s3:::amzn-s3-demo-bucket1"],
  "detail": {
    "version": "0",
    "bucket": {"name": "amzn-s3-demo-bucket1"},
    "object": {
      "key": "example-key",
      "size": 5,
      "etag": "b1946ac92492d2347c6235b4d2611184",
      "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
      "sequencer": "617f08299329d189"
    },
    "request-id": "N4N7GDK58NMKJ12R",
    "requester": "123456789012",
    "source-ip-address": "1.2.3.4",
    "reason": "PutObject"
  }
}`

// TestS3ObjectCreatedIsTheDocumentedShape: built from the example's
// values, the event is the example, field by field (but its random id).
func TestS3ObjectCreatedIsTheDocumentedShape(t *testing.T) {
	e := S3ObjectCreated(ObjectCreated{Bucket: "amzn-s3-demo-bucket1", Key: "example-key", Size: 5, ETag: "b1946ac92492d2347c6235b4d2611184",
		VersionID: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", Sequencer: "617f08299329d189", RequestID: "N4N7GDK58NMKJ12R", Requester: "123456789012",
		SourceIP: "1.2.3.4", Reason: "PutObject", Time: time.Date(2021, 11, 12, 0, 0, 0, 0, time.UTC)}, "111122223333", "ca-central-1")
	if len(e.ID) != 36 || e.ID[14] != '4' {
		t.Errorf("id %q is not a UUID v4", e.ID)
	}
	e.ID = "17793124-05d4-b198-2fde-7ededc63b103"
	got, _ := json.Marshal(e)
	var gotV, wantV map[string]any
	json.Unmarshal(got, &gotV)
	json.Unmarshal([]byte(documentedObjectCreated), &wantV)
	diffFields(t, "", wantV, gotV)
}

// diffFields reports each field that differs, by its path.
func diffFields(t *testing.T, path string, want, got map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s%s: missing; want %v", path, k, w)
		case isObject(w) && isObject(g):
			diffFields(t, path+k+".", w.(map[string]any), g.(map[string]any))
		case !reflect.DeepEqual(w, g):
			t.Errorf("%s%s = %v; want %v", path, k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s%s = %v: not in the documented example", path, k, g)
		}
	}
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

// TestS3ObjectCreatedParsesInUploadevent: the handler library reads the
// event back, key decoded; without versioning there is no version-id.
func TestS3ObjectCreatedParsesInUploadevent(t *testing.T) {
	e := S3ObjectCreated(ObjectCreated{Bucket: "uploads", Key: "incoming/ab12/my report(1).pdf", Size: 5242884, ETag: "a45f1422f2dbe3d2890829dd76adba1b-2",
		Reason: "CompleteMultipartUpload", Time: time.Now()}, "000000000000", "us-east-1")
	b, _ := json.Marshal(e)
	var raw map[string]any
	json.Unmarshal(b, &raw)
	if key := raw["detail"].(map[string]any)["object"].(map[string]any)["key"]; key != "incoming/ab12/my+report%281%29.pdf" {
		t.Errorf("detail.object.key = %v; want S3's encoding incoming/ab12/my+report%%281%%29.pdf", key)
	}
	if _, ok := raw["detail"].(map[string]any)["object"].(map[string]any)["version-id"]; ok {
		t.Error("detail.object.version-id is set for an object without a version")
	}
	var cw events.CloudWatchEvent
	if err := json.Unmarshal(b, &cw); err != nil {
		t.Fatal(err)
	}
	up, err := uploadevent.Parse(cw)
	if err != nil {
		t.Fatal(err)
	}
	want := uploadevent.Upload{Bucket: "uploads", Key: "incoming/ab12/my report(1).pdf", Size: 5242884, ETag: "a45f1422f2dbe3d2890829dd76adba1b-2", Reason: "CompleteMultipartUpload"}
	if up != want {
		t.Errorf("uploadevent.Parse = %+v; want %+v", up, want)
	}
}

func TestEncodeKey(t *testing.T) {
	for in, want := range map[string]string{"incoming/a b.txt": "incoming/a+b.txt", "x(1)~é": "x%281%29%7E%C3%A9", "a+b": "a%2Bb", "k-_.*": "k-_.*"} {
		if got := EncodeKey(in); got != want {
			t.Errorf("EncodeKey(%q) = %q; want %q", in, got, want)
		}
	}
}
