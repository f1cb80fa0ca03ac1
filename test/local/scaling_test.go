package local

import (
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestSixtyFourClientsScaleLikeLambda: 64 clients each read a 3 s stream at
// once. As Lambda would, the runner starts a process per concurrent
// invocation (up to its bound, 64 by default), instead of queueing them
// behind a few: every stream has started before the first one ends.
func TestSixtyFourClientsScaleLikeLambda(t *testing.T) {
	const clients = 64
	before := functionFor(t, "StreamsGetRecords").Started
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firsts, ends []time.Duration
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(streamsURL + "/records?count=60&interval_ms=50")
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			lines, err := readLines(resp, start)
			if err != nil || resp.StatusCode != 200 || len(lines) != 61 {
				t.Errorf("%d: %d lines, %v", resp.StatusCode, len(lines), err)
				return
			}
			mu.Lock()
			firsts, ends = append(firsts, lines[0].at), append(ends, lines[60].at)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(firsts) != clients {
		t.FailNow()
	}
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	sort.Slice(ends, func(i, j int) bool { return ends[i] < ends[j] })
	started := functionFor(t, "StreamsGetRecords").Started - before
	t.Logf("64 clients: first byte p50 %v, p99 %v, max %v; all done after %v; %d processes started", firsts[clients/2].Round(time.Millisecond),
		firsts[clients*99/100].Round(time.Millisecond), firsts[clients-1].Round(time.Millisecond), ends[clients-1].Round(time.Millisecond), started)
	if firsts[clients-1] >= ends[0] {
		t.Errorf("the last stream started after %v, when the first had ended (%v): the runner queued them", firsts[clients-1], ends[0])
	}
}

// TestReservedConcurrencyThrottlesAsLambdaDoes: a function whose template
// reserves a concurrency of 1 runs one invocation; a second at the same
// time is throttled by Lambda, which API Gateway answers with 500.
func TestReservedConcurrencyThrottlesAsLambdaDoes(t *testing.T) {
	first, _ := get(t, streamsURL+"/reserved/records?count=20&interval_ms=50")
	resp, err := http.Get(streamsURL + "/reserved/records?count=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(body) != `{"message":"Internal server error"}`+"\n" {
		t.Errorf("second concurrent invocation: %d %s, want 500 as API Gateway answers a Lambda throttle", resp.StatusCode, body)
	}
	io.Copy(io.Discard, first.Body)
	if resp, _ := get(t, streamsURL+"/reserved/records?count=1"); resp.StatusCode != 200 {
		t.Errorf("after the first ended: %d", resp.StatusCode)
	}
}

// TestStageThrottlingAsAPIGatewayDoesIt: the stage takes 2 requests a
// second in bursts of 3: of 6 requests at once, 3 pass and 3 get API
// Gateway's 429; a second later, two more pass.
func TestStageThrottlingAsAPIGatewayDoesIt(t *testing.T) {
	statuses := func(n int) map[int]int {
		got := map[int]int{}
		for i := 0; i < n; i++ {
			resp, err := http.Get(throttledURL + "/records?count=1&interval_ms=0")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 429 && resp.Header.Get("x-amzn-ErrorType") != "TooManyRequestsException" {
				t.Errorf("429 without API Gateway's error type: %v", resp.Header)
			}
			got[resp.StatusCode]++
		}
		return got
	}
	if got := statuses(6); got[200] != 3 || got[429] != 3 {
		t.Errorf("6 requests at once: %v, want 3 passed and 3 throttled", got)
	}
	time.Sleep(1100 * time.Millisecond)
	if got := statuses(2); got[200] != 2 {
		t.Errorf("a second later: %v, want 2 passed", got)
	}
}
