package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// NDJSONContentType is the Content-Type of an NDJSON stream.
const NDJSONContentType = "application/x-ndjson"

// ErrNewline is returned by WriteLine for a line that contains a newline,
// which would split one record into two.
var ErrNewline = errors.New("stream: NDJSON line contains a newline")

var ndjsonFormat = format{
	contentType: NDJSONContentType,
	done: func(records int64) []byte {
		return []byte(`{"done":true,"records":` + strconv.FormatInt(records, 10) + "}\n")
	},
	fail: func(code, msg string, records int64) []byte {
		b, _ := json.Marshal(struct {
			Error   errorBody `json:"error"`
			Records int64     `json:"records"`
		}{errorBody{code, msg}, records})
		return append(b, '\n')
	},
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// NDJSON streams newline-delimited JSON: produce runs in its own goroutine
// and writes one JSON value per line with the NDJSONWriter. The stream ends
// with {"done":true,"records":N} or, when it stops early,
// {"error":{"code":"...","message":"..."},"records":N}.
func NDJSON(ctx context.Context, opts *Options, produce func(ctx context.Context, w *NDJSONWriter) error) *events.APIGatewayProxyStreamingResponse {
	return start(ctx, opts, ndjsonFormat, func(ctx context.Context, s *Stream) error {
		return produce(ctx, &NDJSONWriter{s: s})
	})
}

// NDJSONWriter writes the records of an NDJSON stream. Its methods may be
// called from several goroutines; records are never interleaved.
type NDJSONWriter struct{ s *Stream }

// Encode writes v as one JSON line (HTML characters are not escaped).
// It fails once the stream cannot take records: ErrClientClosed, ErrDeadline.
func (w *NDJSONWriter) Encode(v any) error {
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	s.scratch.Reset()
	if err := s.encoder().Encode(v); err != nil { // Encode appends the newline
		return err
	}
	return s.writeLocked(s.scratch.Bytes(), true)
}

// WriteLine writes an already encoded JSON value as one line; the newline is
// added. The value is not checked for validity, only for embedded newlines.
func (w *NDJSONWriter) WriteLine(line []byte) error {
	if bytes.ContainsAny(line, "\n\r") {
		return ErrNewline
	}
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scratch.Reset()
	s.scratch.Write(line)
	s.scratch.WriteByte('\n')
	return s.writeLocked(s.scratch.Bytes(), true)
}

// Flush sends the records written so far, whatever Options.FlushEvery says.
func (w *NDJSONWriter) Flush() error { return w.s.Flush() }

// Stream is the underlying stream.
func (w *NDJSONWriter) Stream() *Stream { return w.s }
