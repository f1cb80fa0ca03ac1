// Package runtimeapi is a Lambda Runtime API server for one function
// process on 127.0.0.1: it hands invocations to the runtime client inside the
// process (aws-lambda-go's, or any other) and passes back what the function
// answers, streamed responses included, as they arrive.
//
// It implements the endpoints a runtime uses:
//
//	GET  /2018-06-01/runtime/invocation/next
//	POST /2018-06-01/runtime/invocation/{id}/response   (buffered or streamed, with error trailers)
//	POST /2018-06-01/runtime/invocation/{id}/error
//	POST /2018-06-01/runtime/init/error
//
// The server never imports the CDK; tests and the local runner share it.
package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Header and trailer names of the Runtime API.
const (
	HeaderRequestID   = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs  = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionArn = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID     = "Lambda-Runtime-Trace-Id"
	TrailerErrorType  = "Lambda-Runtime-Function-Error-Type"
	TrailerErrorBody  = "Lambda-Runtime-Function-Error-Body"
	// StreamingContentType is what aws-lambda-go sends a streamed API
	// Gateway response with.
	StreamingContentType = "application/vnd.awslambda.http-integration-response"
)

const prefix = "/2018-06-01/runtime/"

// Invocation is one event for the function.
type Invocation struct {
	RequestID   string
	Payload     []byte
	Deadline    time.Time
	FunctionArn string
	TraceID     string
}

// Response is the function's answer. Body yields the bytes as the function
// sends them; after it returns io.EOF, ErrorType and ErrorBody hold the
// error trailers of a stream that failed midway.
type Response struct {
	// ContentType of the response: StreamingContentType for a streamed API
	// Gateway response, application/json for a buffered one.
	ContentType string
	// Body of the response, streamed.
	Body io.ReadCloser
	// FunctionError is set when the function reported an error instead of a
	// response (POST .../error): Body then holds the error document.
	FunctionError bool

	trailer http.Header
	done    chan struct{}
}

// Trailers waits for the end of the body and returns the error trailers of
// a stream that failed midway (both empty otherwise).
func (r *Response) Trailers() (errorType, errorBody string) {
	<-r.done
	if r.trailer == nil {
		return "", ""
	}
	return r.trailer.Get(TrailerErrorType), r.trailer.Get(TrailerErrorBody)
}

// ErrInitFailed is returned by Invoke when the function reported an init error.
var ErrInitFailed = errors.New("runtimeapi: function init failed")

type pending struct {
	inv  Invocation
	resp chan *Response
}

// Server serves the Runtime API to one function process.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	next chan *pending

	mu       sync.Mutex
	inflight map[string]*pending
	initErr  string
	closed   chan struct{}
}

// Start listens on 127.0.0.1 on a free port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, next: make(chan *pending), inflight: map[string]*pending{}, closed: make(chan struct{})}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is host:port, the value of AWS_LAMBDA_RUNTIME_API for the process.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close() error {
	close(s.closed)
	return s.srv.Close()
}

// InitError is the init error the function reported, if any.
func (s *Server) InitError() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr
}

// Invoke hands inv to the function when it next asks, and returns as soon
// as the function starts answering. ctx bounds the wait for the answer to
// start, not the body.
func (s *Server) Invoke(ctx context.Context, inv Invocation) (*Response, error) {
	p := &pending{inv: inv, resp: make(chan *Response, 1)}
	select {
	case s.next <- p:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closed:
		return nil, errors.New("runtimeapi: server closed")
	}
	select {
	case r := <-p.resp:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closed:
		return nil, errors.New("runtimeapi: server closed")
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		s.serveNext(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.initErr = string(b)
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		parts := strings.Split(strings.TrimPrefix(path, "invocation/"), "/")
		if len(parts) != 2 || (parts[1] != "response" && parts[1] != "error") {
			http.NotFound(w, r)
			return
		}
		s.serveResult(w, r, parts[0], parts[1] == "error")
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveNext(w http.ResponseWriter, r *http.Request) {
	var p *pending
	select {
	case p = <-s.next:
	case <-r.Context().Done():
		return
	case <-s.closed:
		return
	}
	s.mu.Lock()
	s.inflight[p.inv.RequestID] = p
	s.mu.Unlock()
	h := w.Header()
	h.Set(HeaderRequestID, p.inv.RequestID)
	h.Set(HeaderDeadlineMs, strconv.FormatInt(p.inv.Deadline.UnixMilli(), 10))
	arn := p.inv.FunctionArn
	if arn == "" {
		arn = "arn:aws:lambda:us-east-1:000000000000:function:local"
	}
	h.Set(HeaderFunctionArn, arn)
	if p.inv.TraceID != "" {
		h.Set(HeaderTraceID, p.inv.TraceID)
	}
	h.Set("Content-Type", "application/json")
	w.Write(p.inv.Payload)
}

// serveResult passes the function's answer to the waiting Invoke as it
// arrives; the POST ends when the body has been read to the end (or the
// reader closed it).
func (s *Server) serveResult(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	s.mu.Lock()
	p, ok := s.inflight[id]
	delete(s.inflight, id)
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errorMessage":"unknown request id %q","errorType":"InvalidRequestID"}`, id)
		return
	}
	pipe := newChunkPipe()
	resp := &Response{ContentType: r.Header.Get("Content-Type"), Body: pipe, FunctionError: isError, done: make(chan struct{})}
	p.resp <- resp
	// Copy chunk by chunk so that the reader sees each write of the function
	// as soon as it arrives.
	bp := chunkPool.Get().(*[]byte) // the read buffer, from the pipe's own pool
	defer chunkPool.Put(bp)
	buf := (*bp)[:cap(*bp)]
	var err error
	for {
		n, rerr := r.Body.Read(buf)
		if n > 0 {
			if werr := pipe.write(buf[:n]); werr != nil {
				// The reader went away. Answer now, before the body ends:
				// aws-lambda-go then closes the response, which stops the
				// producer, and the process stays warm for the next invoke.
				// (Lambda itself keeps reading: there the function is not told.)
				resp.trailer = http.Header{}
				close(resp.done)
				w.Header().Set("Connection", "close")
				w.WriteHeader(http.StatusAccepted)
				if f, ok := w.(http.Flusher); ok {
					f.Flush()
				}
				return
			}
		}
		if rerr != nil {
			if rerr != io.EOF {
				err = rerr
			}
			break
		}
	}
	resp.trailer = r.Trailer.Clone()
	close(resp.done)
	pipe.closeWrite(err)
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]string{"status": "OK"})
}
