package s3probe

import (
	"fmt"
	"strings"

	"github.com/streamgate/streamgate/internal/s3server"
)

// Markdown is the README's table: a row per capability, a column per
// server (in columns' order) saying yes, or no and why.
func Markdown(columns []string, results map[string][]Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| capability | used by | %s |\n", strings.Join(columns, " | "))
	fmt.Fprintf(&b, "|---|---|%s\n", strings.Repeat("---|", len(columns)))
	for i, row := range s3server.Capabilities {
		cells := []string{row.Title, row.UsedBy}
		for _, c := range columns {
			r := results[c][i]
			cell := "yes"
			if !r.OK {
				cell = "**no**"
			}
			if r.Detail != "" {
				cell += ": " + r.Detail
			}
			cells = append(cells, strings.ReplaceAll(cell, "|", `\|`))
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
	}
	return b.String()
}
