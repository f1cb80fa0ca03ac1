package devserver

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/edge"
)

// RunningEdge is an edge endpoint served locally.
type RunningEdge struct {
	*loader.EdgeEndpoint
	// URL is where uploads go: http://127.0.0.1:<port>/u/.
	URL string
	cmd *exec.Cmd
}

// localEdge is edgelocal.js's argument: what it serves, and how.
type localEdge struct {
	Mode        string            `json:"mode"` // REDIRECT or THROUGH
	Port        int               `json:"port"`
	Config      edge.Config       `json:"config"`
	Keys        map[string]string `json:"keys"` // key id: secret
	ThroughFile string            `json:"throughFile"`
}

// edgeLocalJS serves an edge endpoint's JavaScript over HTTP on loopback,
// as CloudFront would run it.
//
//go:embed edgelocal.js
var edgeLocalJS string

var listening = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+)$`)

// edgeNode is the node that serves edge endpoints, or why they cannot be
// served here.
func (s *Server) edgeNode() (node, unservable string) {
	node, err := exec.LookPath("node")
	switch {
	case err != nil:
		return "", "it runs on Node.js, and node is not on PATH (make dev puts the project's Node.js first)"
	case s.S3Endpoint == "":
		return "", "it needs an S3 (-s3 seaweedfs or minio, which `sgdev install seaweedfs` or `sgdev install minio` builds; or -s3-endpoint)"
	}
	return node, ""
}

// startEdge serves e with the project's Node.js running the endpoint's own
// JavaScript (edgelocal.js), against the runner's S3, with the
// development key (edge.DevKey) as the endpoint's only key.
func (s *Server) startEdge(ctx context.Context, node string, e *loader.EdgeEndpoint, port int) (*RunningEdge, error) {
	dir, err := os.MkdirTemp("", "sgdev-edge-")
	if err != nil {
		return nil, err
	}
	s.tmp = append(s.tmp, dir)
	cfg := e.Config
	cfg.Bucket, cfg.Region, cfg.Endpoint = e.Bucket.Name, s.s3.Region, s.S3Endpoint
	files := map[string]string{"local.js": edgeLocalJS, "redirect.js": edge.RedirectJS, "token.js": edge.TokenJS, "sigv4.js": edge.SigV4JS,
		"through.js": edge.ThroughCode(cfg, "local")}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	local, _ := json.Marshal(localEdge{Mode: e.Mode, Port: port, Config: cfg.Complete(), Keys: map[string]string{edge.DevKey.ID: string(edge.DevKey.Secret)},
		ThroughFile: filepath.Join(dir, "through.js")})
	if err := os.WriteFile(filepath.Join(dir, "local.json"), local, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, node, "local.js", "local.json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s.s3.AccessKey, "AWS_SECRET_ACCESS_KEY="+s.s3.SecretKey, "AWS_SESSION_TOKEN="+s.s3.SessionToken)
	cmd.Stderr = s.logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s/%s: starting node: %w", e.Stack, e.LogicalID, err)
	}
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				url <- m[1]
				continue
			}
			fmt.Fprintf(s.logs, "%s/%s: %s\n", e.Stack, e.LogicalID, sc.Text())
		}
		close(url)
	}()
	select {
	case u, ok := <-url:
		if !ok {
			cmd.Wait()
			return nil, fmt.Errorf("%s/%s: the edge endpoint's node process exited at start", e.Stack, e.LogicalID)
		}
		return &RunningEdge{EdgeEndpoint: e, URL: u + edge.Path, cmd: cmd}, nil
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("%s/%s: the edge endpoint did not listen within 15 s", e.Stack, e.LogicalID)
	}
}

func (r *RunningEdge) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { r.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			r.cmd.Process.Kill()
			<-done
		}
	}
}

// edgeOrder is where an edge endpoint comes in the port order
// (Options.Port): REDIRECT before THROUGH, then by stack and logical id.
func edgeOrder(e *loader.EdgeEndpoint) string {
	mode := "1"
	if e.Mode == "REDIRECT" {
		mode = "0"
	}
	return mode + "/" + e.Stack + "/" + e.LogicalID
}

// edgePort is the port of the index-th server when ports count up from
// base; 0 (any free port) when base is 0.
func edgePort(base, index int) int {
	if base == 0 {
		return 0
	}
	return base + index
}

// startEdges serves the edge upload endpoints on the ports after the
// APIs' (apis of them), REDIRECT before THROUGH, then by stack and logical
// id; without Node.js or S3 a notice says why they are not served.
func (s *Server) startEdges(ctx context.Context, o Options, edges []*loader.EdgeEndpoint, apis int) error {
	sort.SliceStable(edges, func(i, j int) bool { return edgeOrder(edges[i]) < edgeOrder(edges[j]) })
	node, unservable := s.edgeNode()
	for i, e := range edges {
		if unservable != "" {
			s.Notices = append(s.Notices, fmt.Sprintf("%s/%s: edge upload endpoint not served: %s", e.Stack, e.LogicalID, unservable))
			continue
		}
		running, err := s.startEdge(ctx, node, e, edgePort(o.Port, apis+i))
		if err != nil {
			return err
		}
		s.Edges = append(s.Edges, running)
	}
	return nil
}
