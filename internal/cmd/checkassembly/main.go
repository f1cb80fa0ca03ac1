// Command checkassembly fails when a synthesized cloud assembly has any
// warning, error or CloudFormation validation finding, or when validation did
// not run. `make synth` runs it on cdk.out.
//
//	go run ./internal/cmd/checkassembly cdk.out
package main

import (
	"fmt"
	"os"

	"github.com/streamgate/streamgate/internal/assembly"
)

func main() {
	dir := "cdk.out"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	findings, err := assembly.Findings(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkassembly:", err)
		os.Exit(2)
	}
	if !assembly.HasValidationReport(dir) {
		fmt.Fprintf(os.Stderr, "checkassembly: %s has no validation-report.json: CloudFormation validation did not run (is CDK_VALIDATION=false set?)\n", dir)
		os.Exit(1)
	}
	for _, f := range findings {
		fmt.Fprintln(os.Stderr, f)
	}
	if len(findings) > 0 {
		fmt.Fprintf(os.Stderr, "checkassembly: %s: %d findings\n", dir, len(findings))
		os.Exit(1)
	}
	m, _ := assembly.ReadManifest(dir)
	fmt.Printf("checkassembly: %s: %d stacks, CloudFormation validation ran, 0 warnings, 0 errors\n", dir, len(m.Templates(dir)))
}
