package devserver

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// API Gateway hands a Lambda proxy integration the header names as the
// client wrote them ("tEsT-HEADeR" stays "tEsT-HEADeR"), where net/http
// canonicalises them before a handler sees the request. The runner therefore
// reads each request head a second time, from the bytes of the connection:
// rawHeadListener wraps every accepted connection so that what net/http reads
// also goes through a headParser, which frames the byte stream (request
// heads, then Content-Length or chunked bodies) and queues each head with its
// fields in order and in their own case. The gateway's handler takes the head
// of its request off the queue (see serve). net/http stays the authority on
// the request: a head the parser cannot frame, or that does not match the
// request net/http parsed, is simply not used, and the event falls back to
// net/http's canonical names.

// rawField is one header field as received: its name in the client's case,
// its value without the surrounding whitespace.
type rawField struct{ name, value string }

// rawHead is a request head as received.
type rawHead struct {
	method, target, proto string
	fields                []rawField
}

// Parser limits: a head may be as large as net/http accepts
// (http.DefaultMaxHeaderBytes, which the runner does not change) plus the
// slack net/http allows itself; a chunk-size or trailer line is short.
const (
	maxRawHead   = http.DefaultMaxHeaderBytes + 4096
	maxChunkLine = 4096
	maxQueued    = 64 // heads parsed ahead of their handler (pipelining)
)

type parseState int

const (
	stHead      parseState = iota // reading a request head
	stBody                        // skipping remain bytes of a Content-Length body
	stChunkSize                   // reading a chunk-size line
	stChunkData                   // skipping remain bytes of chunk data, then its CRLF
	stChunkCRLF                   // reading the CRLF after chunk data
	stTrailer                     // reading trailer lines until an empty one
	stBroken                      // lost the framing: nothing more is parsed
)

// headParser frames an HTTP/1.x request stream and keeps the heads it finds.
// It only buffers heads and short framing lines; body bytes are counted, not
// kept. It is safe for concurrent use (net/http reads ahead in a goroutine of
// its own while a handler runs).
type headParser struct {
	mu     sync.Mutex
	state  parseState
	buf    []byte // the unparsed part of a head or framing line
	remain int64  // body or chunk bytes still to skip
	heads  []rawHead
}

// feed parses b, the next bytes read from the connection.
func (p *headParser) feed(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(b) > 0 && p.state != stBroken {
		more := true
		switch p.state {
		case stBody, stChunkData:
			b = p.skip(b)
		case stHead:
			b, more = p.feedHead(b)
		default:
			b, more = p.feedLine(b)
		}
		if !more {
			return
		}
	}
}

// skip passes over the bytes of a body or chunk, and returns the rest.
func (p *headParser) skip(b []byte) []byte {
	n := min(int64(len(b)), p.remain)
	p.remain -= n
	if p.remain == 0 {
		if p.state == stBody {
			p.state = stHead
		} else {
			p.state = stChunkCRLF
		}
	}
	return b[n:]
}

// feedHead adds b to the head being read; once it ends, the head is
// complete and the bytes after it are returned. more is false when b is
// all used (or the head is over maxRawHead: broken).
func (p *headParser) feedHead(b []byte) (rest []byte, more bool) {
	if len(p.buf) == 0 {
		// Empty lines before a request line are ignored (RFC 9112
		// section 2.2).
		b = bytes.TrimLeft(b, "\r\n")
		if len(b) == 0 {
			return nil, false
		}
	}
	from := max(len(p.buf)-2, 0)
	p.buf = append(p.buf, b...)
	end := headEnd(p.buf, from)
	if end < 0 || end > maxRawHead {
		if end > maxRawHead || len(p.buf) > maxRawHead {
			p.broken()
		}
		return nil, false
	}
	rest = append([]byte(nil), p.buf[end:]...)
	p.buf = p.buf[:end]
	p.complete()
	if p.buf != nil {
		p.buf = p.buf[:0]
	}
	return rest, true
}

// feedLine adds b to a chunked body's line (a chunk size, the CRLF after
// a chunk, a trailer), and completes it at its end. more is false when b
// is all used (or the line is over maxChunkLine: broken).
func (p *headParser) feedLine(b []byte) (rest []byte, more bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(p.buf)+len(b) > maxChunkLine {
			p.broken()
			return nil, false
		}
		p.buf = append(p.buf, b...)
		return nil, false
	}
	if len(p.buf)+i+1 > maxChunkLine {
		p.broken()
		return nil, false
	}
	p.buf = append(p.buf, b[:i+1]...)
	p.complete()
	if p.buf != nil {
		p.buf = p.buf[:0]
	}
	return b[i+1:], true
}

// headEnd is the index just past the empty line that ends the head in b
// ("\n\n" or "\n\r\n", searched from index from on), or -1.
func headEnd(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 3
		}
	}
	return -1
}

func (p *headParser) broken() {
	p.state, p.buf, p.heads = stBroken, nil, nil
}

