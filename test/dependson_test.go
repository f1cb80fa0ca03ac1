package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoRedundantDependsOn: no resource of any app depends explicitly on a
// resource its properties already reference (Ref, Fn::GetAtt, Fn::Sub),
// which cfn-lint reports as W3005 "Obsolete DependsOn".
func TestNoRedundantDependsOn(t *testing.T) {
	dir := appsAssembly(t)
	templates, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
	var checked int
	for _, file := range templates {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var tmpl struct {
			Resources map[string]struct {
				DependsOn  any
				Properties any
			}
		}
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			t.Fatal(err)
		}
		for id, r := range tmpl.Resources {
			var deps []string
			switch d := r.DependsOn.(type) {
			case string:
				deps = []string{d}
			case []any:
				for _, x := range d {
					deps = append(deps, x.(string))
				}
			}
			if len(deps) == 0 {
				continue
			}
			checked++
			refs := references(r.Properties, map[string]bool{})
			for _, d := range deps {
				if refs[d] {
					t.Errorf("%s: %s DependsOn %s, which its properties reference already", filepath.Base(file), id, d)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("%d resources with DependsOn checked: the check read nothing", checked)
	}
}

var subVariable = regexp.MustCompile(`\$\{([A-Za-z0-9]+)[.}]`)

// references are the logical ids v refers to.
func references(v any, acc map[string]bool) map[string]bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "Ref":
				if s, ok := x.(string); ok {
					acc[s] = true
				}
			case "Fn::GetAtt":
				switch a := x.(type) {
				case []any:
					if s, ok := a[0].(string); ok {
						acc[s] = true
					}
				case string:
					acc[strings.SplitN(a, ".", 2)[0]] = true
				}
			case "Fn::Sub":
				s, _ := x.(string)
				if a, ok := x.([]any); ok {
					s, _ = a[0].(string)
				}
				for _, m := range subVariable.FindAllStringSubmatch(s, -1) {
					acc[m[1]] = true
				}
			}
			references(x, acc)
		}
	case []any:
		for _, x := range v {
			references(x, acc)
		}
	}
	return acc
}
