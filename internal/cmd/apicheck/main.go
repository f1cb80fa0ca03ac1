// Command apicheck prints the exported API of streamgate's public packages
// (internal/apicheck), or with -w writes it to api/streamgate.txt, which is
// how an API change is accepted (add its line to CHANGELOG.md too), and
// regenerates README.md's reference tables from the doc comments:
//
//	go run ./internal/cmd/apicheck -w
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamgate/streamgate/internal/apicheck"
)

func main() {
	write := flag.Bool("w", false, "write "+apicheck.File+" and README.md's reference tables instead of printing the API")
	flag.Parse()
	pkgs, err := apicheck.Load(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "apicheck:", err)
		os.Exit(1)
	}
	lines := apicheck.Lines(pkgs)
	text := strings.Join(lines, "\n") + "\n"
	if !*write {
		fmt.Print(text)
		return
	}
	os.MkdirAll(filepath.Dir(apicheck.File), 0o755)
	if err := os.WriteFile(apicheck.File, []byte(text), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "apicheck:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "apicheck: %d lines in %s\n", len(lines), apicheck.File)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		fmt.Fprintln(os.Stderr, "apicheck:", err)
		os.Exit(1)
	}
	updated, err := apicheck.UpdateReference(string(readme), pkgs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apicheck: README.md:", err)
		os.Exit(1)
	}
	if updated != string(readme) {
		if err := os.WriteFile("README.md", []byte(updated), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "apicheck:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "apicheck: README.md's reference tables regenerated")
	}
}
