package loader

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/streamgate/streamgate/internal/assembly"
)

// A nested stack (AWS::CloudFormation::Stack) of a stack in the assembly
// has its template in the assembly too, as a file asset
// (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.NestedStack.html):
// the resource's metadata "aws:asset:path" names it when the app was
// synthesized with asset metadata (the cdk CLI's default), and otherwise
// its TemplateURL ends in the asset's hash, which the stack's asset
// manifest maps to the file. The loader inlines each nested template into
// its parent: its resources under ids "<Stack resource id>.<logical id>",
// each reference to one of its parameters replaced by the value the parent
// passes (a Ref or Fn::GetAtt of the parent's resources), so that a method
// of a nested stack finds its parent's REST API, resources and functions
// as if they were one template.

// nestedSep separates a nested stack's logical id from its resources'
// (CloudFormation logical ids are alphanumeric: no clash).
const nestedSep = "."

// maxNestedDepth bounds the nesting (StreamingRestApi chains its nested
// stacks, one in the other), and a loop.
const maxNestedDepth = 64

var assetKey = regexp.MustCompile(`([0-9a-f]{64})\.json$`)

// nestedTemplates finds the templates of nested stacks in the assembly's
// asset manifests: asset hash -> file.
type nestedTemplates struct {
	dir    string
	byHash map[string]string
}

func readNestedTemplates(dir string, m *assembly.Manifest) (*nestedTemplates, error) {
	nt := &nestedTemplates{dir: dir, byHash: map[string]string{}}
	for _, art := range m.Artifacts {
		if art.Type != "cdk:asset-manifest" || art.Properties.File == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, art.Properties.File))
		if err != nil {
			return nil, err
		}
		var am struct {
			Files map[string]struct {
				Source struct {
					Path      string `json:"path"`
					Packaging string `json:"packaging"`
				} `json:"source"`
			} `json:"files"`
		}
		if err := json.Unmarshal(b, &am); err != nil {
			return nil, fmt.Errorf("%s: %w", art.Properties.File, err)
		}
		for hash, f := range am.Files {
			if f.Source.Packaging == "file" && filepath.Ext(f.Source.Path) == ".json" {
				nt.byHash[hash] = f.Source.Path
			}
		}
	}
	return nt, nil
}

// file is the template file of nested stack resource r, or "".
func (nt *nestedTemplates) file(r cfnResource) string {
	if p, ok := r.Metadata["aws:asset:path"].(string); ok && p != "" {
		return filepath.Join(nt.dir, p)
	}
	for _, s := range flatten(r.Properties["TemplateURL"]) {
		if k := assetKey.FindStringSubmatch(s); k != nil && nt.byHash[k[1]] != "" {
			return filepath.Join(nt.dir, nt.byHash[k[1]])
		}
	}
	return ""
}

// flatten is every string in v, a template value.
func flatten(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return nil
}

// inlineNested returns res with the resources of its nested stacks (and
// theirs) added, as the package comment above describes. A nested stack
// whose template is not in the assembly is listed as not emulated.
func (a *Assembly) inlineNested(nt *nestedTemplates, stack string, res map[string]cfnResource, depth int) (map[string]cfnResource, error) {
	out := res
	for id, r := range res {
		if r.Type != "AWS::CloudFormation::Stack" {
			continue
		}
		file := nt.file(r)
		if file == "" || depth >= maxNestedDepth {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: nested stack whose template is not in the assembly (its resources are not served)", stack, id))
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		var t struct {
			Resources map[string]cfnResource `json:"Resources"`
		}
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		inner, err := a.inlineNested(nt, stack+"/"+id, t.Resources, depth+1)
		if err != nil {
			return nil, err
		}
		params, _ := r.Properties["Parameters"].(map[string]any)
		if len(out) == len(res) {
			out = make(map[string]cfnResource, len(res)+len(inner))
			for k, v := range res {
				out[k] = v
			}
		}
		for nid, nr := range inner {
			props, _ := rewriteRefs(nr.Properties, id, inner, params).(map[string]any)
			out[id+nestedSep+nid] = cfnResource{Type: nr.Type, Metadata: nr.Metadata, Properties: props}
		}
	}
	return out, nil
}

// rewriteRefs is v with the nested stack's references made the parent's:
// a Ref to a parameter becomes the value passed for it, a Ref or
// Fn::GetAtt of one of its resources names that resource's inlined id.
func rewriteRefs(v any, prefix string, res map[string]cfnResource, params map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if ref, ok := x["Ref"].(string); ok {
				if p, ok := params[ref]; ok {
					return p
				}
				if _, ok := res[ref]; ok {
					return map[string]any{"Ref": prefix + nestedSep + ref}
				}
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
				if id, ok := ga[0].(string); ok {
					if _, ok := res[id]; ok {
						return map[string]any{"Fn::GetAtt": []any{prefix + nestedSep + id, ga[1]}}
					}
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = rewriteRefs(e, prefix, res, params)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rewriteRefs(e, prefix, res, params)
		}
		return out
	}
	return v
}
