package controltower

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// guard installs the pinned package (scripts/cfnguard.sh, a no-op once
// installed) and finds it.
func guard(t *testing.T) *Guard {
	t.Helper()
	root, _ := filepath.Abs("../..")
	if out, err := exec.Command(filepath.Join(root, "scripts", "cfnguard.sh")).CombinedOutput(); err != nil {
		t.Fatalf("scripts/cfnguard.sh: %v\n%s", err, out)
	}
	g, err := Find(filepath.Join(root, ".tools", "cfnguard"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestFindingsNameControlResourceAndAcknowledgement: a bucket without
// object lock fails CT.S3.PR.9, attributed to that bucket only (the one
// with object lock passes), and its acknowledgement is read from its
// metadata.
func TestFindingsNameControlResourceAndAcknowledgement(t *testing.T) {
	g := guard(t)
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.template.json")
	os.WriteFile(tmpl, []byte(`{"Resources":{
		"Plain":{"Type":"AWS::S3::Bucket","Metadata":{"control_tower":{"acknowledged":[{"id":"CT.S3.PR.9","reason":"because"}]}}},
		"Locked":{"Type":"AWS::S3::Bucket","Properties":{"ObjectLockEnabled":true}}}}`), 0o644)
	findings, err := g.Check(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var lock []Finding
	for _, f := range findings {
		if f.Type != "AWS::S3::Bucket" {
			t.Errorf("finding on a %s: %v", f.Type, f)
		}
		if f.Control == "CT.S3.PR.9" {
			lock = append(lock, f)
		} else if f.Reason != "" {
			t.Errorf("%v: acknowledged, but only CT.S3.PR.9 is", f)
		}
	}
	if len(lock) != 1 || lock[0].Resource != "Plain" || lock[0].Reason != "because" || lock[0].Rule != "s3_bucket_object_lock_enabled_check" {
		t.Errorf("CT.S3.PR.9 findings: %v, want Plain's, acknowledged", lock)
	}
	if !strings.Contains(lock[0].String(), "CT.S3.PR.9 on Plain") {
		t.Error(lock[0].String())
	}
}

func TestEveryRuleReportsOnAResourceType(t *testing.T) {
	g := guard(t)
	if len(g.reports) < 40 {
		t.Errorf("%d rules read, want the services' 50 or so", len(g.reports))
	}
	for rule, types := range g.reports {
		if len(types) == 0 || rule == "" {
			t.Errorf("rule %q reports on %v", rule, types)
		}
	}
}
