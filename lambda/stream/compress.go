package stream

import (
	"compress/gzip"
	"io"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"

	"github.com/streamgate/streamgate/lambda/internal/header"
)

// Content encodings a stream can compress with.
const (
	Gzip   = "gzip"
	Brotli = "br"
)

// Compression levels: fast enough to keep up with the producer, and most of
// the size gain on JSON (make bench reports bytes and CPU per record).
const (
	gzipLevel   = 5
	brotliLevel = 4
)

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

// compressor is a streaming encoder whose Flush makes everything written so
// far decodable by the client.
type compressor interface {
	io.Writer
	Flush() error
	Close() error
}

func newCompressor(encoding string, w io.Writer) compressor {
	switch encoding {
	case Gzip:
		z, _ := gzip.NewWriterLevel(w, gzipLevel) // the level is valid
		return z
	case Brotli:
		return brotli.NewWriterLevel(w, brotliLevel)
	}
	return nil
}

// varyAcceptEncoding adds Accept-Encoding to the Vary header of h.
func varyAcceptEncoding(h map[string]string) { header.AddVary(h, "Accept-Encoding") }

func validEncodings(e []string) []string {
	var out []string
	for _, x := range e {
		if x == Gzip || x == Brotli {
			out = append(out, x)
		}
	}
	return out
}
