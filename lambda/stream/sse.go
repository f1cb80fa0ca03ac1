package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// SSEContentType is the Content-Type of a server-sent event stream.
const SSEContentType = "text/event-stream"

// ErrBadField is returned for an SSE event whose ID or name contains a line
// break, which would corrupt the framing.
var ErrBadField = errors.New("stream: SSE id or event name contains a line break")

var sseFormat = format{
	contentType: SSEContentType,
	heartbeat:   []byte(":\n\n"),
	done: func(records int64) []byte {
		return []byte("event: done\ndata: {\"records\":" + strconv.FormatInt(records, 10) + "}\n\n")
	},
	fail: func(code, msg string, records int64) []byte {
		b, _ := json.Marshal(struct {
			errorBody
			Records int64 `json:"records"`
		}{errorBody{code, msg}, records})
		return []byte("event: error\ndata: " + string(b) + "\n\n")
	},
}

// SSE streams server-sent events: produce runs in its own goroutine and
// sends events with the SSEWriter. A comment line keeps the connection alive
// whenever the stream has been silent for Options.HeartbeatInterval. The
// stream ends with an event named "done" (data {"records":N}) or, when it
// stops early, "error" (data {"code":"...","message":"...","records":N}).
func SSE(ctx context.Context, opts *Options, produce func(ctx context.Context, w *SSEWriter) error) *events.APIGatewayProxyStreamingResponse {
	return start(ctx, opts, sseFormat, func(ctx context.Context, s *Stream) error {
		return produce(ctx, &SSEWriter{s: s})
	})
}

// Event is one server-sent event.
type Event struct {
	// ID sets the client's last event ID. Default: none.
	ID string
	// Event is the event name the client listens for. Default: none
	// ("message" in the browser).
	Event string
	// Data is sent as is when it is a string or []byte (one data: line per
	// line), and as JSON otherwise.
	Data any
	// Retry tells the client how long to wait before reconnecting. Default: none.
	Retry time.Duration
}

// SSEWriter writes the events of an SSE stream. Its methods may be called
// from several goroutines; events are never interleaved.
type SSEWriter struct{ s *Stream }

// Send writes one event. It fails once the stream cannot take events:
// ErrClientClosed, ErrDeadline.
func (w *SSEWriter) Send(e Event) error {
	if strings.ContainsAny(e.ID, "\r\n\x00") || strings.ContainsAny(e.Event, "\r\n") {
		return ErrBadField
	}
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	b := &s.scratch
	b.Reset()
	if e.ID != "" {
		b.WriteString("id: ")
		b.WriteString(e.ID)
		b.WriteByte('\n')
	}
	if e.Event != "" {
		b.WriteString("event: ")
		b.WriteString(e.Event)
		b.WriteByte('\n')
	}
	if e.Retry > 0 {
		b.WriteString("retry: ")
		b.WriteString(strconv.FormatInt(e.Retry.Milliseconds(), 10))
		b.WriteByte('\n')
	}
	switch d := e.Data.(type) {
	case string:
		writeDataLines(b, d)
	case []byte:
		writeDataLines(b, d)
	case nil:
		writeDataLines(b, "")
	default:
		// JSON has no raw line breaks (encoding/json escapes them): the
		// value is one data line, encoded in place; Encode ends it with
		// the line's newline.
		b.WriteString("data: ")
		if err := s.encoder().Encode(d); err != nil {
			return err
		}
	}
	b.WriteByte('\n')
	return s.writeLocked(b.Bytes(), true)
}

// writeDataLines writes one "data:" line per line of data, splitting on
// \r\n, \r and \n as the SSE spec does.
func writeDataLines[T string | []byte](b *bytes.Buffer, data T) {
	for {
		i := indexLineBreak(data)
		line := data
		if i >= 0 {
			line = data[:i]
		}
		b.WriteString("data: ")
		b.Write([]byte(line)) // no copy: the compiler elides the conversion
		b.WriteByte('\n')
		if i < 0 {
			return
		}
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
}

func indexLineBreak[T string | []byte](data T) int {
	for i := 0; i < len(data); i++ {
		if data[i] == '\n' || data[i] == '\r' {
			return i
		}
	}
	return -1
}

// Data sends an event with only data (see Event.Data).
func (w *SSEWriter) Data(v any) error { return w.Send(Event{Data: v}) }

// Comment writes a comment line, which clients ignore; it does not count as
// a record.
func (w *SSEWriter) Comment(text string) error {
	if strings.ContainsAny(text, "\r\n") {
		return ErrBadField
	}
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked([]byte(": "+text+"\n\n"), false)
}

// Flush sends the events written so far, whatever Options.FlushEvery says.
func (w *SSEWriter) Flush() error { return w.s.Flush() }

// Stream is the underlying stream.
func (w *SSEWriter) Stream() *Stream { return w.s }
