package stream

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestNegotiate(t *testing.T) {
	both := []string{Brotli, Gzip}
	for _, c := range []struct {
		offered []string
		accept  string
		want    string
	}{
		{both, "", ""},
		{both, "gzip, deflate, br, zstd", "br"}, // a browser: the server's preference
		{both, "gzip", "gzip"},
		{both, "br;q=0.5, gzip;q=0.8", "gzip"},
		{both, "br;q=0, gzip;q=0", ""},
		{both, "*", "br"},
		{both, "*;q=0.1, br;q=0", "gzip"},
		{both, "identity", ""},
		{[]string{Gzip}, "GZIP;Q=1", "gzip"},
		{[]string{Gzip}, "br", ""},
		{nil, "gzip", ""},
	} {
		if got := negotiate(c.offered, c.accept); got != c.want {
			t.Errorf("negotiate(%v, %q) = %q, want %q", c.offered, c.accept, got, c.want)
		}
	}
}

func decoder(t *testing.T, encoding string, r io.Reader) io.Reader {
	t.Helper()
	switch encoding {
	case Gzip:
		z, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		return z
	case Brotli:
		return brotli.NewReader(r)
	}
	return r
}

// TestCompressedStreamsKeepTheirFraming: the decoded body is the same
// records, in order, with the final record; the prelude names the encoding.
func TestCompressedStreamsKeepTheirFraming(t *testing.T) {
	for _, enc := range []string{Gzip, Brotli} {
		t.Run(enc, func(t *testing.T) {
			resp := NDJSON(context.Background(), &Options{Encodings: []string{Brotli, Gzip}, AcceptEncoding: enc},
				func(ctx context.Context, w *NDJSONWriter) error {
					for i := 0; i < 500; i++ {
						if err := w.Encode(map[string]any{"n": i, "text": strings.Repeat("streamgate ", i%7)}); err != nil {
							return err
						}
					}
					return nil
				})
			if resp.Headers["Content-Encoding"] != enc || resp.Headers["Vary"] != "Accept-Encoding" {
				t.Fatalf("headers: %v", resp.Headers)
			}
			body, err := io.ReadAll(decoder(t, enc, resp.Body))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
			if len(lines) != 501 || lines[500] != `{"done":true,"records":500}` {
				t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
			}
			for i, l := range lines[:500] {
				var rec struct{ N int }
				if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.N != i {
					t.Fatalf("line %d: %q", i, l)
				}
			}
		})
	}
}

// TestCompressedRecordsArriveBeforeTheEnd: a record is decodable as soon as
// it is flushed, while the producer waits.
func TestCompressedRecordsArriveBeforeTheEnd(t *testing.T) {
	for _, enc := range []string{Gzip, Brotli} {
		t.Run(enc, func(t *testing.T) {
			next := make(chan struct{})
			resp := SSE(context.Background(), &Options{Encodings: []string{enc}, AcceptEncoding: enc, HeartbeatInterval: -1},
				func(ctx context.Context, w *SSEWriter) error {
					for i := 0; i < 3; i++ {
						if err := w.Send(Event{ID: fmt.Sprint(i), Data: i}); err != nil {
							return err
						}
						<-next
					}
					return nil
				})
			br := bufio.NewReader(decoder(t, enc, resp.Body))
			for i := 0; i < 3; i++ {
				got := make(chan string, 1)
				go func() {
					var ev strings.Builder
					for {
						line, err := br.ReadString('\n')
						ev.WriteString(line)
						if err != nil || line == "\n" {
							break
						}
					}
					got <- ev.String()
				}()
				select {
				case ev := <-got:
					if want := fmt.Sprintf("id: %d\ndata: %d\n\n", i, i); ev != want {
						t.Fatalf("event %q, want %q", ev, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("event %d did not arrive while the producer waited", i)
				}
				next <- struct{}{}
			}
			io.Copy(io.Discard, br)
		})
	}
}

func TestNoCompressionUnlessAsked(t *testing.T) {
	for accept, vary := range map[string]bool{"": true, "identity": true, "gzip;q=0": true} {
		resp := NDJSON(context.Background(), &Options{Encodings: []string{Gzip}, AcceptEncoding: accept}, func(ctx context.Context, w *NDJSONWriter) error {
			return w.Encode(1)
		})
		body, _ := io.ReadAll(resp.Body)
		if _, set := resp.Headers["Content-Encoding"]; set || (resp.Headers["Vary"] != "") != vary || !strings.HasPrefix(string(body), "1\n") {
			t.Errorf("Accept-Encoding %q: headers %v, body %q", accept, resp.Headers, body)
		}
	}
	resp := NDJSON(context.Background(), &Options{AcceptEncoding: "gzip"}, func(ctx context.Context, w *NDJSONWriter) error { return w.Encode(1) })
	io.Copy(io.Discard, resp.Body)
	if _, set := resp.Headers["Content-Encoding"]; set {
		t.Error("compressed without Encodings")
	}
	if _, set := resp.Headers["Vary"]; set {
		t.Error("Vary without Encodings")
	}
}

func TestAcceptEncodingFindsTheHeaderInAnyCase(t *testing.T) {
	if got := AcceptEncoding(map[string]string{"accept-encoding": "gzip"}); got != "gzip" {
		t.Errorf("%q", got)
	}
}
