package assembly

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Helpers for reading decoded CloudFormation templates (JSON as Go values).

// Get walks decoded JSON by keys; nil when a key is missing.
func Get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// Ref is the logical id in {"Ref": id}, or "".
func Ref(v any) string {
	s, _ := Get(v, "Ref").(string)
	return s
}

// GetAtt is the logical id in {"Fn::GetAtt": [id, attribute]}, or "".
func GetAtt(v any) string {
	args, _ := Get(v, "Fn::GetAtt").([]any)
	if len(args) != 2 {
		return ""
	}
	s, _ := args[0].(string)
	return s
}

var subVariable = regexp.MustCompile(`\$\{([A-Za-z0-9]+)[.}]`)

// Walk calls f with every object (map) inside v, v included, outermost
// first; when f returns false, Walk does not look inside that object.
func Walk(v any, f func(map[string]any) bool) {
	switch x := v.(type) {
	case map[string]any:
		if !f(x) {
			return
		}
		for _, e := range x {
			Walk(e, f)
		}
	case []any:
		for _, e := range x {
			Walk(e, f)
		}
	}
}

// References are the logical ids v refers to anywhere inside it: Ref,
// Fn::GetAtt (either form) and the ${Id} and ${Id.Attr} variables of
// Fn::Sub. Pseudo parameters (AWS::Region) are included as written.
func References(v any) map[string]bool {
	acc := map[string]bool{}
	Walk(v, func(m map[string]any) bool {
		for k, x := range m {
			switch k {
			case "Ref":
				if s, ok := x.(string); ok {
					acc[s] = true
				}
			case "Fn::GetAtt":
				switch a := x.(type) {
				case []any:
					if len(a) > 0 {
						if s, ok := a[0].(string); ok {
							acc[s] = true
						}
					}
				case string:
					acc[strings.SplitN(a, ".", 2)[0]] = true
				}
			case "Fn::Sub":
				s, _ := x.(string)
				if a, ok := x.([]any); ok && len(a) > 0 {
					s, _ = a[0].(string)
				}
				for _, m := range subVariable.FindAllStringSubmatch(s, -1) {
					acc[m[1]] = true
				}
			}
		}
		return true
	})
	return acc
}

var assetHash = regexp.MustCompile(`[a-f0-9]{64}`)

// versionHash is the code hash CDK appends to a function version's
// logical id (fn.CurrentVersion, EdgeFunction): it changes with the code,
// as asset hashes do.
var versionHash = regexp.MustCompile(`(CurrentVersion[0-9A-F]{8})[a-f0-9]{32}`)

// Normalize returns the template as indented JSON with sorted keys, asset
// hashes replaced by "<asset-hash>", the CDKMetadata resource (which
// encodes the library versions) and the asset metadata of resources (a
// local path, and whether CDK bundled it) removed: the form of golden
// snapshots.
func Normalize(template map[string]any) []byte {
	if res, ok := template["Resources"].(map[string]any); ok {
		delete(res, "CDKMetadata")
		for _, r := range res {
			if md, ok := Get(r, "Metadata").(map[string]any); ok {
				for _, k := range []string{"aws:asset:path", "aws:asset:is-bundled", "aws:asset:property"} {
					delete(md, k)
				}
				if len(md) == 0 {
					delete(r.(map[string]any), "Metadata")
				}
			}
		}
	}
	if c, ok := template["Conditions"].(map[string]any); ok {
		delete(c, "CDKMetadataAvailable")
		if len(c) == 0 {
			delete(template, "Conditions")
		}
	}
	b, err := json.MarshalIndent(template, "", "  ")
	if err != nil {
		panic(err)
	}
	b = assetHash.ReplaceAll(b, []byte("<asset-hash>"))
	b = versionHash.ReplaceAll(b, []byte("${1}<code-hash>"))
	return append(b, '\n')
}

// Diff is a line diff of want and got: changed lines with a few lines of
// context, "-" for want and "+" for got (templatetest.Diff, for golden
// snapshots).
func Diff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// Longest common subsequence table; templates are a few thousand lines.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var ops []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, line{' ', a[i]})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, line{'-', a[i]})
			i++
		default:
			ops = append(ops, line{'+', b[j]})
			j++
		}
	}
	const context = 3
	show := make([]bool, len(ops))
	for k, l := range ops {
		if l.op != ' ' {
			for c := max(0, k-context); c <= min(len(ops)-1, k+context); c++ {
				show[c] = true
			}
		}
	}
	var out strings.Builder
	for k, l := range ops {
		if !show[k] {
			continue
		}
		if k > 0 && !show[k-1] && out.Len() > 0 {
			out.WriteString("  ...\n")
		}
		fmt.Fprintf(&out, "%c %s\n", l.op, l.text)
	}
	return out.String()
}
