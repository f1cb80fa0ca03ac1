package presign

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/cors"
)

var routes = []struct{ method, resource string }{
	{"POST", RouteUploads}, {"POST", RouteParts}, {"POST", RouteComplete}, {"DELETE", RouteAbort}, {"GET", "/other"},
	{"GET", RouteParts},
	{"GET", RouteCompanionParams}, {"POST", RouteCompanionCreate}, {"GET", RouteCompanionUpload}, {"DELETE", RouteCompanionUpload},
	{"GET", RouteCompanionBatch}, {"GET", RouteCompanionPart}, {"POST", RouteCompanionComplete},
}

// FuzzHandle feeds any body (also as every query parameter) and upload id
// (also as the part number and the Origin) to every route of the multipart,
// PUT and POST handlers, the Companion routes on: the answer is always JSON
// with a 2xx or 4xx status, a 4xx names its problem, and a key the server
// made stays under the caller's part of the prefix.
func FuzzHandle(f *testing.F) {
	f.Add(uint8(0), uint8(0), `{"fileName":"a.png","contentType":"image/png","size":10}`, "")
	f.Add(uint8(1), uint8(2), `{"fileName":"big.csv","contentType":"text/csv","size":20971521,"partSize":5242880}`, "")
	f.Add(uint8(2), uint8(1), `{"key":"incoming/x/y/z","parts":[{"number":1,"etag":"a"}]}`, "u1")
	f.Add(uint8(2), uint8(3), ``, "u1")
	f.Add(uint8(0), uint8(0), `{"fileName":"../../x","contentType":"image/png","size":1}`, "")
	f.Add(uint8(0), uint8(0), `{"fileName":"a","contentType":"text/csv; charset=utf-8; x=1","size":9223372036854775807}`, "")
	f.Add(uint8(1), uint8(0), `{"fileName":"a.csv","contentType":"text/csv","size":1,"checksumSha256":"AAAA"}`, "")
	f.Add(uint8(2), uint8(0), `{"fileName":"../x","fileName":"a.csv","contentType":"text/csv","size":1}`, "")
	f.Add(uint8(2), uint8(1), `{"key":"k","size":20971521,"partSize":10485760,"from":1,"checksumsSha256":["47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]}`, "u1")
	f.Add(uint8(2), uint8(5), `incoming/x/y/z`, "u1")
	f.Add(uint8(0), uint8(6), `a.csv`, "")
	f.Add(uint8(0), uint8(7), `{"filename":"a.csv","type":"text/csv","metadata":{"name":"a.csv"}}`, "")
	f.Add(uint8(0), uint8(10), `1,2,3`, "u1")
	f.Add(uint8(0), uint8(11), ``, "3")
	f.Add(uint8(0), uint8(12), `{"parts":[{"PartNumber":1,"ETag":"a"}]}`, "https://app.example.com")
	f.Fuzz(func(t *testing.T, mode, route uint8, body, uploadID string) {
		h, _ := testHandler([]Mode{ModePut, ModePost, ModeMultipart}[int(mode)%3])
		h.Config.Companion = true
		h.Config.CORS = &cors.Policy{AllowOrigins: []string{"https://app.example.com"}}
		r := routes[int(route)%len(routes)]
		resp, err := h.Handle(context.Background(), events.APIGatewayProxyRequest{
			HTTPMethod: r.method, Resource: r.resource, Body: body,
			Headers:               map[string]string{"Origin": uploadID},
			PathParameters:        map[string]string{"uploadId": uploadID, "partNumber": uploadID},
			QueryStringParameters: map[string]string{"key": body, "filename": body, "type": body, "partNumbers": body},
		})
		if err != nil {
			t.Fatalf("Handle returned an error: %v", err)
		}
		if resp.StatusCode/100 != 2 && resp.StatusCode/100 != 4 {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
			t.Fatalf("body is not JSON: %q", resp.Body)
		}
		if resp.StatusCode/100 == 4 {
			e, _ := out["error"].(map[string]any)
			if e == nil || e["code"] == "" || e["message"] == "" {
				t.Fatalf("4xx without a named problem: %s", resp.Body)
			}
		}
		if key, ok := out["key"].(string); ok && resp.StatusCode == 200 && (r.resource == RouteUploads || r.resource == RouteCompanionCreate) {
			checkKey(t, key)
		}
	})
}

var keyShape = regexp.MustCompile(`^incoming/[0-9a-f]{16}/[0-9a-f]{32}/[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

func checkKey(t *testing.T, key string) {
	t.Helper()
	if !keyShape.MatchString(key) || strings.Contains(key, "..") || !strings.HasPrefix(key, "incoming/"+alice+"/") && !strings.HasPrefix(key, "incoming/") {
		t.Fatalf("key %q escapes its shape prefix/caller/random/name", key)
	}
}

// FuzzSanitizeFileName: a name is refused, or comes out as one plain path
// segment of safe characters.
func FuzzSanitizeFileName(f *testing.F) {
	for _, s := range []string{"report.pdf", "../x", "a/b", `a\b`, ".", "..", ".hidden", "ünï.txt", "\x00", strings.Repeat("a", 300) + ".gz"} {
		f.Add(s)
	}
	safe := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	f.Fuzz(func(t *testing.T, name string) {
		got, err := SanitizeFileName(name)
		if err != nil {
			return
		}
		if !safe.MatchString(got) || len(got) > MaxFileNameLength || got == "." || got == ".." || strings.Contains(got, "..") && strings.HasPrefix(got, "..") {
			t.Fatalf("SanitizeFileName(%q) = %q", name, got)
		}
		if again, err := SanitizeFileName(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", name, got, again, err)
		}
	})
}
