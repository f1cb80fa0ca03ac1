// Package demo holds the example streaming handlers that the demo app
// deploys: the reference workload (NDJSON records), job progress (SSE) and a
// large export piped from S3. Each is a plain function you can call in a
// test; the thin mains under examples/demo/records, examples/demo/progress and
// examples/demo/export hand them to lambda.Start.
package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/stream"
)

// The reference workload: 1000 JSON records, one every 10 ms, as NDJSON.
// Tests and benchmarks across the project measure against it.
const (
	ReferenceRecords  = 1000
	ReferenceInterval = 10 * time.Millisecond
)

// Record is one record of the reference workload.
type Record struct {
	Seq     int       `json:"seq"`
	At      time.Time `json:"at"`
	Payload string    `json:"payload"`
}

// Records streams the reference workload. Query parameters may change it:
// count (1..100000, default 1000) and interval_ms (0..60000, default 10).
func Records(ctx context.Context, req events.APIGatewayProxyRequest) (*events.APIGatewayProxyStreamingResponse, error) {
	count, err := intParam(req.QueryStringParameters, "count", ReferenceRecords, 1, 100_000)
	if err != nil {
		return badRequest(err), nil
	}
	intervalMS, err := intParam(req.QueryStringParameters, "interval_ms", int(ReferenceInterval/time.Millisecond), 0, 60_000)
	if err != nil {
		return badRequest(err), nil
	}
	interval := time.Duration(intervalMS) * time.Millisecond
	return stream.NDJSON(ctx, nil, func(ctx context.Context, w *stream.NDJSONWriter) error {
		return ReferenceWorkload(ctx, w, count, interval)
	}), nil
}

// ReferenceWorkload writes count records to w, one every interval (the
// first at once), and stops early when the stream does.
func ReferenceWorkload(ctx context.Context, w *stream.NDJSONWriter, count int, interval time.Duration) error {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for i := 0; i < count; i++ {
		if i > 0 && tick != nil {
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case <-tick:
			}
		}
		if err := w.Encode(Record{Seq: i, At: time.Now().UTC(), Payload: "reference workload record"}); err != nil {
			return err
		}
	}
	return nil
}

// ParamError is a bad query or path parameter.
type ParamError struct {
	Name, Value, Allowed string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("parameter %q is %q; allowed: %s", e.Name, e.Value, e.Allowed)
}

func intParam(params map[string]string, name string, def, min, max int) (int, error) {
	v, ok := params[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, &ParamError{name, v, fmt.Sprintf("an integer from %d to %d (default %d)", min, max, def)}
	}
	return n, nil
}

func badRequest(err error) *events.APIGatewayProxyStreamingResponse {
	return stream.Error(400, "BadRequest", err.Error())
}
