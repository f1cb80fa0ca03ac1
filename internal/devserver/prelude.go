package devserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxPreludeSize bounds the metadata prelude the runner reads before it
// gives up with a 502 (API Gateway's own bound is not published; a prelude is
// a few hundred bytes).
const MaxPreludeSize = 64 << 10

// Prelude is the metadata a streamed API Gateway response starts with.
type Prelude struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
}

var delimiter = []byte{0, 0, 0, 0, 0, 0, 0, 0}

// ErrMalformedPrelude is a response whose start is not JSON metadata
// followed by eight NUL bytes: API Gateway answers it with 502.
var ErrMalformedPrelude = errors.New("malformed response metadata")

// ReadPrelude reads the JSON metadata and the 8-NUL delimiter from r,
// leaving r at the first byte of the body. A status code of 0 (omitted)
// means 200.
func ReadPrelude(r *bufio.Reader) (*Prelude, error) {
	var buf bytes.Buffer
	for {
		b, err := r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("%w: the response ended after %d bytes, before the 8 NUL bytes", ErrMalformedPrelude, buf.Len())
			}
			return nil, err
		}
		buf.WriteByte(b)
		if bytes.HasSuffix(buf.Bytes(), delimiter) {
			break
		}
		if buf.Len() > MaxPreludeSize {
			return nil, fmt.Errorf("%w: no 8 NUL bytes in the first %d bytes", ErrMalformedPrelude, MaxPreludeSize)
		}
	}
	raw := bytes.TrimSuffix(buf.Bytes(), delimiter)
	var p Prelude
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&p); err != nil || dec.More() {
		return nil, fmt.Errorf("%w: %q is not a JSON object (%v)", ErrMalformedPrelude, truncate(raw, 200), err)
	}
	if p.StatusCode == 0 {
		p.StatusCode = 200
	}
	if p.StatusCode < 100 || p.StatusCode > 599 {
		return nil, fmt.Errorf("%w: status code %d", ErrMalformedPrelude, p.StatusCode)
	}
	return &p, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
