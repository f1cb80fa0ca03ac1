package templatetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/streamgate/streamgate/internal/assembly"
)

// ApplyNagPacks adds cdk-nag's AwsSolutions and Serverless rule packs to
// scope (an app or a stack) as aspects: the next synth records their
// findings as error and warning annotations. Call it before the first synth.
func ApplyNagPacks(scope constructs.IConstruct) {
	aspects := awscdk.Aspects_Of(scope)
	aspects.Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: boolPtr(true)}), nil)
	aspects.Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{Verbose: boolPtr(true)}), nil)
}

func boolPtr(b bool) *bool { return &b }

// NagFindings synthesizes app (which ApplyNagPacks was given) and returns
// every unsuppressed cdk-nag finding, errors and warnings alike. A synth
// that fails validation (cdk-nag errors do, with the
// "@aws-cdk/core:annotationsInValidationReport" flag) is read all the same.
func NagFindings(t testing.TB, app awscdk.App) []string {
	t.Helper()
	dir := *app.Outdir()
	func() {
		defer func() {
			if r := recover(); r != nil && !strings.Contains(fmt.Sprint(r), "ValidationFailed") {
				panic(r)
			}
		}()
		app.Synth(nil)
	}()
	all, err := assembly.Findings(dir)
	if err != nil {
		t.Fatal(err)
	}
	var nag []string
	seen := map[string]bool{}
	for _, f := range all {
		if (strings.Contains(f, "AwsSolutions-") || strings.Contains(f, "Serverless-")) && !seen[f] {
			seen[f] = true
			nag = append(nag, f)
		}
	}
	return nag
}

// NagClean fails the test for every unsuppressed cdk-nag finding of app.
// Apply the packs with ApplyNagPacks before anything synthesizes the app.
func NagClean(t testing.TB, app awscdk.App) {
	t.Helper()
	for _, f := range NagFindings(t, app) {
		t.Error(f)
	}
}
