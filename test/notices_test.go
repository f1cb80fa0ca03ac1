package test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// trulyLeft are the notices of what the local runner does not emulate that
// the demo apps may raise; anything else the runner now runs, and a notice
// that says otherwise is stale.
var trulyLeft = []*regexp.Regexp{
	regexp.MustCompile(`: custom domain \S+ \(the APIs are served on 127\.0\.0\.1 ports\)$`),
	regexp.MustCompile(`: CloudFront distribution \(not served locally\)$`),
	regexp.MustCompile(`: \d+ CloudWatch alarms \([^)]+\): not emulated`),
	// What WAF evaluates is said at start-up; only AWS's managed rule
	// groups are not evaluated.
	regexp.MustCompile(`: WAF web ACL on \S+ stage \w+: evaluated locally before the guards \([^)]*\): rules [\w, ]+(; NOT evaluated: (\w+ \(managed rule group [^)]*\)(; )?)+)?$`),
	// IAM policies are not evaluated anywhere in the runner.
	regexp.MustCompile(`: S3 integration: the credentials role's IAM policy is not evaluated`),
}

// TestRunnerNoticesOfTheDemosNameOnlyWhatIsLeft: the runner's loader, on
// the demo apps' assembly, lists as not emulated only what truly is
// (trulyLeft), and does list the regulated app's custom domain and alarms.
func TestRunnerNoticesOfTheDemosNameOnlyWhatIsLeft(t *testing.T) {
	a, err := loader.Load(appsAssembly(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range a.Unsupported {
		left := false
		for _, re := range trulyLeft {
			left = left || re.MatchString(n)
		}
		if !left {
			t.Errorf("a notice of something the runner runs, or one no test expects: %s", n)
		}
	}
	notices := strings.Join(a.Unsupported, "\n")
	for _, want := range []string{"StreamgateRegulated/StreamsDomain", " CloudWatch alarms (StreamsMonitoring"} {
		if !strings.Contains(notices, want) {
			t.Errorf("no notice of %s*:\n%s", want, notices)
		}
	}
	t.Logf("the demos' notices:\n%s", notices)
}
