package httpstream

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamgate/streamgate/lambda/stream"
)

type benchRecord struct {
	Seq     int       `json:"seq"`
	At      time.Time `json:"at"`
	Payload string    `json:"payload"`
}

var benchAt = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func record(i int) benchRecord {
	return benchRecord{Seq: i, At: benchAt, Payload: "reference workload record"}
}

// viaAdapter streams n records from a net/http handler that encodes them
// to its ResponseWriter, read as the Lambda runtime reads them.
func viaAdapter(b *testing.B, n int) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := 0; i < n; i++ {
			if err := enc.Encode(record(i)); err != nil {
				return
			}
		}
	}), nil)
	resp, err := h(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/records"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
}

// viaStream is the same records through lambda/stream's NDJSON writer.
func viaStream(b *testing.B, n int) {
	resp := stream.NDJSON(context.Background(), &stream.Options{DisableDoneRecord: true}, func(ctx context.Context, w *stream.NDJSONWriter) error {
		for i := 0; i < n; i++ {
			if err := w.Encode(record(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
}

// direct writes the same bytes straight to an io.Writer: the floor.
func direct(b *testing.B, n int) {
	bw := bufio.NewWriterSize(io.Discard, stream.DefaultBufferSize)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := 0; i < n; i++ {
		if err := enc.Encode(record(i)); err != nil {
			b.Fatal(err)
		}
	}
	bw.Flush()
}

// BenchmarkAdapter: each op is a record (ns/op, allocs/op per record).
func BenchmarkAdapter(b *testing.B) {
	for _, bc := range []struct {
		name string
		run  func(b *testing.B, n int)
	}{{"direct-io.Writer", direct}, {"lambda-stream", viaStream}, {"httpstream", viaAdapter}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			bc.run(b, b.N)
		})
	}
}

// BenchmarkAdapterOverheadRatio times 100,000 records through the adapter,
// through lambda/stream and straight to an io.Writer in one run, on one
// processor as lambda/stream's BenchmarkOverheadRatio does (and why).
func BenchmarkAdapterOverheadRatio(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 100_000
	timed := func(f func(b *testing.B, n int)) float64 {
		start := time.Now()
		f(b, n)
		return float64(time.Since(start))
	}
	var adapter, vsStream float64
	for i := 0; i < b.N; i++ {
		d, s, a := timed(direct), timed(viaStream), timed(viaAdapter)
		adapter += d / a
		vsStream += s / a
	}
	b.ReportMetric(adapter/float64(b.N), "httpstream/direct-throughput")
	b.ReportMetric(vsStream/float64(b.N), "httpstream/lambda-stream-throughput")
}
