package apicheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

var (
	mdHeading = regexp.MustCompile(`^#{1,6} (.+?)\s*#*\s*$`)
	mdLink    = regexp.MustCompile(`\]\(([^)\s]*?)#([^)\s]+)\)`)
)

// Anchors are the anchors a forge gives the headings of the Markdown text
// md: the heading's text in lower case, without punctuation but hyphens
// and underscores, spaces made hyphens; a repeated one gets -1, -2, ...
func Anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		m := mdHeading.FindStringSubmatch(line)
		if inFence || m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			seen[a]++
			a = fmt.Sprintf("%s-%d", a, n)
		} else {
			seen[a] = 1
		}
		out[a] = true
	}
	return out
}

// CheckAnchors reports the links of the Markdown file rel (under root) to
// an anchor that no heading of the target has: #anchor in the same file,
// or OTHER.md#anchor relative to it.
func CheckAnchors(root, rel string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	anchors := map[string]map[string]bool{rel: Anchors(string(raw))}
	var errs []string
	for i, line := range strings.Split(string(raw), "\n") {
		for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
			target := rel
			if m[1] != "" {
				if strings.Contains(m[1], "://") || !strings.HasSuffix(m[1], ".md") {
					continue // another site, or a file that is not Markdown
				}
				target = filepath.ToSlash(filepath.Join(filepath.Dir(rel), m[1]))
			}
			if anchors[target] == nil {
				b, err := os.ReadFile(filepath.Join(root, target))
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s:%d: %s#%s: %v", rel, i+1, m[1], m[2], err))
					continue
				}
				anchors[target] = Anchors(string(b))
			}
			if !anchors[target][m[2]] {
				errs = append(errs, fmt.Sprintf("%s:%d: %s#%s: no heading of %s has that anchor", rel, i+1, m[1], m[2], target))
			}
		}
	}
	return errs, nil
}
