package templatetest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/streamgate/streamgate/internal/assembly"
	"github.com/streamgate/streamgate/internal/nagpacks"
	"github.com/streamgate/streamgate/internal/nagpacks/prefix"
)

// ApplyNagPacks adds cdk-nag's AwsSolutions and Serverless rule packs to
// scope (an app or a stack) as aspects: the next synth records their
// findings as error and warning annotations. Call it before the first synth.
func ApplyNagPacks(scope constructs.IConstruct) { nagpacks.Apply(scope, false) }

// nagRulePrefixes start the rule ids of cdk-nag's packs.
var nagRulePrefixes = prefix.All()

// NagFindings synthesizes app (which ApplyNagPacks, or cdknag's own Aspects,
// were given) and returns every unsuppressed cdk-nag finding, errors and
// warnings alike, wherever aws-cdk-lib recorded them: the manifest, each
// stack's <Stack>.metadata.json, or validation-report.json (with
// "@aws-cdk/core:annotationsInValidationReport", where cdk-nag's errors fail
// the synth, which is read all the same). It fails the test when no cdk-nag
// pack is applied to the app or one of its stacks: a check that cannot find
// anything would pass vacuously.
func NagFindings(t testing.TB, app awscdk.App) []string {
	t.Helper()
	if !nagApplied(app) {
		t.Fatalf("templatetest: no cdk-nag pack is applied to the app or its stacks, so there is nothing to find. " +
			"Fix: call templatetest.ApplyNagPacks(app) (or awscdk.Aspects_Of(app).Add(cdknag.New...Checks(...))) before anything synthesizes the app")
		return nil
	}
	dir := *app.Outdir()
	func() {
		defer func() {
			if r := recover(); r != nil && !strings.Contains(fmt.Sprint(r), "ValidationFailed") {
				panic(r)
			}
		}()
		app.Synth(nil)
	}()
	all, err := assembly.FindingList(dir)
	if err != nil {
		t.Fatal(err)
	}
	// aws-cdk-lib records an annotation in the stack's metadata and, with
	// "@aws-cdk/core:annotationsInValidationReport", again in the report.
	var nag []string
	seen := map[string]bool{}
	for _, f := range all {
		rule, _, _ := strings.Cut(f.Message, ":")
		key := f.Level + " " + f.Path + " " + rule
		if isNagFinding(f.Message) && !seen[key] {
			seen[key] = true
			nag = append(nag, f.String())
		}
	}
	sort.Strings(nag)
	return nag
}

func isNagFinding(f string) bool {
	for _, p := range nagRulePrefixes {
		if strings.Contains(f, p) {
			return true
		}
	}
	return false
}

// nagApplied reports whether a cdk-nag pack is among the aspects of app or
// of one of its direct children (stacks, stages).
func nagApplied(app awscdk.App) bool {
	nodes := []constructs.IConstruct{app}
	for _, c := range *app.Node().Children() {
		nodes = append(nodes, c)
	}
	for _, n := range nodes {
		for _, a := range *awscdk.Aspects_Of(n).All() {
			if _, ok := a.(cdknag.NagPack); ok {
				return true
			}
		}
	}
	return false
}

// NagClean fails the test for every unsuppressed cdk-nag finding of app,
// and when no cdk-nag pack is applied to it (see NagFindings). Apply the
// packs with ApplyNagPacks before anything synthesizes the app.
func NagClean(t testing.TB, app awscdk.App) {
	t.Helper()
	for _, f := range NagFindings(t, app) {
		t.Error(f)
	}
}
