package devserver

// What the gateway remembers of each answer, for the access log line and
// the page's request list (requests.go).

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// statusRecorder remembers the status, size, first byte and end of an
// answer, for the access log line and the page's request list.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	start  time.Time
	first  time.Duration // first body byte, since start
	end    atomic.Pointer[string]
}

// ended says how the answer ended, once (the first reason stands).
func (s *statusRecorder) ended(why string) { s.end.CompareAndSwap(nil, &why) }

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	if s.first == 0 && len(b) > 0 {
		s.first = max(time.Since(s.start), time.Microsecond)
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// record writes the access log line of x and keeps x for the page.
func (g *gateway) record(x *exchange) {
	fmt.Fprintf(g.logs, "%s %s %s %d %s %dB %v (%s)%s\n", x.start.Format("15:04:05.000"), x.r.Method, x.r.URL.RequestURI(), x.w.status, x.mode, x.w.bytes,
		time.Since(x.start).Round(time.Millisecond), x.requestID, guardNote(x))
	g.recent.add(requestRecord(x.r, x.w, x.mode, x.requestID, x.start, x.who, x.refused, x.waf))
}

// guardNote is what the log line says of the guards and the web ACL: the
// guard that refused and why, or the caller it let through; the web ACL's
// verdict when a rule matched or it blocked.
func guardNote(x *exchange) string {
	note := ""
	switch {
	case x.refused != nil:
		note = fmt.Sprintf(" [%s refused: %s]", x.refused.Guard, x.refused.Why)
	case x.who != nil && x.who.Guard != "NONE":
		note = fmt.Sprintf(" [%s: %s]", x.who.Guard, x.who.Caller)
	}
	if w := x.waf; w != nil && (w.Rule != nil || len(w.Counted) > 0 || w.blocked()) {
		note += " [WAF " + w.String() + "]"
	}
	return note
}
