package presign

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamgate/streamgate/lambda/cors"
)

// started begins a multipart upload and returns its key.
func started(t *testing.T, h *Handler) string {
	t.Helper()
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"big.csv","contentType":"text/csv","size":20971521}`, nil, nil)
	if status != 200 {
		t.Fatalf("start: %d %v", status, m)
	}
	return m["key"].(string)
}

var upload1 = map[string]string{"uploadId": "upload-1"}

// s3Refusal is an S3 error answer as the SDK returns it.
func s3Refusal(status int, code, msg string) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "AbortMultipartUpload", Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: msg},
	}}
}

func TestListPartsReadsEveryPage(t *testing.T) {
	h, f := testHandler(ModeMultipart)
	key := started(t, h)
	for i := 1; i <= 2500; i++ {
		f.parts = append(f.parts, types.Part{PartNumber: aws.Int32(int32(i)), Size: aws.Int64(5 << 20), ETag: aws.String(`"e` + strconv.Itoa(i) + `"`)})
	}
	f.pageSize = 1000
	status, m := call(t, h, "GET", RouteParts, "", upload1, map[string]string{"key": key})
	if status != 200 {
		t.Fatalf("%d %v", status, m)
	}
	parts := m["parts"].([]any)
	last := parts[len(parts)-1].(map[string]any)
	if len(parts) != 2500 || last["number"] != float64(2500) || last["etag"] != `"e2500"` || last["size"] != float64(5<<20) {
		t.Errorf("%d parts, last %v", len(parts), last)
	}
	if len(f.listed) != 3 {
		t.Errorf("%d ListParts calls, want 3 pages", len(f.listed))
	}
}

func TestAbortOfAnUploadThatIsNotThereIs404(t *testing.T) {
	h, f := testHandler(ModeMultipart)
	key := started(t, h)
	f.listFail = s3Refusal(404, "NoSuchUpload", "The specified multipart upload does not exist.")
	status, m := call(t, h, "DELETE", RouteAbort, "", upload1, map[string]string{"key": key})
	if status != 404 || m["error"].(map[string]any)["field"] != "uploadId" || len(f.aborted) != 0 {
		t.Errorf("unknown upload: %d %v, aborted %v", status, m, f.aborted)
	}
	other := "incoming/0123456789abcdef/00112233445566778899aabbccddeeff/big.csv"
	if status, m := call(t, h, "DELETE", RouteAbort, "", upload1, map[string]string{"key": other}); status != 404 {
		t.Errorf("another caller's upload: %d %v", status, m)
	}
	if status, m := call(t, h, "DELETE", RouteAbort, "", upload1, nil); status != 400 || m["error"].(map[string]any)["field"] != "key" {
		t.Errorf("no key: %d %v", status, m)
	}
}

func TestStorageRefusalsAre4xxWithTheField(t *testing.T) {
	h, f := testHandler(ModeMultipart)
	key := started(t, h)
	done := `{"key":"` + key + `","parts":[{"number":1,"etag":"a"}]}`
	for _, tc := range []struct {
		err    error
		status int
		code   string
		field  string
	}{
		{s3Refusal(400, "XMinioInvalidObjectName", "Object name contains unsupported characters."), 400, "StorageRejected", "uploadId"},
		{s3Refusal(400, "InvalidArgument", "Invalid uploadId"), 400, "StorageRejected", "uploadId"},
		{s3Refusal(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."), 400, "EntityTooSmall", "parts"},
		{s3Refusal(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"), 412, "AlreadyExists", "key"},
		{s3Refusal(403, "AccessDenied", "Access Denied"), 502, "StorageError", ""},
		{s3Refusal(500, "InternalError", "We encountered an internal error."), 502, "StorageError", ""},
		{s3Refusal(503, "SlowDown", "Reduce your request rate."), 502, "StorageError", ""},
	} {
		f.fail = tc.err
		status, m := call(t, h, "POST", RouteComplete, done, upload1, nil)
		e := m["error"].(map[string]any)
		if status != tc.status || e["code"] != tc.code || tc.field != "" && e["field"] != tc.field {
			t.Errorf("%v: %d %v, want %d %s (%s)", tc.err, status, e, tc.status, tc.code, tc.field)
		}
	}
}

func TestUploadIDsAreCheckedBeforeS3(t *testing.T) {
	h, f := testHandler(ModeMultipart)
	key := started(t, h)
	for _, id := range []string{strings.Repeat("a", MaxUploadIDLength+1), "a b", "a%2Fb", "id\x00"} {
		status, m := call(t, h, "DELETE", RouteAbort, "", map[string]string{"uploadId": id}, map[string]string{"key": key})
		if e := m["error"].(map[string]any); status != 400 || e["code"] != "InvalidUploadId" || e["field"] != "uploadId" {
			t.Errorf("%.20q: %d %v", id, status, m)
		}
	}
	if len(f.listed)+len(f.aborted) != 0 {
		t.Errorf("S3 was asked about malformed ids: listed %v aborted %v", f.listed, f.aborted)
	}
	// A long id of S3's own characters goes on to S3.
	if status, _ := call(t, h, "DELETE", RouteAbort, "", map[string]string{"uploadId": strings.Repeat("Ab9.-_=", 140)}, map[string]string{"key": key}); status != 200 {
		t.Errorf("a 980-character id: %d", status)
	}
}

func TestPerPartChecksums(t *testing.T) {
	h, f := testHandler(ModeMultipart)
	status, m := call(t, h, "POST", RouteUploads, `{"fileName":"big.csv","contentType":"text/csv","size":20971521,"partSize":10485760,"checksumAlgorithm":"SHA256"}`, nil, nil)
	if status != 200 || m["checksumAlgorithm"] != "SHA256" || m["parts"] != nil {
		t.Fatalf("start: %d %v", status, m)
	}
	key := m["key"].(string)
	sums := []string{sha("one"), sha("two"), sha("three")}
	body, _ := json.Marshal(PartsRequest{Key: key, Size: 20971521, PartSize: 10485760, From: 1, ChecksumsSHA256: sums})
	status, m = call(t, h, "POST", RouteParts, string(body), upload1, nil)
	if status != 200 {
		t.Fatalf("parts: %d %v", status, m)
	}
	for i, p := range m["parts"].([]any) {
		part := p.(map[string]any)
		if part["headers"].(map[string]any)["X-Amz-Checksum-Sha256"] != sums[i] || !strings.Contains(part["url"].(string), "x-amz-checksum-sha256") {
			t.Errorf("part %d does not sign its checksum: %v", i+1, part)
		}
	}
	body, _ = json.Marshal(PartsRequest{Key: key, Size: 20971521, PartSize: 10485760, From: 2, ChecksumsSHA256: sums})
	if status, m = call(t, h, "POST", RouteParts, string(body), upload1, nil); status != 400 {
		t.Errorf("checksums past the last part: %d %v", status, m)
	}
	body, _ = json.Marshal(PartsRequest{Key: key, Size: 20971521, PartSize: 10485760, From: 1, ChecksumsSHA256: []string{"nope"}})
	if status, m = call(t, h, "POST", RouteParts, string(body), upload1, nil); status != 400 || m["error"].(map[string]any)["field"] != "checksumsSha256[0]" {
		t.Errorf("a bad part checksum: %d %v", status, m)
	}
	done := `{"key":"` + key + `","parts":[{"number":1,"etag":"a","checksumSha256":"` + sums[0] + `"}]}`
	if status, m = call(t, h, "POST", RouteComplete, done, upload1, nil); status != 200 || aws.ToString(f.completed[0].MultipartUpload.Parts[0].ChecksumSHA256) != sums[0] {
		t.Errorf("complete: %d %v", status, m)
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestCORSHeadersOnEveryAnswer(t *testing.T) {
	h, _ := testHandler(ModePut)
	h.Config.CORS = &cors.Policy{AllowOrigins: []string{"https://app.example.com"}}
	answer := func(origin, body string) events.APIGatewayProxyResponse {
		resp, _ := h.Handle(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "POST", Resource: RouteUploads, Body: body,
			Headers: map[string]string{"origin": origin}})
		return resp
	}
	ok := `{"fileName":"a.png","contentType":"image/png","size":1}`
	for _, body := range []string{ok, `{"size":-1}`, `nope`} {
		resp := answer("https://app.example.com", body)
		if resp.Headers["Access-Control-Allow-Origin"] != "https://app.example.com" || resp.Headers["Vary"] != "Origin" {
			t.Errorf("%s -> %d: headers %v", body, resp.StatusCode, resp.Headers)
		}
	}
	if resp := answer("https://evil.example.com", ok); resp.Headers["Access-Control-Allow-Origin"] != "" || resp.Headers["Vary"] != "Origin" {
		t.Errorf("a disallowed origin: %v", resp.Headers)
	}
	h.Config.CORS = nil
	if resp := answer("https://app.example.com", ok); resp.Headers["Access-Control-Allow-Origin"] != "" || resp.Headers["Vary"] != "" {
		t.Errorf("no CORS configured: %v", resp.Headers)
	}
}

func companionHandler() (*Handler, *fakeS3) {
	h, f := testHandler(ModePut)
	h.Config.Companion = true
	return h, f
}

func TestCompanionParams(t *testing.T) {
	h, _ := companionHandler()
	status, m := call(t, h, "GET", RouteCompanionParams, "", nil, map[string]string{"filename": "holiday photo.png", "type": "image/png", "metadata[name]": "x"})
	if status != 200 || m["method"] != "POST" || m["expires"] != float64(900) {
		t.Fatalf("%d %v", status, m)
	}
	fields := m["fields"].(map[string]any)
	checkKey(t, fields["key"].(string))
	raw, _ := base64.StdEncoding.DecodeString(fields["policy"].(string))
	if !strings.Contains(string(raw), `["content-length-range",1,104857600]`) || !strings.Contains(string(raw), `{"Content-Type":"image/png"}`) {
		t.Errorf("policy %s", raw)
	}
	for _, tc := range []struct {
		q     map[string]string
		code  string
		field string
	}{
		{map[string]string{"filename": "a.exe", "type": "application/x-msdownload"}, "ContentTypeNotAllowed", "type"},
		{map[string]string{"filename": "../a.png", "type": "image/png"}, "InvalidFileName", "filename"},
		{map[string]string{"type": "image/png"}, "MissingFileName", "filename"},
	} {
		_, m := call(t, h, "GET", RouteCompanionParams, "", nil, tc.q)
		if e := m["error"].(map[string]any); e["code"] != tc.code || e["field"] != tc.field {
			t.Errorf("%v: %v", tc.q, e)
		}
	}
	h.Config.RequireChecksum = true
	if status, _ := call(t, h, "GET", RouteCompanionParams, "", nil, map[string]string{"filename": "a.png", "type": "image/png"}); status != 400 {
		t.Errorf("object lock without checksum: %d", status)
	}
}

func TestCompanionMultipart(t *testing.T) {
	h, f := companionHandler()
	status, m := call(t, h, "POST", RouteCompanionCreate, `{"filename":"big.csv","type":"text/csv","metadata":{"name":"big.csv"}}`, nil, nil)
	if status != 200 || m["uploadId"] != "upload-1" || m["bucket"] != "uploads" {
		t.Fatalf("create: %d %v", status, m)
	}
	key := m["key"].(string)
	checkKey(t, key)
	q := map[string]string{"key": key}

	status, m = call(t, h, "GET", RouteCompanionPart, "", map[string]string{"uploadId": "upload-1", "partNumber": "3"}, q)
	if status != 200 || !strings.Contains(m["url"].(string), "partNumber=3") || m["expires"] != float64(900) {
		t.Errorf("part: %d %v", status, m)
	}
	// 100 MiB in parts of at least 5 MiB: part 20 is the last a file within the limit can have.
	for n, want := range map[string]int{"20": 200, "21": 400, "0": 400, "x": 400} {
		if status, m := call(t, h, "GET", RouteCompanionPart, "", map[string]string{"uploadId": "upload-1", "partNumber": n}, q); status != want {
			t.Errorf("part %s: %d %v", n, status, m)
		}
	}
	q2 := map[string]string{"key": key, "partNumbers": "1,2,5"}
	status, m = call(t, h, "GET", RouteCompanionBatch, "", upload1, q2)
	urls, _ := m["presignedUrls"].(map[string]any)
	if status != 200 || len(urls) != 3 || !strings.Contains(urls["5"].(string), "partNumber=5") {
		t.Errorf("batch: %d %v", status, m)
	}

	f.parts = []types.Part{{PartNumber: aws.Int32(1), Size: aws.Int64(5 << 20), ETag: aws.String(`"a"`)}, {PartNumber: aws.Int32(2), Size: aws.Int64(3), ETag: aws.String(`"b"`)}}
	resp, err := h.Handle(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: RouteCompanionUpload, PathParameters: upload1, QueryStringParameters: q,
		RequestContext: events.APIGatewayProxyRequestContext{Identity: events.APIGatewayRequestIdentity{UserArn: "arn:aws:iam::123456789012:user/alice"}}})
	var listed []CompanionPart
	if err != nil || json.Unmarshal([]byte(resp.Body), &listed) != nil || len(listed) != 2 || listed[1] != (CompanionPart{PartNumber: 2, ETag: `"b"`, Size: 3}) {
		t.Errorf("list: %v %s", err, resp.Body)
	}

	status, m = call(t, h, "POST", RouteCompanionComplete, `{"parts":[{"PartNumber":1,"ETag":"a"},{"PartNumber":2,"ETag":"b"}]}`, upload1, q)
	if status != 200 || m["key"] != key || len(f.completed) != 1 || len(f.aborted) != 0 {
		t.Errorf("complete: %d %v", status, m)
	}
	if status, m := call(t, h, "POST", RouteCompanionComplete, `{"parts":[{"PartNumber":2,"ETag":"a"},{"PartNumber":1,"ETag":"b"}]}`, upload1, q); status != 400 {
		t.Errorf("parts out of order: %d %v", status, m)
	}

	// Parts that add up to more than the limit: refused, and the upload aborted.
	f.parts = append(f.parts, types.Part{PartNumber: aws.Int32(3), Size: aws.Int64(100 << 20), ETag: aws.String(`"c"`)})
	status, m = call(t, h, "POST", RouteCompanionComplete, `{"parts":[{"PartNumber":1,"ETag":"a"},{"PartNumber":2,"ETag":"b"},{"PartNumber":3,"ETag":"c"}]}`, upload1, q)
	if status != 413 || len(f.completed) != 1 || len(f.aborted) != 1 {
		t.Errorf("oversize: %d %v, completed %d, aborted %v", status, m, len(f.completed), f.aborted)
	}

	if status, m := call(t, h, "DELETE", RouteCompanionUpload, "", upload1, q); status != 200 || len(m) != 0 {
		t.Errorf("abort: %d %v", status, m)
	}
	// Another caller's upload.
	other := map[string]string{"key": "incoming/0123456789abcdef/00112233445566778899aabbccddeeff/big.csv"}
	if status, _ := call(t, h, "GET", RouteCompanionPart, "", map[string]string{"uploadId": "upload-1", "partNumber": "1"}, other); status != 404 {
		t.Errorf("another caller's part URL: %d", status)
	}
}

func TestCompanionRoutesNeedTheOption(t *testing.T) {
	h, _ := testHandler(ModePut)
	if status, _ := call(t, h, "GET", RouteCompanionParams, "", nil, map[string]string{"filename": "a.png", "type": "image/png"}); status != 404 {
		t.Errorf("status %d, want 404 with Companion off", status)
	}
}
