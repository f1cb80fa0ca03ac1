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
func (g *gateway) stream(w *statusRecorder, r *http.Request, route *loader.Route, tag string, inv *pool.Invocation, ctx context.Context) {
	body := inv.Response.Body
	defer body.Close()
	// Until the prelude arrives, the integration timeout applies; after it,
	// the idle timeout between chunks and 15 minutes in all.
	preludeCh := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			body.Close()
		case <-preludeCh:
		}
	}()
	br := streamReaders.Get().(*bufio.Reader)
	br.Reset(body)
	defer func() { br.Reset(nil); streamReaders.Put(br) }()
	if inv.Response.ContentType != runtimeapi.StreamingContentType {
		// A buffered proxy response on a streaming route: API Gateway
		// finds no prelude in it.
		fmt.Fprintf(g.logs, "%s [%s] the function answered %q, not a streamed response; API Gateway answers 502\n", route.Function.LogicalID, tag, inv.Response.ContentType)
		g.fail(w, r, 502, "Internal server error")
		return
	}
	prelude, err := ReadPrelude(br)
	close(preludeCh)
	if err != nil {
		status := 502
		switch {
		case ctx.Err() == context.DeadlineExceeded:
			status = 504
		case inv.Err() != nil:
			err = inv.Err()
		}
		fmt.Fprintf(g.logs, "%s [%s] %v\n", route.Function.LogicalID, tag, err)
		if status == 504 {
			g.fail(w, r, 504, "Endpoint request timed out")
		} else {
			g.fail(w, r, 502, "Internal server error")
		}
		return
	}
	writeHeaders(w, prelude.Headers, prelude.MultiValueHeaders, prelude.Cookies)
	w.WriteHeader(prelude.StatusCode)
	flusher, _ := w.ResponseWriter.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	idle := g.idle
	if idle == 0 {
		idle = IdleTimeout(route.API.EndpointType)
	}
	total := min(time.Duration(route.TimeoutMillis)*time.Millisecond, MaxStreamDuration)
	idleTimer := time.AfterFunc(idle, func() {
		fmt.Fprintf(g.logs, "%s [%s] nothing sent for %v: API Gateway's idle timeout for %s cuts the stream\n", route.Function.LogicalID, tag, idle, route.API.EndpointType)
		w.ended(fmt.Sprintf("cut: idle timeout (%v)", idle))
		body.Close()
	})
	defer idleTimer.Stop()
	totalTimer := time.AfterFunc(total, func() {
		fmt.Fprintf(g.logs, "%s [%s] the stream reached %v: cut\n", route.Function.LogicalID, tag, total)
		w.ended(fmt.Sprintf("cut: %v in all", total))
		body.Close()
	})
	defer totalTimer.Stop()
	// Flush when nothing more is waiting: a fast function's chunks go to
	// the client in one write and flush, a slow one's each at once.
	pending, _ := body.(interface{ Pending() bool })
	bp := streamBuffers.Get().(*[]byte)
	defer streamBuffers.Put(bp)
	buf := *bp
	capper := &streamCap{uncapped: LambdaUncapped, off: g.fast}
	for {
		n, err := br.Read(buf)
		if n > 0 {
			if capper.sent+int64(n) > MaxStreamedResponse {
				// Lambda ends a streamed response at 200 MB: the client sees
				// the stream cut.
				fmt.Fprintf(g.logs, "%s [%s] the stream passed Lambda's 200 MB streamed response limit: cut\n", route.Function.LogicalID, tag)
				w.ended("cut: Lambda's 200 MB limit")
				w.Write(buf[:MaxStreamedResponse-capper.sent])
				panic(http.ErrAbortHandler)
			}
			capper.wait(n)
			idleTimer.Reset(idle)
			if _, werr := w.Write(buf[:n]); werr != nil {
				w.ended("client went away")
				return // the client went away: closing the body stops the producer
			}
			if flusher != nil && (pending == nil || br.Buffered() == 0 && !pending.Pending()) {
				flusher.Flush()
			}
		}
		if err != nil {
			typ, errBody := inv.Response.Trailers()
			if err == io.EOF && typ == "" && inv.Err() == nil {
				w.ended("complete")
				return
			}
			cause := err
			if typ != "" {
				decoded, _ := base64.StdEncoding.DecodeString(errBody)
				cause = fmt.Errorf("%s: %s", typ, decoded)
			} else if e := inv.Err(); e != nil {
				cause = e
			}
			// Status and headers are gone: all API Gateway can do is cut the
			// connection, and the client sees a stream that ends too early.
			fmt.Fprintf(g.logs, "%s [%s] stream failed midway: %v\n", route.Function.LogicalID, tag, cause)
			if typ != "" {
				w.ended("cut: the function's error trailers: " + typ)
			} else {
				w.ended(fmt.Sprintf("cut: %v", cause))
			}
			panic(http.ErrAbortHandler)
		}
	}
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
