package uploadevent

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// An "Object Created" event as S3 sends it to EventBridge (AWS's documented
// example, with a key that needs decoding).
const objectCreated = `{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3",
"account":"111122223333","time":"2021-11-12T00:00:00Z","region":"ca-central-1","resources":["arn:aws:s3:::uploads"],
"detail":{"version":"0","bucket":{"name":"uploads"},"object":{"key":"incoming/ab12/cd34/my+report%281%29.pdf","size":5,
"etag":"b1946ac92492d2347c6235b4d2611184","version-id":"IYV3p45BT0ac8hjHg1houSdS1a.Mppz8","sequencer":"00617F08299329D189"},
"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"1.2.3.4","reason":"PutObject"}}`

func TestParse(t *testing.T) {
	var e events.CloudWatchEvent
	if err := json.Unmarshal([]byte(objectCreated), &e); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(e)
	if err != nil {
		t.Fatal(err)
	}
	want := Upload{Bucket: "uploads", Key: "incoming/ab12/cd34/my report(1).pdf", Size: 5, ETag: "b1946ac92492d2347c6235b4d2611184",
		VersionID: "IYV3p45BT0ac8hjHg1houSdS1a.Mppz8", Reason: "PutObject"}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseRefusesOtherEvents(t *testing.T) {
	for name, e := range map[string]events.CloudWatchEvent{
		"other type":   {Source: "aws.s3", DetailType: "Object Deleted", Detail: json.RawMessage(`{}`)},
		"no key":       {Source: "aws.s3", DetailType: "Object Created", Detail: json.RawMessage(`{"bucket":{"name":"b"},"object":{}}`)},
		"bad detail":   {Source: "aws.s3", DetailType: "Object Created", Detail: json.RawMessage(`[`)},
		"bad escape":   {Source: "aws.s3", DetailType: "Object Created", Detail: json.RawMessage(`{"bucket":{"name":"b"},"object":{"key":"a%zz"}}`)},
		"other source": {Source: "aws.ec2", DetailType: "Object Created", Detail: json.RawMessage(`{}`)},
	} {
		if _, err := Parse(e); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
