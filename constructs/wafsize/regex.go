package wafsize

import (
	"fmt"
	"strconv"
	"strings"
)

// GreaterThanRegexes returns anchored regular expressions, each at most
// maxLen characters, that together match the decimal numbers with as many
// digits as limit that are greater than it. (Numbers with more digits are
// caught by a length check; WAF has no numeric comparison of header values.)
func GreaterThanRegexes(limit int64, maxLen int) []string {
	n := strconv.FormatInt(limit, 10)
	var alts []string
	for i := 0; i < len(n); i++ {
		if n[i] == '9' {
			continue
		}
		alt := n[:i]
		if next := n[i] + 1; next == '9' {
			alt += "9"
		} else {
			alt += fmt.Sprintf("[%c-9]", next)
		}
		switch rest := len(n) - i - 1; rest {
		case 0:
		case 1:
			alt += "[0-9]"
		default:
			alt += fmt.Sprintf("[0-9]{%d}", rest)
		}
		alts = append(alts, alt)
	}
	const open, close = "^(?:", ")$"
	var out []string
	var cur []string
	size := len(open) + len(close)
	for _, a := range alts {
		if len(cur) > 0 && size+1+len(a) > maxLen {
			out = append(out, open+strings.Join(cur, "|")+close)
			cur, size = nil, len(open)+len(close)
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, a)
		size += len(a)
	}
	if len(cur) > 0 {
		out = append(out, open+strings.Join(cur, "|")+close)
	}
	return out
}
