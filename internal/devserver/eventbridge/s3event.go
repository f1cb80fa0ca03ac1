package eventbridge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Event is an EventBridge event, in its JSON shape
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html).
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// ObjectCreated is what S3 knows of a new object, for its "Object Created"
// event.
type ObjectCreated struct {
	Bucket string
	// Key is the object's key, as stored (not encoded).
	Key  string
	Size int64
	// ETag without quotes ("b1946ac92492d2347c6235b4d2611184", or "...-2"
	// for a multipart upload).
	ETag      string
	VersionID string // "" without versioning
	Sequencer string
	RequestID string
	// Requester is the account (or service principal) that wrote it.
	Requester string
	SourceIP  string
	// Reason: PutObject, POST Object, CopyObject or CompleteMultipartUpload.
	Reason string
	Time   time.Time
}

// S3 detail shapes, as S3's documented examples have them
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
type s3Detail struct {
	Version         string   `json:"version"`
	Bucket          s3Bucket `json:"bucket"`
	Object          s3Object `json:"object"`
	RequestID       string   `json:"request-id"`
	Requester       string   `json:"requester"`
	SourceIPAddress string   `json:"source-ip-address"`
	Reason          string   `json:"reason"`
}

type s3Bucket struct {
	Name string `json:"name"`
}

type s3Object struct {
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	ETag      string `json:"etag"`
	VersionID string `json:"version-id,omitempty"`
	Sequencer string `json:"sequencer"`
}

// S3ObjectCreated is S3's "Object Created" event for o, in account and
// region. S3 URL-encodes the key in its notifications (a space is "+"), as
// in its event records
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
func S3ObjectCreated(o ObjectCreated, account, region string) Event {
	d, _ := json.Marshal(s3Detail{Version: "0", Bucket: s3Bucket{Name: o.Bucket},
		Object:    s3Object{Key: EncodeKey(o.Key), Size: o.Size, ETag: o.ETag, VersionID: o.VersionID, Sequencer: o.Sequencer},
		RequestID: o.RequestID, Requester: o.Requester, SourceIPAddress: o.SourceIP, Reason: o.Reason})
	return Event{Version: "0", ID: NewID(), DetailType: "Object Created", Source: "aws.s3", Account: account,
		Time: o.Time.UTC().Format(time.RFC3339), Region: region, Resources: []string{"arn:aws:s3:::" + o.Bucket}, Detail: d}
}

// EncodeKey encodes a key as S3 does in event notifications: as a form
// value (a space is "+", "(" is "%28"), but "/" kept, so that a rule's
// prefix "incoming/" matches (the documented examples keep it:
// "incoming/ab12/..." in S3's, "test/key" in Lambda's sample S3 event).
func EncodeKey(key string) string {
	const upperhex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '*', c == '/':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return string(b)
}

// NewID is a random UUID (version 4), as EventBridge gives each event.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
