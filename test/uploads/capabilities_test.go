package uploads

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/s3probe"
	"github.com/streamgate/streamgate/internal/s3server"
)

// TestS3Capabilities measures every capability on every server
// (internal/s3probe) and fails where the measurement and s3server.Gaps,
// which the other tests skip by, disagree: a server that gained or lost a
// capability must change the table, in Go and in the README.
func TestS3Capabilities(t *testing.T) {
	measured := map[string][]s3probe.Result{}
	eachServer(t, func(t *testing.T, s *server) {
		target := s3probe.Target{Name: s.kind.Title(), Client: s.s3c, Endpoint: s.endpoint, Webhook: s.webhook}
		if s.kind == s3server.MinIO {
			target.NotifyARN = s3server.WebhookARN
		}
		results := s3probe.Run(context.Background(), target)
		measured[s.kind.Title()] = results
		for _, r := range results {
			reason, lacks := s.kind.Lacks(r.Capability)
			switch {
			case r.OK && lacks:
				t.Errorf("%s: %s passes now, but s3server.Gaps says it lacks it (%s): drop the gap, and update the README's table", r.Capability, s.kind.Title(), reason)
			case !r.OK && !lacks:
				t.Errorf("%s: %s fails: %s", r.Capability, s.kind.Title(), r.Detail)
			default:
				t.Logf("%-24s ok=%-5v %s", r.Capability, r.OK, r.Detail)
			}
		}
	})
	if len(measured) != len(s3server.Kinds()) {
		return // STREAMGATE_S3 chose one server: the README's table has them all
	}
	readme, err := os.ReadFile(filepath.Join(moduleRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var columns []string
	for _, k := range s3server.Kinds() {
		columns = append(columns, k.Title())
	}
	want := yesNo(s3probe.Markdown(columns, measured))
	if got := yesNo(string(readme)); !strings.Contains(got, want) {
		t.Errorf("the README's table of S3 servers does not say what was measured; regenerate it with `go run ./internal/cmd/s3probe`. Measured (yes/no):\n%s", want)
	}
}

// yesNo keeps only each table row's first two cells and the yes or no of
// the others: the details of a refusal may change with a server's wording.
func yesNo(text string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		for i := 2; i < len(cells); i++ {
			switch {
			case strings.HasPrefix(cells[i], "yes"):
				cells[i] = "yes"
			case strings.HasPrefix(cells[i], "**no**"):
				cells[i] = "no"
			}
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return strings.Join(out, "\n")
}
