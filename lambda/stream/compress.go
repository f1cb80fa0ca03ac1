package stream

import (
	"compress/gzip"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/streamgate/streamgate/lambda/internal/header"
)

// Content encodings a stream can compress with.
const (
	Gzip   = "gzip"
	Brotli = "br"
)

// gzipLevel is fast enough to keep up with the producer, and most of the
// size gain on JSON (make bench reports bytes and CPU per record).
const gzipLevel = 5

// AcceptEncoding is the request's Accept-Encoding header, whatever the
// case of its name (API Gateway passes the client's spelling); pass it as
// Options.AcceptEncoding.
func AcceptEncoding(headers map[string]string) string {
	v, _ := Header(headers, "Accept-Encoding")
	return v
}

// Header finds a request header whatever the case of its name (API Gateway
// passes the client's spelling) and reports whether it is there.
func Header(headers map[string]string, name string) (string, bool) {
	return header.Lookup(headers, name)
}

// negotiate picks the first of offered (the server's preference) that the
// Accept-Encoding header accepts with a q-value above 0, or "" (identity).
func negotiate(offered []string, accept string) string {
	q := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(strings.TrimSpace(part), ";")
		name := strings.ToLower(strings.TrimSpace(fields[0]))
		if name == "" {
			continue
		}
		weight := 1.0
		for _, p := range fields[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					weight = f
				}
			}
		}
		if name == "*" {
			star = weight
		} else {
			q[name] = weight
		}
	}
	best, bestQ := "", 0.0
	for _, e := range offered {
		w, ok := q[e]
		if !ok {
			w = star
		}
		if w > bestQ { // ties go to the server's order
			best, bestQ = e, w
		}
	}
	return best
}

// Encoder is a streaming compressor whose Flush makes everything written
// so far decodable by the client, and whose Close writes the encoding's end.
type Encoder interface {
	io.Writer
	Flush() error
	Close() error
}

type compressor = Encoder

var (
	encodersMu sync.RWMutex
	encoders   = map[string]func(io.Writer) Encoder{
		Gzip: func(w io.Writer) Encoder {
			z, _ := gzip.NewWriterLevel(w, gzipLevel) // the level is valid
			return z
		},
	}
	unlinked sync.Once
)

// RegisterEncoding makes a content encoding available to
// Options.Encodings. Gzip is built in; brotli registers itself when a
// program imports github.com/streamgate/streamgate/lambda/stream/brotli,
// so that the handlers that do not offer it do not carry its 0.8 MB.
func RegisterEncoding(name string, newEncoder func(io.Writer) Encoder) {
	encodersMu.Lock()
	defer encodersMu.Unlock()
	encoders[name] = newEncoder
}

func newCompressor(encoding string, w io.Writer) compressor {
	encodersMu.RLock()
	defer encodersMu.RUnlock()
	if f := encoders[encoding]; f != nil {
		return f(w)
	}
	return nil
}

// varyAcceptEncoding adds Accept-Encoding to the Vary header of h.
func varyAcceptEncoding(h map[string]string) { header.AddVary(h, "Accept-Encoding") }

// validEncodings are the offered encodings this program can produce. An
// offered Brotli that is not linked is left out, and said once.
func validEncodings(e []string, logf func(string, ...any)) []string {
	encodersMu.RLock()
	defer encodersMu.RUnlock()
	var out []string
	for _, x := range e {
		if encoders[x] != nil {
			out = append(out, x)
		} else if x == Brotli {
			unlinked.Do(func() {
				logf("stream: Options.Encodings offers br, but brotli is not linked: import _ \"github.com/streamgate/streamgate/lambda/stream/brotli\" (gzip or identity is sent instead)")
			})
		}
	}
	return out
}
