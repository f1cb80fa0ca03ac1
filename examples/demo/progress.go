package demo

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/stream"
)

// validJobID: 1 to 64 letters, digits, '_' or '-'.
func validJobID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// Progress is one progress event of a job.
type Progress struct {
	Job     string `json:"job"`
	Step    int    `json:"step"`
	Steps   int    `json:"steps"`
	Percent int    `json:"percent"`
}

// JobProgress streams the progress of a long-running job as server-sent
// events: one "progress" event per step and a final "complete" event. The
// job id is the path parameter "id"; query parameters steps (1..10000,
// default 20) and interval_ms (0..600000, default 500) shape the job.
// Events carry ids, so a reconnecting EventSource resumes after
// Last-Event-ID. The stream is compressed (brotli or gzip) when the request
// accepts it.
func JobProgress(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
	id := req.PathParameters["id"]
	if !validJobID(id) {
		return badRequest(&ParamError{"id", id, "1 to 64 letters, digits, '-' or '_'"}), nil
	}
	steps, err := intParam(req.QueryStringParameters, "steps", 20, 1, 10_000)
	if err != nil {
		return badRequest(err), nil
	}
	intervalMS, err := intParam(req.QueryStringParameters, "interval_ms", 500, 0, 600_000)
	if err != nil {
		return badRequest(err), nil
	}
	from := 0
	if last, ok := stream.Header(req.Headers, "Last-Event-ID"); ok {
		if from, err = intParam(map[string]string{"Last-Event-ID": last}, "Last-Event-ID", 0, 0, steps); err != nil {
			return badRequest(err), nil
		}
	}
	interval := time.Duration(intervalMS) * time.Millisecond
	// Compressed for clients that accept it (browsers' EventSource does):
	// each event is flushed through the encoder, so it still arrives live.
	opts := &stream.Options{Encodings: []string{stream.Brotli, stream.Gzip}, AcceptEncoding: stream.AcceptEncoding(req.Headers)}
	return stream.SSE(ctx, opts, func(ctx context.Context, w *stream.SSEWriter) error {
		for step := from + 1; step <= steps; step++ {
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case <-time.After(interval): // the job's work
			}
			p := Progress{Job: id, Step: step, Steps: steps, Percent: step * 100 / steps}
			if err := w.Send(stream.Event{ID: strconv.Itoa(step), Event: "progress", Data: p}); err != nil {
				return err
			}
		}
		return w.Send(stream.Event{Event: "complete", Data: map[string]string{"job": id}})
	}), nil
}
