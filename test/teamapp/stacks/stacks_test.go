package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/templatetest"

	"example.com/teamapp/stacks"
)

// TestStacks is the team's CI check, as streamgate's README shows it.
func TestStacks(t *testing.T) {
	app := templatetest.NewApp(t, nil) // cdk.json's context, as `cdk synth` has it
	templatetest.ApplyNagPacks(app)
	streams := stacks.NewStreams(app, "TeamStreams", &awscdk.StackProps{Env: stacks.Pinned})
	up := stacks.NewUploads(app, "TeamUploads", nil)
	templatetest.NagClean(t, app)

	tmpl := templatetest.FromStack(streams.Stack)
	if n := templatetest.CheckStreamingRoutes(t, tmpl); n != 5 {
		t.Errorf("%d streaming routes, want 5", n)
	}
	templatetest.Golden(t, "testdata/streams.golden.json", tmpl)
	tmpl = templatetest.FromStack(up.Stack)
	if n := templatetest.CheckUploadSizeLimits(t, tmpl); n != 6 {
		t.Errorf("%d upload stages and handlers checked, want 6", n)
	}
	templatetest.Golden(t, "testdata/uploads.golden.json", tmpl)
}

// recorder is a testing.TB that keeps what a check reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Error(args ...any) {
	r.errors = append(r.errors, fmt.Sprint(args...))
}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestNagCleanFailsANoncompliantStack: a bare bucket (no access logs, no
// TLS-only policy) fails NagClean under every app set-up a team uses.
func TestNagCleanFailsANoncompliantStack(t *testing.T) {
	for _, c := range []struct {
		name string
		app  func() awscdk.App
		env  *awscdk.Environment
	}{
		{"NewApp(nil)", func() awscdk.App { return awscdk.NewApp(nil) }, nil},
		{"cdk.json context", func() awscdk.App { return templatetest.NewApp(t, nil) }, nil},
		{"pinned env", func() awscdk.App { return templatetest.NewApp(t, nil) }, stacks.Pinned},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := c.app()
			templatetest.ApplyNagPacks(app)
			stack := awscdk.NewStack(app, jsii.String("Noncompliant"), &awscdk.StackProps{Env: c.env})
			awss3.NewBucket(stack, jsii.String("Plain"), nil)
			r := &recorder{TB: t}
			templatetest.NagClean(r, app)
			all := strings.Join(r.errors, "\n")
			for _, rule := range []string{"AwsSolutions-S1", "AwsSolutions-S10"} {
				if !strings.Contains(all, rule) {
					t.Errorf("NagClean did not report %s; it reported:\n%s", rule, all)
				}
			}
		})
	}
}
