// Package assemblytest writes cloud assemblies for the tests of the code
// that reads them (the local runner's loader and server): a manifest that
// names one stack, and the JSON files a test puts beside it.
package assemblytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// OneStack makes a cloud assembly directory whose manifest names one stack,
// stack, with its template in stack.template.json, and returns it with
// write, which writes v as JSON to name in it (the template, a nested
// template, ...) and fails t when it cannot.
func OneStack(t testing.TB, stack string) (dir string, write func(name string, v any)) {
	t.Helper()
	dir = t.TempDir()
	write = func(name string, v any) {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.json", map[string]any{"artifacts": map[string]any{stack: map[string]any{
		"type": "aws:cloudformation:stack", "properties": map[string]any{"templateFile": stack + ".template.json"}}}})
	return dir, write
}

// Template makes a one-stack cloud assembly (OneStack) whose template has
// these resources, and returns its directory.
func Template(t testing.TB, stack string, resources map[string]any) string {
	t.Helper()
	dir, write := OneStack(t, stack)
	write(stack+".template.json", map[string]any{"Resources": resources})
	return dir
}
