package propcheck

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Resolved reports whether v is known at synth time (not a Token).
func Resolved(v any) bool {
	if v == nil {
		return false
	}
	return !*awscdk.Token_IsUnresolved(v)
}

// Millis is d in milliseconds and whether it is known at synth time.
func Millis(d awscdk.Duration) (float64, bool) {
	if d == nil || *d.IsUnresolved() {
		return 0, false
	}
	return *d.ToMilliseconds(nil), true
}

// Human is d as "15 minutes", for messages.
func Human(d awscdk.Duration) string {
	if d == nil {
		return "unset"
	}
	if *d.IsUnresolved() {
		return "a Token"
	}
	return *d.ToHumanString()
}

// Bytes is n as "6 GiB (6442450944 bytes)", for messages.
func Bytes(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift {
			return fmt.Sprintf("%s %s (%d bytes)", strconv.FormatFloat(float64(n)/float64(int64(1)<<u.shift), 'f', -1, 64), u.name, n)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// Quote is s quoted for messages, or "unset".
func Quote(s *string) string {
	if s == nil {
		return "unset"
	}
	return fmt.Sprintf("%q", *s)
}
