package templatetest

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDiffShowsChangesWithContext(t *testing.T) {
	want := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj"
	got := "a\nb\nc\nd\ne\nF\ng\nh\ni\nj\nk"
	if d, exp := Diff(want, got), "  c\n  d\n  e\n- f\n+ F\n  g\n  h\n  i\n  j\n+ k\n"; d != exp {
		t.Errorf("diff:\n%s\nwant:\n%s", d, exp)
	}
	far := Diff("1\n2\n3\n4\n5\n6\n7\n8\n9", "x\n2\n3\n4\n5\n6\n7\n8\ny")
	if exp := "- 1\n+ x\n  2\n  3\n  4\n  ...\n  6\n  7\n  8\n- 9\n+ y\n"; far != exp {
		t.Errorf("diff of distant changes:\n%s\nwant:\n%s", far, exp)
	}
}

func TestNormalizeReplacesAssetHashesAndDropsMetadata(t *testing.T) {
	tmpl := map[string]any{
		"Resources": map[string]any{
			"CDKMetadata": map[string]any{"Type": "AWS::CDK::Metadata"},
			"Fn": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{
				"Code": map[string]any{"S3Key": strings.Repeat("ab", 32) + ".zip"},
			}},
			"Reader": map[string]any{"Type": "Custom::CrossRegionStringParameterReader", "Properties": map[string]any{
				"RefreshToken": "EdgeFunction6c43cd7f80CurrentVersion36192BD9e24cd400865f04c54494a42c0f6b96ee",
			}},
		},
		"Conditions": map[string]any{"CDKMetadataAvailable": map[string]any{}},
	}
	got := string(Normalize(tmpl))
	if strings.Contains(got, "CDKMetadata") || !strings.Contains(got, `"S3Key": "<asset-hash>.zip"`) ||
		!strings.Contains(got, `"RefreshToken": "EdgeFunction6c43cd7f80CurrentVersion36192BD9<code-hash>"`) {
		t.Errorf("normalised template:\n%s", got)
	}
}

// TestGoldenUpdatesUnderTheEnvironmentVariable: TEMPLATETEST_UPDATE works
// in every package of a module, where -update is only defined in packages
// that import templatetest.
func TestGoldenUpdatesUnderTheEnvironmentVariable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "testdata", "s.golden.json")
	tmpl := map[string]any{"Resources": map[string]any{"A": map[string]any{"Type": "AWS::SNS::Topic"}}}
	t.Setenv(UpdateEnv, "1")
	Golden(t, path, tmpl)
	t.Setenv(UpdateEnv, "")
	r := &recorder{}
	Golden(r, path, tmpl)
	if len(r.errors) != 0 {
		t.Errorf("the written snapshot does not match: %v", r.errors)
	}
	Golden(r, path, map[string]any{"Resources": map[string]any{}})
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "TEMPLATETEST_UPDATE=1") {
		t.Errorf("a changed template: %v", r.errors)
	}
}
