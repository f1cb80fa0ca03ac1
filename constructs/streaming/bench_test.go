package streaming_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
)

// BenchmarkSynthRoutes times a bundling synth (the Go handlers are built,
// as under `cdk synth`) of one StreamingRestApi with 10 and 200 routes that
// all name one Entry, as a team's module grows one route at a time, and
// reports the time per route. 200 routes of their own function are about
// 1,600 resources: they spill into nested stacks (RoutesPerStack,
// automatic). The first synth of the process, which builds the handler, is
// logged apart; the later ones find the build in gobuild's per-process
// cache. make bench runs it with CDK_VALIDATION=false, as unit tests run:
// aws-cdk-lib's CloudFormation validation, when on, adds its own time per
// resource (about as much again). STREAMGATE_SYNTH_ROUTES=10,50,1000
// measures other sizes; each size's stacks, resources and template bytes
// are logged.
func BenchmarkSynthRoutes(b *testing.B) {
	sizes := []int{10, 200}
	if v := os.Getenv("STREAMGATE_SYNTH_ROUTES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("STREAMGATE_SYNTH_ROUTES=%q: want route counts, e.g. 10,200", v)
			}
			sizes = append(sizes, n)
		}
	}
	var dir string
	synth := func(routes int) time.Duration {
		start := time.Now()
		app := cdktest.NewApp(true)
		stack := awscdk.NewStack(app, jsii.String("Routes"), nil)
		api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{Authorization: apiauth.None()})
		for i := 0; i < routes; i++ {
			api.AddRoute(&streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String(fmt.Sprintf("/r%d", i)), Entry: jsii.String(handler)})
		}
		dir = *app.Synth(nil).Directory()
		return time.Since(start)
	}
	fmt.Printf("BenchmarkSynthRoutes: first synth of the process (1 route, builds the handler): %d ms\n", synth(1).Milliseconds())
	per := map[int]time.Duration{} // the last synth of each size
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var d time.Duration
			for i := 0; i < b.N; i++ {
				d += synth(n)
			}
			per[n] = d / time.Duration(b.N)
			b.Logf("%d routes: %s", n, templateSizes(b, dir))
			b.ReportMetric(float64(d.Milliseconds())/float64(b.N), "ms-synth")
			b.ReportMetric(float64(d.Milliseconds())/float64(b.N)/float64(n), "ms/route")
			// What one more route costs past the smallest size, without the
			// API's own cost (stage, deployment, roles) that a few routes'
			// average carries.
			if first := sizes[0]; n > first && per[first] > 0 {
				b.ReportMetric(float64((per[n]-per[first]).Milliseconds())/float64(n-first), "ms/extra-route")
			}
		})
	}
}

// templateSizes describes the templates of the assembly in dir: each
// stack's resources and bytes.
func templateSizes(tb testing.TB, dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
	var out []string
	total := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var t struct{ Resources map[string]any }
		if err := json.Unmarshal(b, &t); err != nil {
			tb.Fatal(err)
		}
		total += len(b)
		out = append(out, fmt.Sprintf("%s %d resources %d bytes", strings.TrimSuffix(filepath.Base(f), ".template.json"), len(t.Resources), len(b)))
	}
	return fmt.Sprintf("%d stacks, %d template bytes: %s", len(files), total, strings.Join(out, "; "))
}
