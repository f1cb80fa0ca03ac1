package devserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// TestCorsAsAPIGatewayAnswersIt: the runner's own errors carry exactly the
// headers of the template's gateway responses, and a preflight answers a
// further allowed origin by name, as aws-cdk's response template does.
func TestCorsAsAPIGatewayAnswersIt(t *testing.T) {
	api := &loader.API{Stage: "v1", GatewayResponses: map[string]*loader.GatewayResponse{
		"DEFAULT_4XX": {Headers: map[string]string{"Access-Control-Allow-Origin": "method.request.header.Origin", "Vary": "'Origin'"}},
		"DEFAULT_5XX": {Headers: map[string]string{"Access-Control-Allow-Origin": "'https://a.example'"}},
	}}
	api.Routes = []*loader.Route{{API: api, Method: "OPTIONS", Path: "/files", Integration: "MOCK", MockStatus: 204,
		MockHeaders: map[string]string{"Access-Control-Allow-Origin": "https://a.example", "Vary": "Origin"}, MockOrigins: []string{"https://b.example"}}}
	g := &gateway{api: api, logs: io.Discard}
	do := func(method, path, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		return w
	}
	for _, tc := range []struct {
		method, path, origin string
		status               int
		acao                 string
	}{
		{"GET", "/v1/missing", "https://b.example", 403, "https://b.example"},
		{"GET", "/elsewhere", "https://b.example", 403, "https://b.example"},
		{"GET", "/v1/missing", "", 403, ""},
		{"OPTIONS", "/v1/files", "https://b.example", 204, "https://b.example"},
		{"OPTIONS", "/v1/files", "https://c.example", 204, "https://a.example"}, // the browser refuses it
	} {
		w := do(tc.method, tc.path, tc.origin)
		if w.Code != tc.status || w.Header().Get("Access-Control-Allow-Origin") != tc.acao {
			t.Errorf("%s %s from %q: %d, Access-Control-Allow-Origin %q; want %d, %q", tc.method, tc.path, tc.origin, w.Code,
				w.Header().Get("Access-Control-Allow-Origin"), tc.status, tc.acao)
		}
	}
	w := httptest.NewRecorder()
	g.fail(w, httptest.NewRequest("GET", "/v1/x", nil), http.StatusBadGateway, "Internal server error")
	if w.Header().Get("Access-Control-Allow-Origin") != "https://a.example" || w.Header().Get("Vary") != "" {
		t.Errorf("502: %v", w.Header())
	}
	api.GatewayResponses = nil
	if w := do("GET", "/v1/missing", "https://b.example"); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no gateway responses, yet a CORS header: %v", w.Header())
	}
}
