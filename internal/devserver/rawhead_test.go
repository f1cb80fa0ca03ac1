package devserver

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// A stream of three requests on one connection: a body by length, a chunked
// body with an extension and a trailer, an empty line before a request line,
// and header values with odd spacing and a folded line.
const pipelined = "POST /prod/a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-One:  spaced \r\n\r\nhello" +
	"PUT /prod/b HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n" +
	"\r\nGET /prod/c%2Bd HTTP/1.1\nhost: h\ntEsT-HEADeR: a\n\tfolded\n\n"

var pipelinedHeads = []rawHead{
	{"POST", "/prod/a?x=1", "HTTP/1.1", []rawField{{"Host", "h"}, {"Content-Length", "5"}, {"X-One", "spaced"}}},
	{"PUT", "/prod/b", "HTTP/1.1", []rawField{{"Host", "h"}, {"transfer-encoding", "chunked"}}},
	{"GET", "/prod/c%2Bd", "HTTP/1.1", []rawField{{"host", "h"}, {"tEsT-HEADeR", "a folded"}}},
}

func parseAll(chunks ...[]byte) *headParser {
	p := &headParser{}
	for _, c := range chunks {
		p.feed(c)
	}
	return p
}

// TestHeadParserFramesPipelinedRequests: the heads come out whole and in
// order however the bytes were split by the reads.
func TestHeadParserFramesPipelinedRequests(t *testing.T) {
	b := []byte(pipelined)
	check := func(what string, p *headParser) {
		t.Helper()
		if p.state != stHead || !reflect.DeepEqual(p.heads, pipelinedHeads) {
			t.Fatalf("%s: state %d, heads %q", what, p.state, p.heads)
		}
	}
	check("one read", parseAll(b))
	for i := range b {
		check("two reads", parseAll(b[:i], b[i:]))
	}
	var bytewise [][]byte
	for i := range b {
		bytewise = append(bytewise, b[i:i+1])
	}
	check("a byte a read", parseAll(bytewise...))
	p := parseAll(b)
	if _, ok := p.take("GET", "/prod/c%2Bd"); !ok || len(p.heads) != 0 {
		t.Errorf("take skips the heads of requests never handled: %v", p.heads)
	}
}

// TestHeadParserGivesUp: framing net/http refuses, or a head past its
// limit, stops the parser for the connection (the event then falls back to
// net/http's names) and keeps no memory.
func TestHeadParserGivesUp(t *testing.T) {
	for name, in := range map[string]string{
		"two lengths":      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"bad length":       "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
		"gzip only":        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		"bad chunk size":   "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"no CRLF on chunk": "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXX\r\n",
		"not a request":    "hello there\r\n\r\n",
		"space in a name":  "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
		"huge head":        "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", maxRawHead) + "\r\n\r\n",
		"endless head":     "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", maxRawHead+1),
		"endless chunk":    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1", maxChunkLine+1),
	} {
		p := parseAll([]byte(in))
		if p.state != stBroken || p.heads != nil || p.buf != nil {
			t.Errorf("%s: state %d, %d heads, %d bytes kept", name, p.state, len(p.heads), len(p.buf))
		}
		p.feed([]byte("GET / HTTP/1.1\r\n\r\n"))
		if len(p.heads) != 0 {
			t.Errorf("%s: parsed on after losing the framing", name)
		}
	}
}

// FuzzHeadParser: no input crashes the parser or grows it past its limits;
// the split of the bytes into reads does not change what it finds; and
// each request net/http reads from the same bytes, while the parser keeps
// the framing, is the parser's next head (method, target and the header
// names net/http canonicalised).
func FuzzHeadParser(f *testing.F) {
	f.Add([]byte(pipelined), 7)
	f.Add([]byte("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n"), 20)
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 40)
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /?q HTTP/1.0\r\n\r\n"), 3)
	f.Add([]byte("\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 1)
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		whole := parseAll(in)
		if split < 0 {
			split = -split
		}
		if len(in) > 0 {
			split %= len(in) + 1
		} else {
			split = 0
		}
		two := parseAll(in[:split], in[split:])
		if whole.state != two.state || !reflect.DeepEqual(whole.heads, two.heads) {
			t.Fatalf("split at %d: %d %q; whole: %d %q", split, two.state, two.heads, whole.state, whole.heads)
		}
		if len(whole.heads) > maxQueued || len(whole.buf) > maxRawHead {
			t.Fatalf("past its limits: %d heads, %d bytes", len(whole.heads), len(whole.buf))
		}
		br := bufio.NewReader(bytes.NewReader(in))
		for i := 0; i < len(whole.heads) && i < maxQueued; i++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return // net/http stops here: it answers 400 and closes
			}
			io.Copy(io.Discard, req.Body)
			h := whole.heads[i]
			if h.method != req.Method || h.target != req.RequestURI {
				t.Fatalf("request %d: net/http read %s %s, the parser %s %s", i, req.Method, req.RequestURI, h.method, h.target)
			}
			for _, fld := range h.fields {
				name := http.CanonicalHeaderKey(fld.name)
				if _, ok := req.Header[name]; !ok && name != "Host" && name != "Transfer-Encoding" && name != "Content-Length" && name != "Trailer" {
					t.Fatalf("request %d: the parser found %q, net/http has %v", i, fld.name, req.Header)
				}
			}
		}
	})
}
