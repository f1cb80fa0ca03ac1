package templatetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamgate/streamgate/internal/controltower"
)

// ControlTowerPackage is the npm package, and the version streamgate is
// tested with, that holds AWS Control Tower's proactive controls (AWS's
// CloudFormation Guard rules) and the cfn-guard binaries for Linux and
// macOS on x86-64 and arm64. Install it for ControlTowerClean with
//
//	npm install --prefix .tools/cfnguard --legacy-peer-deps @cdklabs/cdk-validator-cfnguard@0.0.62
const ControlTowerPackage = "@cdklabs/cdk-validator-cfnguard@0.0.62"

// ControlTowerFailure is one proactive control a template's resource
// fails: Control ("CT.S3.PR.9"), Resource (logical id), Type and Rule
// (cfn-guard's rule name); Reason is the acknowledgement's, "" when none.
type ControlTowerFailure = controltower.Finding

// ControlTowerFindings runs the proactive controls of the services
// streamgate uses (API Gateway, Lambda, S3, IAM, WAF, CloudWatch, KMS,
// CloudFront, SQS) over template and returns every failure, acknowledged or
// not. tools is the folder the package was installed into (the --prefix
// above). A control is acknowledged for a resource by its template
// metadata "control_tower": {"acknowledged": [{"id": "CT.S3.PR.9", "reason":
// "..."}]}, which streamgate's constructs write where AWS rules a control
// out (the README lists them).
func ControlTowerFindings(t testing.TB, template map[string]any, tools string) []ControlTowerFailure {
	t.Helper()
	g, err := controltower.Find(tools)
	if err != nil {
		t.Fatalf("templatetest.ControlTowerFindings: %v (install %s there)", err, ControlTowerPackage)
	}
	raw, err := json.Marshal(template)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	findings, err := g.Check(file)
	if err != nil {
		t.Fatal(err)
	}
	return findings
}

// ControlTowerClean fails the test for every proactive control template
// fails that is not acknowledged (see ControlTowerFindings), and returns
// how many failures were acknowledged.
func ControlTowerClean(t testing.TB, template map[string]any, tools string) (acknowledged int) {
	t.Helper()
	for _, f := range ControlTowerFindings(t, template, tools) {
		if f.Reason == "" {
			t.Errorf("Control Tower: %v", f)
		} else {
			acknowledged++
		}
	}
	return acknowledged
}
