package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamgate/streamgate/internal/assembly"
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
			refs := assembly.References(r.Properties)
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
