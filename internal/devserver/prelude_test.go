package devserver

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadPrelude(t *testing.T) {
	r := bufio.NewReader(strings.NewReader(`{"statusCode":201,"headers":{"a":"b"},"cookies":["c=1"]}` + "\x00\x00\x00\x00\x00\x00\x00\x00body"))
	p, err := ReadPrelude(r)
	if err != nil || p.StatusCode != 201 || p.Headers["a"] != "b" || p.Cookies[0] != "c=1" {
		t.Fatalf("%+v %v", p, err)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "body" {
		t.Errorf("body = %q", rest)
	}
	for _, bad := range []string{"", "{}", `{"statusCode":200}` + "\x00\x00\x00", "not json\x00\x00\x00\x00\x00\x00\x00\x00", `{"statusCode":99}` + "\x00\x00\x00\x00\x00\x00\x00\x00",
		strings.Repeat("x", MaxPreludeSize+10)} {
		if _, err := ReadPrelude(bufio.NewReader(strings.NewReader(bad))); !errors.Is(err, ErrMalformedPrelude) {
			t.Errorf("%.40q: err = %v, want ErrMalformedPrelude", bad, err)
		}
	}
	if p, err := ReadPrelude(bufio.NewReader(strings.NewReader("{}\x00\x00\x00\x00\x00\x00\x00\x00"))); err != nil || p.StatusCode != 200 {
		t.Errorf("omitted status: %+v %v", p, err)
	}
}

// FuzzReadPrelude: any bytes give a prelude with a valid status or
// ErrMalformedPrelude, never a panic, and never read past the delimiter.
func FuzzReadPrelude(f *testing.F) {
	f.Add([]byte(`{"statusCode":200,"headers":{"Content-Type":"application/x-ndjson"}}` + "\x00\x00\x00\x00\x00\x00\x00\x00{\"n\":1}\n"))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte(`{"statusCode":"200"}` + "\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte(`{"multiValueHeaders":{"a":["1","2"]}}` + "\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(strings.NewReader(string(data)))
		p, err := ReadPrelude(r)
		if err != nil {
			return
		}
		if p.StatusCode < 100 || p.StatusCode > 599 {
			t.Fatalf("status %d accepted", p.StatusCode)
		}
		rest, _ := io.ReadAll(r)
		i := strings.Index(string(data), "\x00\x00\x00\x00\x00\x00\x00\x00")
		if i < 0 || string(data[i+8:]) != string(rest) {
			t.Fatalf("body after the prelude = %q, want %q", rest, data[i+8:])
		}
	})
}
