// Package props holds the validation and default helpers the streamgate
// constructs share: problems collected across all props and reported at
// once, and checks that leave unresolved Tokens alone.
package props

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Problems collects every invalid prop of a construct so that synth reports
// them all at once instead of one per run.
type Problems struct {
	construct string // e.g. `StreamingRestApi "Api"`
	list      []string
}

// NewProblems starts a collection for the construct type and id.
func NewProblems(constructType, id string) *Problems {
	return &Problems{construct: fmt.Sprintf("%s %q", constructType, id)}
}

// Add records that prop has value, says what is allowed and how to fix it.
func (p *Problems) Add(prop, value, allowed, fix string) {
	p.list = append(p.list, fmt.Sprintf("%s is %s; allowed: %s. Fix: %s.", prop, value, allowed, fix))
}

// Addf records a problem in free form, for those that are not one prop's value.
func (p *Problems) Addf(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// Len is the number of problems recorded.
func (p *Problems) Len() int { return len(p.list) }

// Err is nil when nothing was recorded, else one error listing every problem.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	noun := "prop"
	if len(p.list) > 1 {
		noun = "props"
	}
	return fmt.Errorf("%s has %d invalid %s:\n  - %s", p.construct, len(p.list), noun, strings.Join(p.list, "\n  - "))
}

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
