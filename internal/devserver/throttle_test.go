package devserver

import (
	"testing"
	"time"
)

// TestTokenBucket: API Gateway's throttling, a burst of tokens refilled at
// the rate.
func TestTokenBucket(t *testing.T) {
	b := newTokenBucket(2, 3)
	now := time.Unix(0, 0)
	var got []bool
	for i := 0; i < 5; i++ {
		got = append(got, b.take(now))
	}
	now = now.Add(500 * time.Millisecond) // one token back
	got = append(got, b.take(now), b.take(now))
	now = now.Add(10 * time.Second) // full again, never more than the burst
	for i := 0; i < 4; i++ {
		got = append(got, b.take(now))
	}
	want := []bool{true, true, true, false, false, true, false, true, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("takes %v, want %v", got, want)
		}
	}
	if newTokenBucket(0, 10) != nil || !(*tokenBucket)(nil).take(now) {
		t.Error("a stage without a rate is not throttled")
	}
}
