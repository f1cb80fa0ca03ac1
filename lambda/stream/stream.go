// Package stream writes API Gateway REST API streaming responses from Go
// Lambda handlers: newline-delimited JSON, server-sent events or raw bytes,
// in bounded memory, for up to the 15 minutes a stream may last.
//
// A handler returns the response at once; a producer goroutine writes the
// records while API Gateway forwards them to the client:
//
//	func handle(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
//		return stream.NDJSON(ctx, nil, func(ctx context.Context, w *stream.NDJSONWriter) error {
//			for i := 0; i < 1000; i++ {
//				if err := w.Encode(map[string]int{"n": i}); err != nil {
//					return err // the client went away or the invoke deadline is near
//				}
//			}
//			return nil
//		}), nil
//	}
//
// What the library guarantees, whatever the producer does:
//
//   - The response always starts with a metadata prelude that has a status
//     code (200 unless Options.StatusCode says otherwise) and a Content-Type,
//     followed by the 8 NUL bytes API Gateway waits for.
//   - Memory stays bounded: records pass through one buffer of
//     Options.BufferSize bytes and a queue of at most four 32 KiB chunks, so a
//     producer that writes 1 GB is paced by the reader instead of growing
//     the heap.
//   - When the runtime closes the response (the Runtime API stopped reading
//     or refused the stream; Lambda does not tell a function that the
//     client left, so on AWS a producer may run on after the client goes,
//     until it ends or the deadline) or Options.DeadlineMargin before the
//     invoke deadline, the producer's context is cancelled and its writes fail,
//     so it stops producing.
//   - The stream ends with an in-band record: "done" after a clean finish, or
//     "error" naming what went wrong (DeadlineExceeded, ProducerError, Panic).
//     Abnormal ends also fail the body read, which aws-lambda-go turns into the
//     Lambda-Runtime-Function-Error-* trailers.
//   - A panic in the producer is recovered: it becomes an error record and a
//     trailer, never a crashed process (which would cost a cold start).
package stream

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Delimiter separates the JSON metadata prelude from the body of a streamed
// API Gateway response: eight NUL bytes.
const Delimiter = "\x00\x00\x00\x00\x00\x00\x00\x00"

// ContentType is the content type the Lambda runtime sends a streamed
// API Gateway response with (events.APIGatewayProxyStreamingResponse reports it).
const ContentType = "application/vnd.awslambda.http-integration-response"

// Defaults applied to a zero Options.
const (
	// DefaultBufferSize is the write buffer in front of the pipe to the runtime.
	DefaultBufferSize = 32 << 10
	// DefaultFlushInterval is the longest a record waits to be coalesced
	// with the next ones: below what a person or a browser notices, and long
	// enough that a fast producer pays for one pipe write per batch instead
	// of one per record (make bench: throughput and latency side by side).
	DefaultFlushInterval = 2 * time.Millisecond
	// DefaultHeartbeatInterval is how long an SSE stream may stay silent before
	// a comment line is sent. It is below the 15 s that proxies and API
	// Gateway's EDGE endpoints (30 s idle timeout) need.
	DefaultHeartbeatInterval = 10 * time.Second
	// DefaultDeadlineMargin is how long before the invoke deadline the producer
	// is stopped, leaving time to write the final record.
	DefaultDeadlineMargin = time.Second
)

// Errors a producer's writes return once the stream can no longer take records.
// Producers should return them (or any error wrapping them) unchanged.
var (
	// ErrClientClosed means the runtime closed the response body: the Runtime
	// API stopped reading (the local runner does so when the client leaves;
	// Lambda gives no such signal).
	ErrClientClosed = errors.New("stream: response closed by the reader")
	// ErrDeadline means the invoke deadline is less than Options.DeadlineMargin away.
	ErrDeadline = errors.New("stream: invoke deadline is near")
	// ErrFinished means the producer wrote after it returned.
	ErrFinished = errors.New("stream: write after the producer returned")
)

// PanicError is the error a stream ends with when its producer panicked.
type PanicError struct {
	Value any    // what the producer panicked with
	Stack []byte // the producer goroutine's stack at the panic
}

// Error says the producer panicked, and with what.
func (e *PanicError) Error() string { return fmt.Sprintf("stream producer panicked: %v", e.Value) }

// Error codes of the in-band error record.
const (
	CodeDeadlineExceeded = "DeadlineExceeded"
	CodeProducerError    = "ProducerError"
	CodePanic            = "Panic"
	CodeCanceled         = "Canceled"
)

