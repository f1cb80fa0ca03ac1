package stacks_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/streamgate/streamgate/localrun"
	"github.com/streamgate/streamgate/templatetest"

	"example.com/teamapp/stacks"
)

// TestHelloStreamsGreetingByGreeting is the team's behaviour check, as
// streamgate's README shows it: the stack synthesized with its handlers
// built, run locally, and the team's own handler streams its records one by
// one, 100 ms apart, through the route.
func TestHelloStreamsGreetingByGreeting(t *testing.T) {
	app := templatetest.NewApp(t, &templatetest.AppOptions{Bundle: true})
	stacks.NewStreams(app, "TeamStreams", &awscdk.StackProps{Env: stacks.Pinned})
	dir := *app.Synth(nil).Directory()

	r := localrun.Start(t, localrun.Options{Assemblies: []string{dir}})
	start := time.Now()
	resp, err := http.Get(r.URL("TeamStreams") + "/hello?n=3")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var at []time.Duration
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var g struct {
			N    int    `json:"n"`
			Text string `json:"text"`
		}
		if json.Unmarshal(sc.Bytes(), &g) == nil && g.Text != "" {
			at = append(at, time.Since(start))
		}
	}
	if resp.StatusCode != 200 || len(at) != 3 || at[2]-at[0] < 150*time.Millisecond {
		t.Errorf("%d: greetings at %v, want 3, 100 ms apart", resp.StatusCode, at)
	}
}
