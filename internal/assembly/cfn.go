package assembly

import (
	"encoding/json"
	"regexp"
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

var assetHash = regexp.MustCompile(`[a-f0-9]{64}`)

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
	return append(b, '\n')
}
