package devserver

import (
	"testing"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

func TestMatchPrefersLiteralsAndExactMethods(t *testing.T) {
	routes := []*loader.Route{
		{Method: "GET", Path: "/files/{proxy+}"},
		{Method: "GET", Path: "/files/{name}"},
		{Method: "GET", Path: "/files/latest"},
		{Method: "ANY", Path: "/files/latest"},
		{Method: "POST", Path: "/"},
	}
	for _, tc := range []struct{ method, path, want, param string }{
		{"GET", "/files/latest", "GET /files/latest", ""},
		{"PUT", "/files/latest", "ANY /files/latest", ""},
		{"GET", "/files/a%20b", "GET /files/{name}", "a%20b"}, // as received, as API Gateway passes it
		{"GET", "/files/a/b/c", "GET /files/{proxy+}", "a/b/c"},
		{"POST", "/", "POST /", ""},
		{"GET", "/", "", ""},
		{"GET", "/other", "", ""},
	} {
		r, params := match(routes, tc.method, tc.path)
		got := ""
		if r != nil {
			got = r.Method + " " + r.Path
		}
		if got != tc.want {
			t.Errorf("%s %s matched %q, want %q", tc.method, tc.path, got, tc.want)
		}
		if tc.param != "" && params["name"] != tc.param && params["proxy"] != tc.param {
			t.Errorf("%s %s: params %v", tc.method, tc.path, params)
		}
	}
}

// TestLoadReportsWhatItDoesNotEmulate reads a hand-made assembly with an
// authorizer, a web ACL and an S3 service integration.

func TestIdleTimeouts(t *testing.T) {
	if IdleTimeout("EDGE").Seconds() != 30 || IdleTimeout("REGIONAL").Minutes() != 5 {
		t.Error("idle timeouts")
	}
}