// Clock is the time source of a stream; tests inject a fake one to check
// heartbeat timing without sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options configure a stream. The zero value (or nil) is a 200 response,
// flushed after every record, with the defaults above.
type Options struct {
	// StatusCode of the response. Default: 200.
	StatusCode int
	// Headers of the response, merged over the format's defaults
	// (Content-Type, Cache-Control: no-cache, X-Content-Type-Options: nosniff).
	Headers map[string]string
	// MultiValueHeaders for headers that repeat. Default: none.
	MultiValueHeaders map[string][]string
	// Cookies to set (Set-Cookie values). Default: none.
	Cookies []string
	// FlushEvery is the most records written per flush: 1 sends each record
	// as soon as it is written, larger values batch. Flush forces one.
	// Default: 0, no count: records are coalesced for at most FlushInterval,
	// and the first record of the stream is sent at once.
	FlushEvery int
	// FlushInterval is the longest a written record waits in the buffer: a
	// record is sent when its batch is full (FlushEvery, or the buffer) or
	// when the oldest unsent record is this old, never later, whatever the
	// producer does next. Negative: no time bound (FlushEvery and Flush
	// only). Default: DefaultFlushInterval (2 ms).
	FlushInterval time.Duration
	// BufferSize is the write buffer in bytes; a batch larger than it is
	// written through early. Default: DefaultBufferSize (32 KiB).
	BufferSize int
	// HeartbeatInterval is the longest silence on an SSE stream before a
	// comment line (":") is sent. Negative disables heartbeats. Ignored by
	// NDJSON and Raw streams. Default: DefaultHeartbeatInterval (10 s).
	HeartbeatInterval time.Duration
	// DeadlineMargin stops the producer this long before the invoke deadline
	// so that the final record still reaches the client. Default:
	// DefaultDeadlineMargin (1 s).
	DeadlineMargin time.Duration
	// DisableDoneRecord leaves out the final "done" record of a clean stream.
	// Default: false (the record is written).
	DisableDoneRecord bool
	// Encodings are the content encodings the stream may compress with, in
	// order of preference (stream.Brotli, stream.Gzip; other names are
	// ignored), chosen by AcceptEncoding. The prelude then carries
	// Content-Encoding and Vary: Accept-Encoding, and every flush also
	// flushes the compressor, so records still arrive one by one and decode
	// as they arrive (API Gateway cannot compress a stream itself). A
	// response without a body (204, 304, to HEAD) or of a range (206,
	// Content-Range) is never compressed. Default: none (identity).
	Encodings []string
	// AcceptEncoding is the request's Accept-Encoding header
	// (stream.AcceptEncoding(req.Headers)). Default: the request's, when
	// the handler runs under Wrap; else "" (no compression).
	AcceptEncoding string
	// Clock is the time source for heartbeats. Default: the system clock.
	Clock Clock
	// Logf receives producer panics with their stack. Default: log.Printf,
	// which the Lambda runtime sends to CloudWatch Logs.
	Logf func(format string, args ...any)
}

