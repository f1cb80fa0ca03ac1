// Command controltower runs AWS Control Tower's proactive controls
// (scripts/cfnguard.sh installs them) over the templates of cloud
// assemblies and prints each failure with its acknowledgement:
//
//	go run ./internal/cmd/controltower cdk.out cdk.out.regulated
//
// It exits 1 when a failure is not acknowledged and -strict is set.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/streamgate/streamgate/internal/controltower"
)

func main() {
	tools := flag.String("tools", ".tools/cfnguard", "where scripts/cfnguard.sh installed the controls")
	strict := flag.Bool("strict", false, "exit 1 on a failure that is not acknowledged")
	flag.Parse()
	g, err := controltower.Find(*tools)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	open := 0
	for _, dir := range flag.Args() {
		templates, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
		for _, t := range templates {
			findings, err := g.Check(t)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			fmt.Printf("%s: %d failures\n", t, len(findings))
			for _, f := range findings {
				fmt.Println("  ", f)
				if f.Reason == "" {
					open++
				}
			}
		}
	}
	if *strict && open > 0 {
		fmt.Fprintf(os.Stderr, "controltower: %d failures not acknowledged\n", open)
		os.Exit(1)
	}
}
