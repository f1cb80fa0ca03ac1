package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// split reads a whole streamed response and splits it on the 8-NUL
// delimiter into its decoded prelude and its body. err is the body's read
// error (nil at a clean EOF).
func split(t *testing.T, resp *events.APIGatewayProxyStreamingResponse) (prelude map[string]any, body string, err error) {
	t.Helper()
	raw, err := io.ReadAll(resp)
	i := bytes.Index(raw, []byte(Delimiter))
	if i < 0 {
		t.Fatalf("no 8-NUL delimiter in %q", raw)
	}
	if jerr := json.Unmarshal(raw[:i], &prelude); jerr != nil {
		t.Fatalf("prelude %q is not JSON: %v", raw[:i], jerr)
	}
	return prelude, string(raw[i+len(Delimiter):]), err
}

func lines(body string) []string { return strings.Split(strings.TrimSuffix(body, "\n"), "\n") }

func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got %q: not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q: not JSON: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON mismatch\n got: %s\nwant: %s", got, want)
	}
}

func TestPreludeDefaults(t *testing.T) {
	resp := NDJSON(context.Background(), nil, func(ctx context.Context, w *NDJSONWriter) error { return nil })
	prelude, _, err := split(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(prelude)
	jsonEqual(t, string(b), `{"statusCode":200,"headers":{"Content-Type":"application/x-ndjson","Cache-Control":"no-cache","X-Content-Type-Options":"nosniff"}}`)
}

func TestPreludeOptions(t *testing.T) {
	resp := SSE(context.Background(), &Options{
		StatusCode:        206,
		Headers:           map[string]string{"content-type": "text/event-stream; charset=utf-8", "X-Job": "7"},
		MultiValueHeaders: map[string][]string{"Link": {"</a>", "</b>"}},
		Cookies:           []string{"s=1; Secure"},
	}, func(ctx context.Context, w *SSEWriter) error { return nil })
	prelude, _, err := split(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(prelude)
	jsonEqual(t, string(b), `{"statusCode":206,
		"headers":{"content-type":"text/event-stream; charset=utf-8","Cache-Control":"no-cache","X-Content-Type-Options":"nosniff","X-Job":"7"},
		"multiValueHeaders":{"Link":["</a>","</b>"]},"cookies":["s=1; Secure"]}`)
}

func TestNDJSONFraming(t *testing.T) {
	resp := NDJSON(context.Background(), nil, func(ctx context.Context, w *NDJSONWriter) error {
		if err := w.Encode(map[string]any{"n": 1, "html": "<b>"}); err != nil {
			return err
		}
		if err := w.WriteLine([]byte(`{"n":2}`)); err != nil {
			return err
		}
		if err := w.WriteLine([]byte("{\"n\":\n3}")); !errors.Is(err, ErrNewline) {
			return fmt.Errorf("WriteLine with a newline: got %v, want ErrNewline", err)
		}
		return nil
	})
	_, body, err := split(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"html":"<b>","n":1}` + "\n" + `{"n":2}` + "\n" + `{"done":true,"records":2}` + "\n"
	if body != want {
		t.Errorf("body\n got: %q\nwant: %q", body, want)
	}
}

func TestNoDoneRecord(t *testing.T) {
	resp := NDJSON(context.Background(), &Options{DisableDoneRecord: true}, func(ctx context.Context, w *NDJSONWriter) error {
		return w.Encode(1)
	})
	if _, body, _ := split(t, resp); body != "1\n" {
		t.Errorf("body = %q, want %q", body, "1\n")
	}
}

func TestSSEFraming(t *testing.T) {
	resp := SSE(context.Background(), nil, func(ctx context.Context, w *SSEWriter) error {
		for _, e := range []Event{
			{ID: "1", Event: "progress", Data: map[string]int{"percent": 50}},
			{Data: "two\nlines\r\nand\rthree"},
			{Data: []byte("bytes"), Retry: 1500 * time.Millisecond},
		} {
			if err := w.Send(e); err != nil {
				return err
			}
		}
		if err := w.Comment("note"); err != nil {
			return err
		}
		if err := w.Send(Event{Event: "a\nb"}); !errors.Is(err, ErrBadField) {
			return fmt.Errorf("event name with a newline: got %v, want ErrBadField", err)
		}
		return w.Data(nil)
	})
	_, body, err := split(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	want := "id: 1\nevent: progress\ndata: {\"percent\":50}\n\n" +
		"data: two\ndata: lines\ndata: and\ndata: three\n\n" +
		"retry: 1500\ndata: bytes\n\n" +
		": note\n\n" +
		"data: \n\n" +
		"event: done\ndata: {\"records\":4}\n\n"
	if body != want {
		t.Errorf("body\n got: %q\nwant: %q", body, want)
	}
}

func TestRawStream(t *testing.T) {
	resp := Raw(context.Background(), "text/csv", nil, func(ctx context.Context, w io.Writer) error {
		_, err := io.Copy(w, strings.NewReader("a,b\n1,2\n"))
		return err
	})
	prelude, body, err := split(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	if got := prelude["headers"].(map[string]any)["Content-Type"]; got != "text/csv" {
		t.Errorf("Content-Type = %v", got)
	}
	if body != "a,b\n1,2\n" {
		t.Errorf("body = %q: a raw stream has no in-band records", body)
	}
}

func TestFlushPerRecordAndPerBatch(t *testing.T) {
	for _, tc := range []struct {
		flushEvery int
		buffered   []bool // after each of 4 records: are bytes still buffered?
	}{
		{1, []bool{false, false, false, false}},
		{3, []bool{true, true, false, true}},
	} {
		t.Run(fmt.Sprint("FlushEvery=", tc.flushEvery), func(t *testing.T) {
			var got []bool
			resp := NDJSON(context.Background(), &Options{FlushEvery: tc.flushEvery}, func(ctx context.Context, w *NDJSONWriter) error {
				for i := 0; i < 4; i++ {
					if err := w.Encode(i); err != nil {
						return err
					}
					w.s.mu.Lock()
					got = append(got, w.s.bw.Buffered() > 0)
					w.s.mu.Unlock()
				}
				return nil
			})
			if _, _, err := split(t, resp); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.buffered) {
				t.Errorf("buffered after each record = %v, want %v", got, tc.buffered)
			}
		})
	}
}

// fakeClock is a Clock that moves only when the test advances it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{c.now.Add(d), ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// waitForWaiter blocks until some goroutine waits on the clock.
func (c *fakeClock) waitForWaiter(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		c.mu.Lock()
		n := len(c.waiters)
		c.mu.Unlock()
		if n > 0 {
			return
		}
	}
	t.Fatal("nothing waits on the clock")
}

// chunks reads r in the background and delivers each read.
func chunks(r io.Reader) <-chan string {
	ch := make(chan string, 16)
	go func() {
		defer close(ch)
		buf := make([]byte, 64<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				ch <- string(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

func expectChunk(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("chunk = %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no chunk, want %q", want)
	}
}

func expectNoChunk(t *testing.T, ch <-chan string) {
	t.Helper()
	select {
	case got := <-ch:
		t.Fatalf("unexpected chunk %q", got)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestSSEHeartbeatTiming(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	send := make(chan string)
	resp := SSE(context.Background(), &Options{Clock: clock, HeartbeatInterval: 15 * time.Second},
		func(ctx context.Context, w *SSEWriter) error {
			for d := range send {
				if err := w.Data(d); err != nil {
					return err
				}
			}
			return nil
		})
	ch := chunks(resp)
	<-ch // the prelude

	clock.waitForWaiter(t)
	clock.Advance(14 * time.Second)
	expectNoChunk(t, ch)
	clock.Advance(time.Second) // t=15 s of silence
	expectChunk(t, ch, ":\n\n")

	clock.waitForWaiter(t)
	clock.Advance(5 * time.Second) // t=20 s: an event resets the silence
	send <- "x"
	expectChunk(t, ch, "data: x\n\n")
	clock.Advance(10 * time.Second) // t=30 s: only 10 s since the event
	clock.waitForWaiter(t)
	expectNoChunk(t, ch)
	clock.Advance(5 * time.Second) // t=35 s: 15 s since the event
	expectChunk(t, ch, ":\n\n")

	close(send)
	expectChunk(t, ch, "event: done\ndata: {\"records\":1}\n\n")
}

func TestHeartbeatDisabled(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	resp := SSE(context.Background(), &Options{Clock: clock, HeartbeatInterval: -1}, func(ctx context.Context, w *SSEWriter) error {
		clock.Advance(time.Hour)
		return nil
	})
	if _, body, _ := split(t, resp); strings.Contains(body, ":\n\n") && !strings.HasPrefix(body, "event") {
		t.Errorf("heartbeat in %q", body)
	}
	if n := len(clock.waiters); n != 0 {
		t.Errorf("%d goroutines wait on the clock with heartbeats disabled", n)
	}
}

func TestReaderClosedStopsProducer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		produce func(ctx context.Context, w *NDJSONWriter) error
	}{
		{"writes until a write fails", func(ctx context.Context, w *NDJSONWriter) error {
			for i := 0; ; i++ {
				if err := w.Encode(i); err != nil {
					return err
				}
			}
		}},
		{"sleeps between records on its context", func(ctx context.Context, w *NDJSONWriter) error {
			for i := 0; ; i++ {
				if err := w.Encode(i); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return context.Cause(ctx)
				case <-time.After(time.Hour):
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := NDJSON(context.Background(), nil, tc.produce)
			buf := make([]byte, 64)
			if _, err := io.ReadAtLeast(resp, buf, len(buf)); err != nil {
				t.Fatal(err)
			}
			if err := resp.Close(); err != nil {
				t.Fatal(err)
			}
			s := resp.Body.(*Stream)
			select {
			case <-s.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the producer goroutine did not exit after the reader closed")
			}
			if !errors.Is(s.Err(), ErrClientClosed) {
				t.Errorf("Err() = %v, want ErrClientClosed", s.Err())
			}
		})
	}
}

func TestDeadlineEndsStreamWithErrorRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp := NDJSON(ctx, &Options{DeadlineMargin: 200 * time.Millisecond}, func(ctx context.Context, w *NDJSONWriter) error {
		for i := 0; ; i++ {
			if err := w.Encode(i); err != nil {
				return err
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	_, body, err := split(t, resp)
	if !errors.Is(err, ErrDeadline) {
		t.Errorf("body read error = %v, want ErrDeadline (the runtime turns it into trailers)", err)
	}
	if elapsed := time.Since(start); elapsed >= 400*time.Millisecond {
		t.Errorf("stream ended after %v, not before the 400 ms invoke deadline", elapsed)
	}
	l := lines(body)
	last := l[len(l)-1]
	jsonEqual(t, last, fmt.Sprintf(`{"error":{"code":"DeadlineExceeded","message":%q},"records":%d}`, ErrDeadline.Error(), len(l)-1))
	if resp.Body.(*Stream).Err() != ErrDeadline {
		t.Errorf("Err() = %v", resp.Body.(*Stream).Err())
	}
}

// TestDeadlineEndsStreamWhileTheProducerIsStuck: a producer blocked in a
// call that ignores its context (an upstream read) still gets its stream
// ended, with the error record and the read error, at the deadline
// margin: after the invocation's deadline nothing would reach the client.
func TestDeadlineEndsStreamWhileTheProducerIsStuck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	release, returned := make(chan struct{}), make(chan struct{})
	var late error
	resp := NDJSON(ctx, &Options{DeadlineMargin: time.Minute - 100*time.Millisecond}, func(ctx context.Context, w *NDJSONWriter) error {
		defer close(returned)
		_ = w.Encode("first")
		<-release // stuck until the test lets go, whatever ctx says
		late = w.Encode("late")
		return late
	})
	read := make(chan error, 1)
	var body []byte
	go func() {
		var err error
		body, err = io.ReadAll(resp.Body)
		read <- err
	}()
	select {
	case err := <-read:
		if !errors.Is(err, ErrDeadline) {
			t.Errorf("body read error = %v, want ErrDeadline", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the stream did not end at the deadline margin while the producer was stuck")
	}
	select {
	case <-returned:
		t.Fatal("the producer returned before the test released it")
	default:
	}
	close(release)
	<-resp.Body.(*Stream).Done()
	l := lines(string(body))
	if len(l) != 2 || l[0] != `"first"` {
		t.Fatalf("records %q", l)
	}
	jsonEqual(t, l[1], fmt.Sprintf(`{"error":{"code":"DeadlineExceeded","message":%q},"records":1}`, ErrDeadline.Error()))
	if resp.Body.(*Stream).Err() != ErrDeadline || !errors.Is(late, ErrDeadline) {
		t.Errorf("Err() = %v, the late write's %v; want ErrDeadline for both", resp.Body.(*Stream).Err(), late)
	}
}

func TestProducerPanicBecomesErrorRecord(t *testing.T) {
	var logged string
	resp := NDJSON(context.Background(), &Options{Logf: func(f string, a ...any) { logged = fmt.Sprintf(f, a...) }},
		func(ctx context.Context, w *NDJSONWriter) error {
			_ = w.Encode("a")
			var m map[string]int
			m["boom"]++ // panics: assignment to entry in nil map
			return nil
		})
	_, body, err := split(t, resp)
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("body read error = %v, want a *PanicError", err)
	}
	l := lines(body)
	if len(l) != 2 || l[0] != `"a"` {
		t.Fatalf("lines = %q", l)
	}
	jsonEqual(t, l[1], `{"error":{"code":"Panic","message":"stream producer panicked: assignment to entry in nil map"},"records":1}`)
	if !strings.Contains(logged, "stream_test.go") {
		t.Errorf("the panic's stack was not logged: %q", logged)
	}
}

func TestProducerErrorAndSSEErrorEvent(t *testing.T) {
	resp := SSE(context.Background(), nil, func(ctx context.Context, w *SSEWriter) error {
		return errors.New(`job "7" failed`)
	})
	_, body, err := split(t, resp)
	if err == nil || err.Error() != `job "7" failed` {
		t.Errorf("body read error = %v", err)
	}
	want := "event: error\ndata: {\"code\":\"ProducerError\",\"message\":\"job \\\"7\\\" failed\",\"records\":0}\n\n"
	if body != want {
		t.Errorf("body = %q, want %q", body, want)
	}
}

func TestHandlerContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	resp := NDJSON(ctx, nil, func(ctx context.Context, w *NDJSONWriter) error {
		cancel()
		<-ctx.Done()
		return w.Encode(1)
	})
	_, body, err := split(t, resp)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	jsonEqual(t, strings.TrimSpace(body), `{"error":{"code":"Canceled","message":"context canceled"},"records":0}`)
}

func TestWriteAfterReturn(t *testing.T) {
	var kept *NDJSONWriter
	resp := NDJSON(context.Background(), nil, func(ctx context.Context, w *NDJSONWriter) error { kept = w; return nil })
	split(t, resp)
	<-resp.Body.(*Stream).Done()
	if err := kept.Encode(1); !errors.Is(err, ErrFinished) {
		t.Errorf("write after return = %v, want ErrFinished", err)
	}
}

func TestJSONAndErrorResponses(t *testing.T) {
	prelude, body, err := split(t, Error(404, "NotFound", "no export named x"))
	if err != nil {
		t.Fatal(err)
	}
	if prelude["statusCode"] != float64(404) {
		t.Errorf("statusCode = %v", prelude["statusCode"])
	}
	jsonEqual(t, body, `{"error":{"code":"NotFound","message":"no export named x"}}`)
	prelude, _, _ = split(t, JSON(200, func() {}))
	if prelude["statusCode"] != float64(500) {
		t.Errorf("an unencodable value gives %v, want 500", prelude["statusCode"])
	}
}

// TestGigabyteWithBoundedHeap streams 1 GiB through the NDJSON writer and
// checks that the heap stays at a few MB while it does.
func TestGigabyteWithBoundedHeap(t *testing.T) {
	const total = 1 << 30
	line := bytes.Repeat([]byte("x"), 16<<10-3)
	line = append(append([]byte{'"'}, line...), '"') // a 16 KiB JSON string with its newline
	records := total / (len(line) + 1)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	resp := NDJSON(context.Background(), nil, func(ctx context.Context, w *NDJSONWriter) error {
		for i := 0; i < records; i++ {
			if err := w.WriteLine(line); err != nil {
				return err
			}
		}
		return nil
	})
	n, err := io.Copy(io.Discard, resp)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	if n < total {
		t.Fatalf("streamed %d bytes, want at least %d", n, total)
	}
	grown := int64(peak) - int64(before.HeapAlloc)
	t.Logf("streamed %d MiB; heap peak %.1f MiB (%.1f MiB above the start)", n>>20, float64(peak)/(1<<20), float64(grown)/(1<<20))
	if grown > 8<<20 {
		t.Errorf("heap grew by %d bytes while streaming 1 GiB; want under 8 MiB", grown)
	}
}

// batches encodes each batch of numbers it is sent, then says so on wrote.
func batches(send <-chan []int, wrote chan<- struct{}) func(ctx context.Context, w *NDJSONWriter) error {
	return func(ctx context.Context, w *NDJSONWriter) error {
		for batch := range send {
			for _, n := range batch {
				if err := w.Encode(n); err != nil {
					return err
				}
			}
			wrote <- struct{}{}
		}
		return nil
	}
}

// TestFlushIntervalBoundsTheWait: by default the first record leaves at
// once; later records are coalesced, and each batch leaves exactly when its
// oldest record is FlushInterval old, even while the producer waits.
func TestFlushIntervalBoundsTheWait(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	send, wrote := make(chan []int), make(chan struct{})
	resp := NDJSON(context.Background(), &Options{Clock: clock, FlushInterval: 5 * time.Millisecond, DisableDoneRecord: true},
		batches(send, wrote))
	ch := chunks(resp.Body)
	send <- []int{0}
	<-wrote
	expectChunk(t, ch, "0\n") // the first record: at once
	send <- []int{1}
	<-wrote
	clock.waitForWaiter(t)
	expectNoChunk(t, ch)
	clock.Advance(5*time.Millisecond - time.Nanosecond)
	expectNoChunk(t, ch) // not before the interval
	clock.Advance(time.Nanosecond)
	expectChunk(t, ch, "1\n") // the producer is waiting: sent on time all the same
	send <- []int{2, 3, 4}
	<-wrote
	clock.waitForWaiter(t)
	clock.Advance(5 * time.Millisecond)
	expectChunk(t, ch, "2\n3\n4\n") // one batch, one write
	close(send)
	for range ch {
	}
}

// TestFlushEveryWithIntervalSendsWhicheverComesFirst: a batch of 3 leaves
// when it is full; a shorter one when its first record is FlushInterval old.
func TestFlushEveryWithIntervalSendsWhicheverComesFirst(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	send, wrote := make(chan []int), make(chan struct{})
	resp := NDJSON(context.Background(), &Options{Clock: clock, FlushEvery: 3, FlushInterval: time.Second, DisableDoneRecord: true},
		batches(send, wrote))
	ch := chunks(resp.Body)
	send <- []int{0, 1, 2}
	<-wrote
	expectChunk(t, ch, "0\n1\n2\n") // full: no waiting for the clock
	send <- []int{3}
	<-wrote
	clock.waitForWaiter(t)
	expectNoChunk(t, ch)
	clock.Advance(time.Second)
	expectChunk(t, ch, "3\n")
	close(send)
	for range ch {
	}
}

// TestNegativeFlushIntervalWaitsForTheBatch: no time bound at all.
func TestNegativeFlushIntervalWaitsForTheBatch(t *testing.T) {
	send := make(chan int)
	resp := NDJSON(context.Background(), &Options{FlushEvery: 2, FlushInterval: -1, DisableDoneRecord: true}, func(ctx context.Context, w *NDJSONWriter) error {
		for n := range send {
			if err := w.Encode(n); err != nil {
				return err
			}
		}
		return nil
	})
	ch := chunks(resp.Body)
	send <- 0
	expectNoChunk(t, ch)
	send <- 1
	expectChunk(t, ch, "0\n1\n")
	close(send)
	for range ch {
	}
}