// complete handles a whole unit in p.buf.
func (p *headParser) complete() {
	var line string
	if p.state != stHead {
		line = strings.TrimRight(string(p.buf), "\r\n")
	}
	switch p.state {
	case stHead:
		h, ok := parseHead(p.buf)
		if !ok {
			p.broken()
			return
		}
		size, chunked, ok := bodyFraming(h)
		if !ok {
			p.broken()
			return
		}
		if len(p.heads) >= maxQueued {
			p.heads = p.heads[1:] // no handler took it: it will not match
		}
		p.heads = append(p.heads, h)
		switch {
		case chunked:
			p.state = stChunkSize
		case size > 0:
			p.state, p.remain = stBody, size
		}
	case stChunkSize:
		sz, _, _ := strings.Cut(line, ";") // chunk extensions
		n, err := strconv.ParseInt(strings.TrimSpace(sz), 16, 64)
		if err != nil || n < 0 {
			p.broken()
			return
		}
		if n == 0 {
			p.state = stTrailer
		} else {
			p.state, p.remain = stChunkData, n
		}
	case stChunkCRLF:
		if line != "" {
			p.broken()
			return
		}
		p.state = stChunkSize
	case stTrailer:
		if line == "" {
			p.state = stHead
		}
	}
}

// parseHead reads a request line and header fields. Lines may end in CRLF or
// a bare LF; a line that starts with a space or tab continues the previous
// field's value (obsolete line folding).
func parseHead(b []byte) (rawHead, bool) {
	lines := strings.Split(strings.TrimLeft(string(b), "\r\n"), "\n")
	var h rawHead
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if i == 0 {
			parts := strings.Split(l, " ")
			if len(parts) != 3 || parts[0] == "" || parts[1] == "" || !strings.HasPrefix(parts[2], "HTTP/") {
				return rawHead{}, false
			}
			h.method, h.target, h.proto = parts[0], parts[1], parts[2]
			continue
		}
		if l == "" {
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			if len(h.fields) == 0 {
				return rawHead{}, false
			}
			f := &h.fields[len(h.fields)-1]
			f.value = strings.TrimSpace(f.value + " " + strings.TrimSpace(l))
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return rawHead{}, false
		}
		h.fields = append(h.fields, rawField{name, strings.Trim(value, " \t")})
	}
	return h, h.method != ""
}

// bodyFraming is how the body of a request with head h is delimited
// (RFC 9112 section 6): chunked when the last transfer coding is chunked,
// else Content-Length bytes, else none. ok is false for framing net/http
// refuses too (an invalid or conflicting length, another transfer coding).
func bodyFraming(h rawHead) (size int64, chunked, ok bool) {
	size = -1
	for _, f := range h.fields {
		switch {
		case strings.EqualFold(f.name, "Transfer-Encoding"):
			codings := strings.Split(f.value, ",")
			if !strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked") {
				return 0, false, false
			}
			chunked = true
		case strings.EqualFold(f.name, "Content-Length"):
			n, err := strconv.ParseInt(strings.TrimSpace(f.value), 10, 64)
			if err != nil || n < 0 || size >= 0 && n != size {
				return 0, false, false
			}
			size = n
		}
	}
	if chunked {
		return 0, true, true
	}
	return max(size, 0), false, true
}

// take removes and returns the queued head of the request with this method
// and request-target (net/http's Request.RequestURI, as received). Heads of
// requests net/http answered without calling the handler (OPTIONS *, say)
// are dropped on the way.
func (p *headParser) take(method, target string) (rawHead, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.heads) > 0 {
		h := p.heads[0]
		p.heads = p.heads[1:]
		if h.method == method && h.target == target {
			return h, true
		}
	}
	return rawHead{}, false
}

// rawHeadListener tees what net/http reads from each connection into a
// headParser.
type rawHeadListener struct{ net.Listener }

func (l rawHeadListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rawHeadConn{Conn: c, parser: &headParser{}}, nil
}

type rawHeadConn struct {
	net.Conn
	parser *headParser
}

func (c *rawHeadConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.parser.feed(b[:n])
	}
	return n, err
}

// CloseWrite keeps net/http's graceful close of TCP connections.
func (c *rawHeadConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

type ctxKey int

const (
	parserKey ctxKey = iota
	rawHeadKey
)

// serve serves the gateway on ln with the raw heads of its requests at hand.
func (g *gateway) serve(srv *http.Server, ln net.Listener) error {
	next := srv.Handler
	if next == nil {
		next = g
	}
	connContext := srv.ConnContext
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if connContext != nil {
			ctx = connContext(ctx, c)
		}
		if rc, ok := c.(*rawHeadConn); ok {
			ctx = context.WithValue(ctx, parserKey, rc.parser)
		}
		return ctx
	}
	srv.Handler = withRawHead(next)
	return srv.Serve(rawHeadListener{ln})
}

// withRawHead gives every request its raw head (every one, so that the
// queue stays in step with the requests).
func withRawHead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(parserKey).(*headParser); ok {
			if h, ok := p.take(r.Method, r.RequestURI); ok {
				r = r.WithContext(context.WithValue(r.Context(), rawHeadKey, &h))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// requestRawHead is r's head as received, or nil when the runner could not
// read it (a request made in a test without a connection, or one whose
// framing the parser lost).
func requestRawHead(r *http.Request) *rawHead {
	h, _ := r.Context().Value(rawHeadKey).(*rawHead)
	return h
}
