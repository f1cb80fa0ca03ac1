package devserver

// Streamed replies (ResponseTransferMode STREAM): the prelude's status
// and headers, then each chunk as it arrives, at Lambda's rate and within
// API Gateway's timeouts.

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/runtimeapi"
)

// Buffers of streamed responses, reused: a tiny response should not cost
// its size in garbage.
var (
	streamReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
	streamBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
)

// stream forwards a streamed response as API Gateway does with STREAM:
// status and headers from the prelude, then each chunk as it arrives.
// Until the prelude arrives, the integration timeout applies; after it,
// the idle timeout between chunks and 15 minutes in all.
func (g *gateway) stream(w *statusRecorder, r *http.Request, route *loader.Route, tag string, inv *pool.Invocation, ctx context.Context) {
	body := inv.Response.Body
	defer body.Close()
	stopWatching := closeWhenDone(ctx, body)
	br := streamReaders.Get().(*bufio.Reader)
	br.Reset(body)
	defer func() { br.Reset(nil); streamReaders.Put(br) }()
	s := &streamReply{g: g, w: w, route: route, tag: tag, inv: inv, br: br}
	s.pending, _ = body.(interface{ Pending() bool })
	prelude, f, ok := s.readPrelude(ctx)
	if !ok {
		g.failIntegration(w, r, f)
		return
	}
	stopWatching()
	writeHeaders(w, prelude.Headers, prelude.MultiValueHeaders, prelude.Cookies)
	w.WriteHeader(prelude.StatusCode)
	if s.flusher, _ = w.ResponseWriter.(http.Flusher); s.flusher != nil {
		s.flusher.Flush()
	}
	defer s.armTimers()()
	s.forward()
}

// streamReply is a streamed reply being forwarded to the client.
type streamReply struct {
	g       *gateway
	w       *statusRecorder
	route   *loader.Route
	tag     string
	inv     *pool.Invocation
	br      *bufio.Reader
	flusher http.Flusher // nil when the connection cannot flush
	// pending, when the function's body has it, says whether more of the
	// stream has arrived.
	pending interface{ Pending() bool }
	idle    time.Duration
	// idleTimer cuts the stream when nothing arrives for idle; each chunk
	// resets it.
	idleTimer *time.Timer
}

// readPrelude reads the reply's prelude; API Gateway finds none in a
// buffered proxy response, and answers 504 when the integration timeout
// passes before it.
func (s *streamReply) readPrelude(ctx context.Context) (*Prelude, integrationFailure, bool) {
	if ct := s.inv.Response.ContentType; ct != runtimeapi.StreamingContentType {
		s.g.logFunction(s.route, s.tag, "the function answered %q, not a streamed response; API Gateway answers 502", ct)
		return nil, functionFailed, false
	}
	prelude, err := ReadPrelude(s.br)
	if err == nil {
		return prelude, 0, true
	}
	f := functionFailed
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		f = timedOut
	case s.inv.Err() != nil:
		err = s.inv.Err()
	}
	s.g.logFunction(s.route, s.tag, "%v", err)
	return nil, f, false
}

// armTimers starts API Gateway's idle timeout and the 15-minute bound
// (or the integration timeout, when shorter) on the stream; each cuts it
// by closing the function's body. stop stops both.
func (s *streamReply) armTimers() (stop func()) {
	route, w, body := s.route, s.w, s.inv.Response.Body
	s.idle = s.g.idle
	if s.idle == 0 {
		s.idle = IdleTimeout(route.API.EndpointType)
	}
	total := min(time.Duration(route.TimeoutMillis)*time.Millisecond, MaxStreamDuration)
	s.idleTimer = time.AfterFunc(s.idle, func() {
		s.g.logFunction(route, s.tag, "nothing sent for %v: API Gateway's idle timeout for %s cuts the stream", s.idle, route.API.EndpointType)
		w.ended(fmt.Sprintf("cut: idle timeout (%v)", s.idle))
		body.Close()
	})
	totalTimer := time.AfterFunc(total, func() {
		s.g.logFunction(route, s.tag, "the stream reached %v: cut", total)
		w.ended(fmt.Sprintf("cut: %v in all", total))
		body.Close()
	})
	return func() { s.idleTimer.Stop(); totalTimer.Stop() }
}

// forward copies the chunks to the client until the function's stream
// ends.
func (s *streamReply) forward() {
	bp := streamBuffers.Get().(*[]byte)
	defer streamBuffers.Put(bp)
	buf := *bp
	capper := &streamCap{uncapped: LambdaUncapped, off: s.g.fast}
	for {
		n, err := s.br.Read(buf)
		if n > 0 && !s.send(buf[:n], capper) {
			return
		}
		if err != nil {
			s.end(err)
			return
		}
	}
}

// send writes one chunk at Lambda's rate, and flushes it when nothing
// more is waiting: a fast function's chunks go to the client in one write
// and flush, a slow one's each at once. false: the client went away
// (closing the body then stops the producer). Past Lambda's 200 MB the
// stream is cut.
func (s *streamReply) send(chunk []byte, capper *streamCap) bool {
	if capper.sent+int64(len(chunk)) > MaxStreamedResponse {
		s.g.logFunction(s.route, s.tag, "the stream passed Lambda's 200 MB streamed response limit: cut")
		s.w.ended("cut: Lambda's 200 MB limit")
		s.w.Write(chunk[:MaxStreamedResponse-capper.sent])
		panic(http.ErrAbortHandler)
	}
	capper.wait(len(chunk))
	s.idleTimer.Reset(s.idle)
	if _, err := s.w.Write(chunk); err != nil {
		s.w.ended("client went away")
		return false
	}
	if s.flusher != nil && (s.pending == nil || s.br.Buffered() == 0 && !s.pending.Pending()) {
		s.flusher.Flush()
	}
	return true
}

// end ends the reply when the function's stream ends: complete, or cut
// when the function failed midway (its error trailers, a crash, its
// timeout). Status and headers are gone by then: all API Gateway can do is
// cut the connection, and the client sees a stream that ends too early.
func (s *streamReply) end(err error) {
	typ, errBody := s.inv.Response.Trailers()
	if err == io.EOF && typ == "" && s.inv.Err() == nil {
		s.w.ended("complete")
		return
	}
	cause := err
	if typ != "" {
		decoded, _ := base64.StdEncoding.DecodeString(errBody)
		cause = fmt.Errorf("%s: %s", typ, decoded)
	} else if e := s.inv.Err(); e != nil {
		cause = e
	}
	s.g.logFunction(s.route, s.tag, "stream failed midway: %v", cause)
	if typ != "" {
		s.w.ended("cut: the function's error trailers: " + typ)
	} else {
		s.w.ended(fmt.Sprintf("cut: %v", cause))
	}
	panic(http.ErrAbortHandler)
}

// streamCap holds a stream to StreamRate once its uncapped start is sent.
type streamCap struct {
	uncapped int64
	off      bool
	sent     int64
	since    time.Time // when the cap began
}

// wait sleeps until n more bytes may leave, and counts them.
func (c *streamCap) wait(n int) {
	c.sent += int64(n)
	if c.off || c.sent <= c.uncapped {
		return
	}
	if c.since.IsZero() {
		c.since = time.Now()
	}
	due := c.since.Add(time.Duration(float64(c.sent-c.uncapped) / StreamRate * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		time.Sleep(d)
	}
}
