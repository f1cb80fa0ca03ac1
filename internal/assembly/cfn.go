package assembly

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