func (o *Options) withDefaults() Options {
	var p Options
	if o != nil {
		p = *o
	}
	if p.StatusCode == 0 {
		p.StatusCode = 200
	}
	if p.FlushEvery < 0 {
		p.FlushEvery = 0
	}
	if p.FlushInterval == 0 {
		p.FlushInterval = DefaultFlushInterval
	}
	if p.BufferSize <= 0 {
		p.BufferSize = DefaultBufferSize
	}
	if p.HeartbeatInterval == 0 {
		p.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if p.DeadlineMargin <= 0 {
		p.DeadlineMargin = DefaultDeadlineMargin
	}
	if p.Clock == nil {
		p.Clock = realClock{}
	}
	if p.Logf == nil {
		p.Logf = log.Printf
	}
	return p
}

// format is what differs between NDJSON, SSE and raw streams.
type format struct {
	bare        bool // the prelude is the caller's headers, no defaults (Respond)
	contentType string
	heartbeat   []byte                                       // nil: no heartbeats
	done        func(records int64) []byte                   // nil: no final record
	fail        func(code, msg string, records int64) []byte // nil: no in-band errors
}

// Stream is the body of a streamed response: the read side of a pipe that a
// producer goroutine writes into. The runtime reads it and closes it when the
// invocation ends. Stream is exposed so that tests and local runners can wait
// for the producer (Done) and see how it ended (Err).
type Stream struct {
	opts   Options
	format format

	pipe *chunkPipe

	ctx     context.Context // the producer's: cancelled on close or near the deadline
	ctxDone <-chan struct{} // ctx.Done(), read once: a record checks it without a lock
	cancel  context.CancelCauseFunc
	stopDL  context.CancelFunc

	mu        sync.Mutex // guards everything below, and writes to bw
	bw        *bufio.Writer
	cw        compressor    // between bw and the pipe when the body is compressed
	scratch   bytes.Buffer  // record encoding buffer, reused
	enc       *json.Encoder // appends to scratch
	records   int64
	unflushed int
	lastWrite time.Time
	finished  bool
	err       error

	kick chan struct{} // a batch started: the flusher times it
	done chan struct{}
}

// compressible says whether a response may be compressed: not one without
// a body (204, 304, a HEAD request's), and not a range (206, or a
// Content-Range header), whose offsets count the unencoded bytes
// (https://www.rfc-editor.org/rfc/rfc9110#section-14.4).
func compressible(ctx context.Context, status int, headers map[string]string) bool {
	if status == 204 || status == 304 || status == 206 {
		return false
	}
	if _, ranged := Header(headers, "Content-Range"); ranged {
		return false
	}
	req, ok := Request(ctx)
	return !ok || req.HTTPMethod != "HEAD"
}

func start(ctx context.Context, opts *Options, f format, produce func(ctx context.Context, s *Stream) error) *events.APIGatewayProxyStreamingResponse {
	o := opts.withDefaults()
	pw := newChunkPipe()
	s := &Stream{opts: o, format: f, pipe: pw, done: make(chan struct{}), kick: make(chan struct{}, 1)}
	headers := mergeHeaders(f.contentType, o.Headers)
	if f.bare {
		headers = maps.Clone(o.Headers)
		if headers == nil {
			headers = map[string]string{}
		}
	}
	var out io.Writer = pw
	_, encoded := Header(headers, "Content-Encoding") // already encoded: never twice
	if offered := validEncodings(o.Encodings, o.Logf); len(offered) > 0 && !encoded {
		varyAcceptEncoding(headers) // also on a 304, as the 200 had it
		accept := o.AcceptEncoding
		if req, ok := Request(ctx); ok && accept == "" {
			accept = AcceptEncoding(req.Headers)
		}
		if enc := negotiate(offered, accept); enc != "" && compressible(ctx, o.StatusCode, headers) {
			headers["Content-Encoding"] = enc
			for k := range headers {
				if strings.EqualFold(k, "Content-Length") { // the length of the bytes before encoding
					delete(headers, k)
				}
			}
			s.cw = newCompressor(enc, pw)
			out = s.cw
		}
	}
	s.bw = bufio.NewWriterSize(out, o.BufferSize)
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	s.stopDL = func() {}
	if dl, ok := ctx.Deadline(); ok {
		s.ctx, s.stopDL = context.WithDeadlineCause(s.ctx, dl.Add(-o.DeadlineMargin), ErrDeadline)
	}
	s.ctxDone = s.ctx.Done()
	s.lastWrite = o.Clock.Now()

	go s.run(produce)
	if o.FlushInterval > 0 && o.FlushEvery != 1 {
		go s.flusher()
	}
	if f.heartbeat != nil && o.HeartbeatInterval > 0 {
		go s.heartbeat()
	}
	return &events.APIGatewayProxyStreamingResponse{
		StatusCode:        o.StatusCode,
		Headers:           headers,
		MultiValueHeaders: o.MultiValueHeaders,
		Cookies:           o.Cookies,
		Body:              s,
	}
}

func mergeHeaders(contentType string, user map[string]string) map[string]string {
	h := map[string]string{
		"Content-Type":           contentType,
		"Cache-Control":          "no-cache",
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range user {
		// Header names are case-insensitive: a user "content-type" replaces ours.
		for d := range h {
			if strings.EqualFold(d, k) {
				delete(h, d)
			}
		}
		h[k] = v
	}
	return h
}

// Read reads the streamed body. A stream that ended abnormally returns its
// error after the final record, which aws-lambda-go reports as trailers.
func (s *Stream) Read(p []byte) (int, error) { return s.pipe.Read(p) }

// Close closes the read side: the producer's context is cancelled and its
// next write fails with ErrClientClosed. The runtime calls it when the
// invocation ends. Close does not wait for the producer; see Done.
func (s *Stream) Close() error {
	s.cancel(ErrClientClosed)
	s.pipe.closeRead(ErrClientClosed)
	return nil
}

// Done is closed once the producer has returned and the stream is finished.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Err is how the stream ended, once Done is closed: nil after a clean finish,
// ErrClientClosed, ErrDeadline, a *PanicError or the producer's error.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Records is the number of records written so far.
func (s *Stream) Records() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records
}

func (s *Stream) run(produce func(ctx context.Context, s *Stream) error) {
	defer close(s.done)
	defer s.stopDL()
	// At the deadline margin the stream ends with its error record even if
	// the producer does not return (a call that ignores its context): the
	// invocation would be stopped before the producer ends it.
	producing := make(chan struct{})
	defer close(producing)
	go func() {
		select {
		case <-s.ctxDone:
			if errors.Is(context.Cause(s.ctx), ErrDeadline) {
				s.finish(nil)
			}
		case <-producing:
		}
	}()
	var perr error
	func() {
		defer func() {
			if v := recover(); v != nil {
				perr = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		perr = produce(s.ctx, s)
	}()
	s.finish(perr)
}

// finish writes the final record and closes the pipe, with an error when the
// stream did not end cleanly. It runs once: at the deadline margin, or when
// the producer returns.
func (s *Stream) finish(perr error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var panicked *PanicError
	if s.finished {
		if errors.As(perr, &panicked) { // after the margin ended the stream
			s.opts.Logf("stream: %v\n%s", panicked.Value, panicked.Stack)
		}
		return
	}
	s.finished = true
	cause := context.Cause(s.ctx)
	var code string
	switch {
	case errors.Is(cause, ErrClientClosed) || errors.Is(perr, ErrClientClosed):
		s.err = ErrClientClosed // nobody is reading: nothing to write
	case errors.As(perr, &panicked):
		s.opts.Logf("stream: %v\n%s", panicked.Value, panicked.Stack)
		s.err, code = perr, CodePanic
	case errors.Is(cause, ErrDeadline) || errors.Is(perr, ErrDeadline):
		s.err, code = ErrDeadline, CodeDeadlineExceeded
	case cause != nil:
		s.err, code = cause, CodeCanceled // the handler's own context was cancelled
	case perr != nil:
		s.err, code = perr, CodeProducerError
	}
	if s.err == ErrClientClosed {
		s.pipe.closeWrite(ErrClientClosed)
		return
	}
	var last []byte
	switch {
	case code != "" && s.format.fail != nil:
		last = s.format.fail(code, s.err.Error(), s.records)
	case code == "" && s.format.done != nil && !s.opts.DisableDoneRecord:
		last = s.format.done(s.records)
	}
	if last != nil {
		_, _ = s.bw.Write(last)
	}
	if err := s.bw.Flush(); err != nil && s.err == nil {
		s.err = err
	}
	if s.cw != nil {
		if err := s.cw.Close(); err != nil && s.err == nil { // the encoding's trailer
			s.err = err
		}
	}
	s.cancel(ErrFinished)
	if s.err != nil {
		s.pipe.closeWrite(s.err)
		return
	}
	s.pipe.closeWrite(nil)
}

// encoder returns the stream's JSON encoder, which appends to scratch: a
// record is built in one buffer and copied once, into the write buffer.
// Callers hold mu.
func (s *Stream) encoder() *json.Encoder {
	if s.enc == nil {
		s.enc = json.NewEncoder(&s.scratch)
		s.enc.SetEscapeHTML(false)
	}
	return s.enc
}

// usable reports why the stream cannot take a record, or nil. Callers hold
// mu. It runs for every record: a receive from the closed-or-not Done
// channel, not context.Cause's lock, unless the stream is over.
func (s *Stream) usable() error {
	if s.finished {
		if s.err == ErrDeadline { // ended at the margin while the producer ran
			return ErrDeadline
		}
		return ErrFinished
	}
	select {
	case <-s.ctxDone:
		return context.Cause(s.ctx)
	default:
		return nil
	}
}

// writeLocked writes one record (or a heartbeat, which does not count) and
// flushes per the batch size. Callers hold mu.
func (s *Stream) writeLocked(b []byte, record bool) error {
	if err := s.usable(); err != nil {
		return err
	}
	if _, err := s.bw.Write(b); err != nil {
		return s.failLocked(err)
	}
	if !record {
		return s.flushLocked()
	}
	s.records++
	s.unflushed++
	switch {
	case s.opts.FlushEvery > 0 && s.unflushed >= s.opts.FlushEvery:
		return s.flushLocked()
	case s.opts.FlushEvery == 0 && s.records == 1:
		return s.flushLocked() // the first record at once: time to first byte
	case s.unflushed == 1 && s.opts.FlushInterval > 0:
		select {
		case s.kick <- struct{}{}: // the flusher sends this batch within FlushInterval
		default: // a kick is pending: the flusher will come by sooner still
		}
	}
	return nil
}

// flusher sends each batch at most FlushInterval after its first record.
func (s *Stream) flusher() {
	for {
		select {
		case <-s.kick:
		case <-s.done:
			return
		}
		select {
		case <-s.opts.Clock.After(s.opts.FlushInterval):
		case <-s.done:
			return
		}
		s.mu.Lock()
		if s.unflushed > 0 && s.usable() == nil {
			_ = s.flushLocked() // a failure is the producer's to see on its next write
		}
		s.mu.Unlock()
	}
}

// flushLocked sends what is buffered. The clock is read here, once per
// batch, not per record: the heartbeat measures the silence the client
// sees, and a clock read costs 20 to 100+ ns depending on the machine's
// clock source, as much as the rest of a record's overhead.
func (s *Stream) flushLocked() error {
	s.unflushed = 0
	s.lastWrite = s.opts.Clock.Now()
	if err := s.bw.Flush(); err != nil {
		return s.failLocked(err)
	}
	if s.cw != nil {
		if err := s.cw.Flush(); err != nil {
			return s.failLocked(err)
		}
	}
	return nil
}

// failLocked turns a pipe error into the stream's cause; a closed pipe means
// the reader went away.
func (s *Stream) failLocked(err error) error {
	if errors.Is(err, io.ErrClosedPipe) || errors.Is(err, ErrClientClosed) {
		err = ErrClientClosed
	}
	s.cancel(err)
	return err
}

// Flush sends the records written so far, whatever the batch size.
func (s *Stream) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	return s.flushLocked()
}

func (s *Stream) heartbeat() {
	interval := s.opts.HeartbeatInterval
	for {
		s.mu.Lock()
		if s.finished {
			s.mu.Unlock()
			return
		}
		wait := s.lastWrite.Add(interval).Sub(s.opts.Clock.Now())
		if wait <= 0 {
			if err := s.writeLocked(s.format.heartbeat, false); err != nil {
				s.mu.Unlock()
				return
			}
			wait = interval
		}
		s.mu.Unlock()
		select {
		case <-s.opts.Clock.After(wait):
		case <-s.done:
			return
		}
	}
}

// Writer is the body writer of Respond's producer: Write buffers and sends
// as Raw's writer does (each write counts as a record for FlushEvery and
// FlushInterval), Flush sends what is buffered now.
type Writer interface {
	io.Writer
	Flush() error
}

// Respond streams a response whose prelude is exactly opts' StatusCode,
// Headers, MultiValueHeaders and Cookies, without the defaults the formats
// add (Content-Type, Cache-Control, X-Content-Type-Options): for adapters
// whose handler chose the headers, such as lambda/httpstream. The body gets
// everything else Raw's does: bounded buffering, the flush interval,
// compression (Options.Encodings; never when the headers already have
// Content-Encoding, and Content-Length is dropped when the body is
// compressed), the deadline margin, and ErrClientClosed once the reader
// goes away. It has no in-band records: an abnormal end cuts the stream.
func Respond(ctx context.Context, opts *Options, produce func(ctx context.Context, w Writer) error) *events.APIGatewayProxyStreamingResponse {
	return start(ctx, opts, format{bare: true}, func(ctx context.Context, s *Stream) error {
		return produce(ctx, rawWriter{s})
	})
}

// Raw streams bytes with the given content type: exports, media, CSV. It has
// no in-band records; an abnormal end cuts the stream and sets the trailers.
// Each Write is flushed unless Options.FlushEvery batches writes.
func Raw(ctx context.Context, contentType string, opts *Options, produce func(ctx context.Context, w io.Writer) error) *events.APIGatewayProxyStreamingResponse {
	return start(ctx, opts, format{contentType: contentType}, func(ctx context.Context, s *Stream) error {
		return produce(ctx, rawWriter{s})
	})
}

type rawWriter struct{ s *Stream }

// Flush sends what is buffered now (see Stream.Flush).
func (w rawWriter) Flush() error { return w.s.Flush() }

func (w rawWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	if err := w.s.writeLocked(p, true); err != nil {
		return 0, err
	}
	return len(p), nil
}
