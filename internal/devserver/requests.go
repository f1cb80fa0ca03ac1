package devserver

import (
	"net/http"
	"sync"
	"time"
)

// RequestRecord is one answered request, as the page shows it: the
// prelude's status and headers, when the first byte left, how much was
// sent and how the answer ended.
type RequestRecord struct {
	ID        string              `json:"id"`
	Method    string              `json:"method"`
	Path      string              `json:"path"`
	Mode      string              `json:"mode"` // STREAMED, BUFFERED, MOCK, THROTTLED, REFUSED, WAF, -
	Status    int                 `json:"status"`
	Headers   map[string][]string `json:"headers"`
	FirstByte float64             `json:"firstByteMs"` // -1: no body
	Bytes     int64               `json:"bytes"`
	Millis    float64             `json:"ms"`
	// End is how the answer ended: complete, or cut (idle timeout, the
	// 15-minute or 200 MB limit, the function's error trailers), or the
	// client went away; an error status for API Gateway's own errors.
	End string    `json:"end"`
	At  time.Time `json:"at"`
	// Guard is what let the request through or refused it (AWS_IAM, a
	// Lambda or Cognito authorizer, an API key; NONE for an open route),
	// Caller who the request came from, Refused why a guard refused it.
	Guard   string `json:"guard,omitempty"`
	Caller  string `json:"caller,omitempty"`
	Refused string `json:"refused,omitempty"`
	// WAF is what the stage's web ACL did: "Block by BodyOverLimit
	// (priority 0)", "Count by Probe (priority 1); Allow (default action)";
	// "" without a web ACL.
	WAF string `json:"waf,omitempty"`
}

func requestRecord(r *http.Request, rec *statusRecorder, mode, id string, start time.Time, who *principal, refused *refusal, waf *wafVerdict) RequestRecord {
	out := RequestRecord{ID: id, Method: r.Method, Path: r.URL.RequestURI(), Mode: mode, Status: rec.status, Headers: rec.Header().Clone(),
		FirstByte: -1, Bytes: rec.bytes, Millis: float64(time.Since(start).Microseconds()) / 1000, At: start, End: "complete"}
	if who != nil {
		out.Guard, out.Caller = who.Guard, who.Caller
	}
	if refused != nil {
		out.Guard, out.Refused = refused.Guard, refused.Why
	}
	if waf != nil {
		out.WAF = waf.String()
	}
	if rec.first > 0 {
		out.FirstByte = float64(rec.first.Microseconds()) / 1000
	}
	if e := rec.end.Load(); e != nil {
		out.End = *e
	} else if rec.status >= 400 {
		out.End = http.StatusText(rec.status)
	}
	return out
}

// requestLog keeps the last requests of an API.
type requestLog struct {
	mu   sync.Mutex
	recs []RequestRecord
}

const keptRequests = 100

func (l *requestLog) add(r RequestRecord) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r)
	if len(l.recs) > keptRequests {
		l.recs = l.recs[len(l.recs)-keptRequests:]
	}
}

// list is the kept requests, newest first; with id, only that one.
func (l *requestLog) list(id string) []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []RequestRecord{}
	for i := len(l.recs) - 1; i >= 0; i-- {
		if id == "" || l.recs[i].ID == id {
			out = append(out, l.recs[i])
		}
	}
	return out
}
