// Package header reads and edits the plain header maps of API Gateway proxy
// events and responses, whose names keep the client's or the handler's
// spelling: every lookup ignores case.
package header

import "strings"

// Lookup finds a header by name, ignoring case.
func Lookup(h map[string]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// AddVary adds name to the Vary header of h (whatever its spelling), once.
func AddVary(h map[string]string, name string) {
	for k, v := range h {
		if !strings.EqualFold(k, "Vary") {
			continue
		}
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
		h[k] = v + ", " + name
		return
	}
	h["Vary"] = name
}
