// Package cfnspec checks synthesized CloudFormation templates against the
// resource specification shipped in the npm package @aws-cdk/aws-service-spec
// (db.json.gz, installed by scripts/setup.sh): resource types, property
// names at every depth, required properties, allowed values of enums and
// the attributes named by Fn::GetAtt. What it cannot judge (values of
// intrinsic functions, number formats) it leaves alone.
package cfnspec

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/streamgate/streamgate/internal/assembly"
)

// Spec is the specification of every resource type.
type Spec struct {
	Resources map[string]*Resource // by CloudFormation type
	types     map[string]*TypeDef  // by $id
}

// Resource is one resource type.
type Resource struct {
	Type       string               `json:"cloudFormationType"`
	Properties map[string]*Property `json:"properties"`
	Attributes map[string]any       `json:"attributes"`
}

// TypeDef is a property type (a struct of properties).
type TypeDef struct {
	ID         string               `json:"$id"`
	Name       string               `json:"name"`
	Properties map[string]*Property `json:"properties"`
}

// Property is a property of a resource or a type.
type Property struct {
	Type     *Type `json:"type"`
	Required bool  `json:"required"`
}

// Type is a property's type: string, number, integer, boolean, json, tag,
// date-time, ref (to a TypeDef), array, map or union.
type Type struct {
	Type          string `json:"type"`
	AllowedValues []any  `json:"allowedValues"`
	Reference     *struct {
		Ref string `json:"$ref"`
	} `json:"reference"`
	Element *Type   `json:"element"`
	Types   []*Type `json:"types"`
}

// DefaultPath is where scripts/setup.sh installs the specification, under
// the module root.
const DefaultPath = ".tools/node_modules/@aws-cdk/aws-service-spec/db.json.gz"

// Load reads db.json.gz.
func Load(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var db struct {
		Schema struct {
			Resource struct {
				Entities []*Resource `json:"entities"`
			} `json:"resource"`
			TypeDefinition struct {
				Entities []*TypeDef `json:"entities"`
			} `json:"typeDefinition"`
		} `json:"schema"`
	}
	if err := json.NewDecoder(gz).Decode(&db); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	s := &Spec{Resources: map[string]*Resource{}, types: map[string]*TypeDef{}}
	for _, r := range db.Schema.Resource.Entities {
		s.Resources[r.Type] = r
	}
	for _, t := range db.Schema.TypeDefinition.Entities {
		s.types[t.ID] = t
	}
	return s, nil
}

// Check returns every problem of template (a decoded template), sorted.
func (s *Spec) Check(template map[string]any) []string {
	var out []string
	resources, _ := template["Resources"].(map[string]any)
	types := map[string]string{}
	for id, r := range resources {
		if m, ok := r.(map[string]any); ok {
			types[id], _ = m["Type"].(string)
		}
	}
	for id, r := range resources {
		m, _ := r.(map[string]any)
		typ := types[id]
		if strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource" || typ == "AWS::CDK::Metadata" {
			continue
		}
		spec, ok := s.Resources[typ]
		if !ok {
			out = append(out, fmt.Sprintf("%s: unknown resource type %q", id, typ))
			continue
		}
		props, _ := m["Properties"].(map[string]any)
		out = append(out, s.checkProps(id+".Properties", spec.Properties, props)...)
	}
	// Fn::GetAtt must name an attribute the resource type has.
	assembly.Walk(template, func(v map[string]any) bool {
		args, ok := v["Fn::GetAtt"].([]any)
		if !ok || len(args) != 2 {
			return true
		}
		target, _ := args[0].(string)
		attr, ok := args[1].(string)
		spec := s.Resources[types[target]]
		if !ok || spec == nil || strings.HasPrefix(types[target], "Custom::") {
			return true
		}
		if _, known := spec.Attributes[attr]; !known {
			out = append(out, fmt.Sprintf("Fn::GetAtt %s.%s: %s has no attribute %q", target, attr, types[target], attr))
		}
		return true
	})
	sort.Strings(out)
	return out
}

func (s *Spec) checkProps(path string, spec map[string]*Property, props map[string]any) []string {
	var out []string
	for name, v := range props {
		p, ok := spec[name]
		if !ok {
			out = append(out, fmt.Sprintf("%s.%s: no such property (known: %s)", path, name, strings.Join(keys(spec), ", ")))
			continue
		}
		out = append(out, s.checkValue(path+"."+name, p.Type, v)...)
	}
	for name, p := range spec {
		if _, set := props[name]; p.Required && !set {
			out = append(out, fmt.Sprintf("%s.%s: required property missing", path, name))
		}
	}
	return out
}

func (s *Spec) checkValue(path string, t *Type, v any) []string {
	if t == nil || intrinsic(v) {
		return nil
	}
	switch t.Type {
	case "string":
		if str, ok := v.(string); ok && len(t.AllowedValues) > 0 && !contains(t.AllowedValues, str) {
			return []string{fmt.Sprintf("%s: %q is not one of %s", path, str, join(t.AllowedValues))}
		}
	case "ref":
		def := s.types[t.Reference.Ref]
		m, ok := v.(map[string]any)
		if def == nil {
			return nil
		}
		if !ok {
			return []string{fmt.Sprintf("%s: %v is not an object (%s)", path, v, def.Name)}
		}
		return s.checkProps(path, def.Properties, m)
	case "array":
		list, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: not a list", path)}
		}
		var out []string
		for i, e := range list {
			out = append(out, s.checkValue(fmt.Sprintf("%s[%d]", path, i), t.Element, e)...)
		}
		return out
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: not a map", path)}
		}
		var out []string
		for k, e := range m {
			out = append(out, s.checkValue(path+"."+k, t.Element, e)...)
		}
		return out
	case "union":
		var first []string
		for i, alt := range t.Types {
			problems := s.checkValue(path, alt, v)
			if len(problems) == 0 {
				return nil
			}
			if i == 0 {
				first = problems
			}
		}
		return first
	}
	return nil
}

// intrinsic reports whether v is {"Ref": ...} or {"Fn::...": ...}.
func intrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::") || k == "Condition"
	}
	return false
}

func keys(m map[string]*Property) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []any, s string) bool {
	for _, x := range list {
		if fmt.Sprint(x) == s {
			return true
		}
	}
	return false
}

func join(list []any) string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = fmt.Sprint(x)
	}
	return strings.Join(out, ", ")
}
