package test

import (
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/apps/stacks"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/internal/nagpacks"
)

// BenchmarkSynth times an in-process synth (construct tree, templates and
// CloudFormation validation; handler bundling is skipped, its cost is the
// go build of each handler) of the streaming demo app and of an app with one
// stack of one trivial resource, in the same run, and reports the demo's extra time.
func BenchmarkSynth(b *testing.B) {
	synth := func(define func(app awscdk.App)) time.Duration {
		start := time.Now()
		app := cdktest.NewApp(false)
		define(app)
		app.Synth(nil)
		return time.Since(start)
	}
	empty := func(app awscdk.App) {
		// CloudFormation requires one resource: the smallest there is.
		awscdk.NewCfnWaitConditionHandle(awscdk.NewStack(app, jsii.String("Empty"), nil), jsii.String("Nothing"), nil)
	}
	demo := func(app awscdk.App) { stacks.NewStreamingDemo(app, "StreamgateStreamingDemo", nil) }
	synth(empty) // the first synths of a process load the library and its modules
	synth(demo)
	var e, d time.Duration
	for i := 0; i < b.N; i++ {
		e += synth(empty)
		d += synth(demo)
	}
	b.ReportMetric(float64(e.Milliseconds())/float64(b.N), "ms-empty-app")
	b.ReportMetric(float64(d.Milliseconds())/float64(b.N), "ms-demo-app")
	b.ReportMetric(float64(d)/float64(e), "demo/empty")
}

// BenchmarkSynthRegulated times the regulated app (compliance profile,
// monitoring, domain, upload events; five nag packs) against the team app,
// in the same run, and counts their resources.
func BenchmarkSynthRegulated(b *testing.B) {
	synth := func(define func(app awscdk.App) awscdk.Stack) (time.Duration, int) {
		start := time.Now()
		app := cdktest.NewApp(false)
		stack := define(app)
		app.Synth(nil)
		d := time.Since(start)
		return d, len(*stack.Node().FindAll(constructs.ConstructOrder_PREORDER))
	}
	team := func(app awscdk.App) awscdk.Stack {
		nagpacks.Apply(app, false)
		return stacks.NewTeam(app, "StreamgateTeam", nil).Stack
	}
	regulated := func(app awscdk.App) awscdk.Stack {
		nagpacks.Apply(app, true)
		return stacks.NewRegulated(app, "StreamgateRegulated", nil).Stack
	}
	synth(team)
	synth(regulated)
	var t, r time.Duration
	var tn, rn int
	for i := 0; i < b.N; i++ {
		d, n := synth(team)
		t, tn = t+d, n
		d, n = synth(regulated)
		r, rn = r+d, n
	}
	b.ReportMetric(float64(t.Milliseconds())/float64(b.N), "ms-team")
	b.ReportMetric(float64(r.Milliseconds())/float64(b.N), "ms-regulated")
	b.ReportMetric(float64(r)/float64(t), "regulated/team")
	b.ReportMetric(float64(tn), "constructs-team")
	b.ReportMetric(float64(rn), "constructs-regulated")
}
