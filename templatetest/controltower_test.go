package templatetest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestControlTowerCleanFailsWhatIsNotAcknowledged: a bucket without object
// lock fails CT.S3.PR.9 among others; acknowledged in its metadata, that
// control is counted instead of failing.
func TestControlTowerCleanFailsWhatIsNotAcknowledged(t *testing.T) {
	root, _ := filepath.Abs("..")
	if out, err := exec.Command(filepath.Join(root, "scripts", "cfnguard.sh")).CombinedOutput(); err != nil {
		t.Fatalf("scripts/cfnguard.sh: %v\n%s", err, out)
	}
	tools := filepath.Join(root, ".tools", "cfnguard")

	bare := &recorder{TB: t}
	if n := ControlTowerClean(bare, decode(t, `{"Resources":{"Bucket":{"Type":"AWS::S3::Bucket"}}}`), tools); n != 0 {
		t.Errorf("%d acknowledged, want 0", n)
	}
	if len(bare.errors) < 3 || !strings.Contains(strings.Join(bare.errors, "\n"), "CT.S3.PR.9 on Bucket (AWS::S3::Bucket") {
		t.Errorf("a bare bucket: %q", bare.errors)
	}

	acked := &recorder{TB: t}
	n := ControlTowerClean(acked, decode(t, `{"Resources":{"Bucket":{"Type":"AWS::S3::Bucket",
		"Metadata":{"control_tower":{"acknowledged":[{"id":"CT.S3.PR.9","reason":"a log destination"}]}}}}}`), tools)
	if n != 1 || len(acked.errors) != len(bare.errors)-1 || strings.Contains(strings.Join(acked.errors, "\n"), "CT.S3.PR.9") {
		t.Errorf("acknowledged %d, errors %q", n, acked.errors)
	}
}
