package cors

import (
	"maps"
	"testing"
)

func TestApply(t *testing.T) {
	app := &Policy{AllowOrigins: []string{"https://app.example.com", "http://localhost:5173"}, ExposeHeaders: []string{"x-amzn-RequestId"}}
	for _, tc := range []struct {
		name   string
		policy *Policy
		in     map[string]string
		origin string
		want   map[string]string
	}{
		{"allowed", app, nil, "https://app.example.com",
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Vary": "Origin", "Access-Control-Expose-Headers": "x-amzn-RequestId"}},
		{"second origin", app, map[string]string{"Content-Type": "application/x-ndjson"}, "http://localhost:5173",
			map[string]string{"Content-Type": "application/x-ndjson", "Access-Control-Allow-Origin": "http://localhost:5173", "Vary": "Origin", "Access-Control-Expose-Headers": "x-amzn-RequestId"}},
		{"not allowed", app, nil, "https://evil.example.com", map[string]string{"Vary": "Origin"}},
		{"prefix is not the origin", app, nil, "https://app.example.com.evil.net", map[string]string{"Vary": "Origin"}},
		{"no origin", app, nil, "", map[string]string{"Vary": "Origin"}},
		{"vary merged", app, map[string]string{"vary": "Accept-Encoding"}, "https://app.example.com",
			map[string]string{"vary": "Accept-Encoding, Origin", "Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Expose-Headers": "x-amzn-RequestId"}},
		{"the function's own", app, map[string]string{"access-control-allow-origin": "https://x"}, "https://app.example.com",
			map[string]string{"access-control-allow-origin": "https://x"}},
		{"any origin", &Policy{AllowOrigins: []string{"*"}}, nil, "https://anyone.example", map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"any origin with credentials", &Policy{AllowOrigins: []string{"*"}, AllowCredentials: true}, nil, "https://anyone.example",
			map[string]string{"Access-Control-Allow-Origin": "https://anyone.example", "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}},
		{"no policy", nil, map[string]string{"A": "b"}, "https://app.example.com", map[string]string{"A": "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.policy.Apply(maps.Clone(tc.in), tc.origin)
			if !maps.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("Apply(%v, %q) = %v, want %v", tc.in, tc.origin, got, tc.want)
			}
		})
	}
}

func TestEnvRoundTrip(t *testing.T) {
	p := &Policy{AllowOrigins: []string{"https://a.example"}, AllowCredentials: true, ExposeHeaders: []string{"ETag"}}
	t.Setenv(EnvConfig, p.Encode())
	got, err := FromEnv()
	if err != nil || got.Encode() != p.Encode() {
		t.Fatalf("FromEnv = %+v, %v", got, err)
	}
	t.Setenv(EnvConfig, "")
	if got, err := FromEnv(); got != nil || err != nil {
		t.Errorf("unset: %+v, %v", got, err)
	}
	for _, bad := range []string{"https://a.example", `{"allowOrigins":[]}`} {
		t.Setenv(EnvConfig, bad)
		if _, err := FromEnv(); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
