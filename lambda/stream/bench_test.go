package stream

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"runtime"
	"testing"
	"time"
)

// benchRecord is a typical record of the reference workload (~100 bytes of JSON).
type benchRecord struct {
	Seq     int       `json:"seq"`
	At      time.Time `json:"at"`
	Payload string    `json:"payload"`
}

var benchAt = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func recordSize() int64 {
	b, _ := json.Marshal(benchRecord{Seq: 123456, At: benchAt, Payload: "reference workload record"})
	return int64(len(b) + 1)
}

// streamNDJSON streams n records through the library to a reader that
// discards them, as the Lambda runtime would read them.
func streamNDJSON(b *testing.B, n int, opts *Options) {
	resp := NDJSON(context.Background(), opts, func(ctx context.Context, w *NDJSONWriter) error {
		for i := 0; i < n; i++ {
			if err := w.Encode(benchRecord{Seq: i, At: benchAt, Payload: "reference workload record"}); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := io.Copy(io.Discard, resp); err != nil {
		b.Fatal(err)
	}
}

// directNDJSON writes the same bytes straight to an io.Writer: the floor.
func directNDJSON(b *testing.B, n int) {
	bw := bufio.NewWriterSize(io.Discard, DefaultBufferSize)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := 0; i < n; i++ {
		if err := enc.Encode(benchRecord{Seq: i, At: benchAt, Payload: "reference workload record"}); err != nil {
			b.Fatal(err)
		}
	}
	bw.Flush()
}

func streamSSE(b *testing.B, n int) {
	resp := SSE(context.Background(), &Options{HeartbeatInterval: -1}, func(ctx context.Context, w *SSEWriter) error {
		for i := 0; i < n; i++ {
			if err := w.Send(Event{Event: "progress", Data: benchRecord{Seq: i, At: benchAt, Payload: "reference workload record"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := io.Copy(io.Discard, resp); err != nil {
		b.Fatal(err)
	}
}

func directSSE(b *testing.B, n int) {
	bw := bufio.NewWriterSize(io.Discard, DefaultBufferSize)
	for i := 0; i < n; i++ {
		data, err := json.Marshal(benchRecord{Seq: i, At: benchAt, Payload: "reference workload record"})
		if err != nil {
			b.Fatal(err)
		}
		bw.WriteString("event: progress\ndata: ")
		bw.Write(data)
		bw.WriteString("\n\n")
		bw.Flush() // an SSE writer must flush each event
	}
}

// Each op is one record: ns/op is the cost of a record, MB/s the
// throughput, allocs/op the allocations per record.
func BenchmarkNDJSON(b *testing.B) {
	size := recordSize()
	for _, bc := range []struct {
		name string
		run  func(b *testing.B, n int)
	}{
		{"direct-io.Writer", directNDJSON},
		{"stream-flush-each", func(b *testing.B, n int) { streamNDJSON(b, n, &Options{FlushEvery: 1}) }},
		{"stream-flush-100", func(b *testing.B, n int) { streamNDJSON(b, n, &Options{FlushEvery: 100, FlushInterval: -1}) }},
		{"stream-interval-default", func(b *testing.B, n int) { streamNDJSON(b, n, nil) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			bc.run(b, b.N)
		})
	}
}

func BenchmarkSSE(b *testing.B) {
	size := recordSize() + int64(len("event: progress\ndata: \n"))
	for _, bc := range []struct {
		name string
		run  func(b *testing.B, n int)
	}{
		{"direct-io.Writer", directSSE},
		{"stream", streamSSE},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			bc.run(b, b.N)
		})
	}
}

// BenchmarkOverheadRatio times the library against the direct writer for
// the same 100,000 records in one run and reports the ratios of the times,
// on one processor (GOMAXPROCS 1), for two reasons. It is what the function
// gets: Lambda gives a function CPU in proportion to its memory, a whole
// vCPU only at 1,769 MB (512 MB, the default here, is under a third of
// one). And it is repeatable: with two processors the ratio depended on
// where the scheduler put the producer and the reader of the stream, and on
// what else the machine ran (0.66 to 0.99 across runs of the same code,
// the reader's core shared or not, its cache lines moving between cores);
// on one, both share one core in every run.
func BenchmarkOverheadRatio(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 100_000
	timed := func(f func(b *testing.B, n int)) float64 {
		start := time.Now()
		f(b, n)
		return float64(time.Since(start))
	}
	var each, batch, interval, sse float64
	for i := 0; i < b.N; i++ {
		direct := timed(directNDJSON)
		each += timed(func(b *testing.B, n int) { streamNDJSON(b, n, &Options{FlushEvery: 1}) }) / direct
		batch += timed(func(b *testing.B, n int) { streamNDJSON(b, n, &Options{FlushEvery: 100, FlushInterval: -1}) }) / direct
		interval += timed(func(b *testing.B, n int) { streamNDJSON(b, n, nil) }) / direct
		sse += timed(streamSSE) / timed(directSSE)
	}
	// Throughput as a share of the direct writer's (1 = as fast).
	b.ReportMetric(float64(b.N)/each, "ndjson-flush-each/direct-throughput")
	b.ReportMetric(float64(b.N)/batch, "ndjson-flush-100/direct-throughput")
	b.ReportMetric(float64(b.N)/interval, "ndjson-interval-default/direct-throughput")
	b.ReportMetric(float64(b.N)/sse, "sse-default/direct-throughput")
}

// BenchmarkRecordLatency measures, per mode, how long a record takes from
// Encode to the reader: the first record of a stream, and a later record
// written after a pause (the producer then waits), which the interval mode
// holds for at most FlushInterval.
func BenchmarkRecordLatency(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts *Options
	}{
		{"flush-each", &Options{FlushEvery: 1}},
		// FlushEvery: 100 without an interval is left out: its records wait
		// for the 100th (or the stream's end), however long that takes.
		{"interval-default", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var first, later time.Duration
			for i := 0; i < b.N; i++ {
				wrote := make(chan time.Time, 2)
				next, end := make(chan struct{}), make(chan struct{})
				resp := NDJSON(context.Background(), bc.opts, func(ctx context.Context, w *NDJSONWriter) error {
					for j := 0; j < 2; j++ {
						if j == 1 {
							<-next
						}
						wrote <- time.Now()
						if err := w.Encode(benchRecord{Seq: j, At: benchAt, Payload: "reference workload record"}); err != nil {
							return err
						}
					}
					<-end // the producer waits: the stream's end does not flush for it
					return nil
				})
				br := bufio.NewReader(resp.Body)
				if _, err := br.ReadString('\n'); err != nil {
					b.Fatal(err)
				}
				first += time.Since(<-wrote)
				close(next)
				if _, err := br.ReadString('\n'); err != nil {
					b.Fatal(err)
				}
				later += time.Since(<-wrote)
				close(end)
				io.Copy(io.Discard, br)
			}
			b.ReportMetric(float64(first.Microseconds())/float64(b.N), "us-first-record")
			b.ReportMetric(float64(later.Microseconds())/float64(b.N), "us-later-record")
		})
	}
}

// countingWriter counts the bytes the runtime would send.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkCompression streams the reference workload's records with the
// default flushing, as identity, gzip and brotli: ns/op is the CPU of a
// record, bytes/record what leaves the function for it.
func BenchmarkCompression(b *testing.B) {
	for _, enc := range []string{"identity", Gzip, Brotli} {
		b.Run(enc, func(b *testing.B) {
			b.ReportAllocs()
			resp := NDJSON(context.Background(), &Options{Encodings: []string{Brotli, Gzip}, AcceptEncoding: enc}, func(ctx context.Context, w *NDJSONWriter) error {
				for i := 0; i < b.N; i++ {
					if err := w.Encode(benchRecord{Seq: i, At: benchAt.Add(time.Duration(i) * 10 * time.Millisecond), Payload: "reference workload record"}); err != nil {
						return err
					}
				}
				return nil
			})
			var c countingWriter
			if _, err := io.Copy(&c, resp); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(c.n)/float64(b.N), "bytes/record")
		})
	}
}
