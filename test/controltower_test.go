package test

import (
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/templatetest"
)

// profileAnswers are the controls the default apps fail, each with the
// compliance profile setting that answers it: the README's table. A control
// a default app fails that is not here fails the test, so the table cannot
// fall behind.
var profileAnswers = map[string]string{
	"CT.CLOUDWATCH.PR.2": "LogRetention (ONE_YEAR at least)",
	"CT.CLOUDWATCH.PR.3": "the stack's log key (LogKey)",
	"CT.LAMBDA.PR.2":     "PermissionsWithSourceAccount and no test-invoke permissions, in a stack with a pinned account",
	"CT.LAMBDA.PR.3":     "Vpc",
	"CT.S3.PR.2":         "acknowledged on the access-log bucket (AWS: no logging of the log destination)",
	"CT.S3.PR.4":         "EventBridge notifications on the access-log bucket; upload events (EventBridge) on the upload bucket",
	"CT.S3.PR.6":         "lifecycle rules on every bucket",
	"CT.S3.PR.9":         "ObjectLockRetention (object lock on the upload bucket)",
	"CT.S3.PR.10":        "SSE-KMS with the upload API's own key (BucketKey)",
	"CT.S3.PR.11":        "versioning",
	// Not streamgate's: CloudFront distributions of EdgeUploadEndpoint,
	// and the functions aws-cdk adds for custom resources and Lambda@Edge.
	"CT.CLOUDFRONT.PR.1":  "EdgeUploadEndpoint (no profile): a default root object",
	"CT.CLOUDFRONT.PR.4":  "EdgeUploadEndpoint (no profile): an origin failover group",
	"CT.CLOUDFRONT.PR.6":  "EdgeUploadEndpoint (no profile): a custom TLS certificate",
	"CT.CLOUDFRONT.PR.7":  "EdgeUploadEndpoint (no profile): a custom TLS certificate",
	"CT.CLOUDFRONT.PR.9":  "EdgeUploadEndpoint (no profile): an origin access control on every S3 origin",
	"CT.CLOUDFRONT.PR.10": "EdgeUploadEndpoint (no profile): HTTPS to custom origins",
}

// TestControlTowerProactiveControls runs AWS Control Tower's proactive
// controls for the services streamgate uses over every app's templates.
// The regulated app (compliance.Strict, a pinned account) fails none
// except those AWS makes impossible for the resource, each acknowledged in
// its metadata with the reason; the default apps fail only controls the
// profile answers (profileAnswers).
func TestControlTowerProactiveControls(t *testing.T) {
	dir := appsAssembly(t)
	root := cdktest.ModuleRoot()
	if out, err := exec.Command(filepath.Join(root, "scripts", "cfnguard.sh")).CombinedOutput(); err != nil {
		t.Fatalf("scripts/cfnguard.sh: %v\n%s", err, out)
	}
	tools := filepath.Join(root, ".tools", "cfnguard")
	templates, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if len(templates) < 7 {
		t.Fatalf("%d templates, want the six apps' seven", len(templates))
	}
	var defaults int
	for _, tmpl := range templates {
		stack := strings.TrimSuffix(filepath.Base(tmpl), ".template.json")
		findings := templatetest.ControlTowerFindings(t, templatetest.FromFile(t, tmpl), tools)
		if stack == "StreamgateRegulated" {
			var acknowledged []string
			for _, f := range findings {
				if f.Reason == "" {
					t.Errorf("%s: %v, not acknowledged", stack, f)
				} else {
					acknowledged = append(acknowledged, f.Control+" on "+f.Resource)
				}
			}
			sort.Strings(acknowledged)
			if n := templatetest.ControlTowerClean(t, templatetest.FromFile(t, tmpl), tools); n != len(acknowledged) {
				t.Errorf("ControlTowerClean counted %d acknowledged, want %d", n, len(acknowledged))
			}
			t.Logf("%s: %d failures, all acknowledged: %s", stack, len(findings), strings.Join(acknowledged, "; "))
			for _, f := range findings {
				if !strings.HasPrefix(f.Resource, "UploadsAccessLogs") {
					t.Errorf("%s: %v: only the access-log bucket, a server access log destination, may have a control acknowledged", stack, f)
				}
			}
			continue
		}
		defaults += len(findings)
		for _, f := range findings {
			if f.Reason != "" {
				t.Errorf("%s: %v: acknowledged without the profile", stack, f)
			}
			if _, ok := profileAnswers[f.Control]; !ok {
				t.Errorf("%s: %v: no profile setting answers it (add it to the README's table and profileAnswers, or fix it)", stack, f)
			}
		}
	}
	t.Logf("default apps: %d failures, each answered by a profile setting", defaults)
}
