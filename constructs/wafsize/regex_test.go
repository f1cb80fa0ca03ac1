package wafsize

import (
	"math/rand"
	"regexp"
	"strconv"
	"testing"
)

// TestGreaterThanRegexes checks the generated regexes against arithmetic:
// a same-length number matches exactly when it is above the limit.
func TestGreaterThanRegexes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, limit := range []int64{65537, 100000, 123456, 999999, 1000000, 5242880, 10485760, 9999999, 8000000} {
		for _, maxLen := range []int{200, 30} {
			res := GreaterThanRegexes(limit, maxLen)
			var compiled []*regexp.Regexp
			for _, r := range res {
				if len(r) > maxLen {
					t.Errorf("limit %d: regex %q is %d characters, over %d", limit, r, len(r), maxLen)
				}
				compiled = append(compiled, regexp.MustCompile(r))
			}
			digits := len(strconv.FormatInt(limit, 10))
			lo, hi := int64(1), int64(1)
			for i := 0; i < digits; i++ {
				hi *= 10
			}
			lo = hi / 10
			candidates := []int64{limit - 1, limit, limit + 1, lo, hi - 1}
			for i := 0; i < 20000; i++ {
				candidates = append(candidates, lo+rng.Int63n(hi-lo))
			}
			for _, n := range candidates {
				s := strconv.FormatInt(n, 10)
				if len(s) != digits {
					continue // other lengths are the length check's
				}
				matched := false
				for _, re := range compiled {
					matched = matched || re.MatchString(s)
				}
				if matched != (n > limit) {
					t.Fatalf("limit %d: %d matched=%v (regexes %q)", limit, n, matched, res)
				}
			}
			for _, s := range []string{strconv.FormatInt(limit, 10) + "0", "1" + strconv.FormatInt(limit, 10)[1:], " 9", ""} {
				for _, re := range compiled {
					if re.MatchString(s) && len(s) != digits {
						t.Errorf("limit %d: %q of another length matched %q", limit, s, re)
					}
				}
			}
		}
	}
	if got := GreaterThanRegexes(10485760, 200); len(got) != 1 || got[0] != "^(?:[2-9][0-9]{7}|1[1-9][0-9]{6}|10[5-9][0-9]{5}|1049[0-9]{4}|1048[6-9][0-9]{3}|10485[8-9][0-9]{2}|104857[7-9][0-9]|1048576[1-9])$" {
		t.Errorf("10 MB: %q", got)
	}
}
