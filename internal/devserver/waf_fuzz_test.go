package devserver

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzWAF sends arbitrary requests through the SizeLimitedWebAcl rules
// (team: body size, rate limit, common rule set; uploads: Content-Length)
// and the hand-written statements: the evaluator never panics, and the
// body rule blocks exactly the bodies over 16384 bytes.
func FuzzWAF(f *testing.F) {
	team, uploads, _ := sizeLimitedACLs(f)
	hand, _ := loadWAFTemplate(f, handTemplate(map[string]any{"Allow": map[string]any{}}))
	evals := []*wafEvaluator{newWAFEvaluator(team, Options{}), newWAFEvaluator(uploads, Options{}), newWAFEvaluator(hand["Api"], Options{WAFCountry: "DE"})}
	clock := newTestClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	for _, e := range evals {
		e.now = clock.now
	}
	f.Add("POST", "/prod/upload?q=DROP%20x", "Content-Length: 99999999999\nX-Forwarded-For: 198.51.100.1, junk\nUser-Agent: sqlmap/1\nCookie: a=b", []byte("evil-continue"), uint16(0))
	f.Add("GET", "/prod/%zz/../health", "Content-Length: -1\nX-Forwarded-For: ::ffff:198.51.100.9", []byte{}, uint16(20000))
	f.Add("DELETE", "//", "Content-Length: 10485761", []byte{0, 0xff}, uint16(16385))
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte, pad uint16) {
		u, err := url.Parse(target)
		if err != nil {
			return
		}
		r := &http.Request{Method: method, URL: u, RequestURI: target, Header: http.Header{}, Host: "127.0.0.1:1", RemoteAddr: "127.0.0.1:4242"}
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		body = append(body, bytes.Repeat([]byte("p"), int(pad))...)
		for _, e := range evals {
			v := e.evaluate(r, body)
			if v.Action == nil {
				t.Fatal("no action")
			}
			_ = v.String()
		}
		clock.add(time.Second) // the team ACL's rate limit (2000 in 5 minutes) is never reached
		v := evals[0].evaluate(r, body)
		byBody := v.Rule != nil && v.Rule.Name == "BodyOverLimit"
		if byBody != (len(body) > 16384) {
			t.Fatalf("body of %d bytes: %s", len(body), v)
		}
	})
}
