package devserver

// What the gateway remembers of each answer, for the access log line and
// the page's request list (requests.go).

import (
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
