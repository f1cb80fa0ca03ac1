package local

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/streamgate/streamgate/examples/connect/counter"
	"github.com/streamgate/streamgate/internal/cdktest"
)

// The servers of examples, each an ordinary net/http handler whose
// main is httpstream.Start, behind a StreamingRestApi through the runner,
// called with their own clients.

func TestServeMuxBehindProxyRoute(t *testing.T) {
	resp, _ := get(t, serversURL+"/items/42?tag=a&tag=b")
	var item struct {
		ID     string              `json:"id"`
		Query  map[string][]string `json:"query"`
		Remote string              `json:"remote"`
	}
	json.NewDecoder(resp.Body).Decode(&item)
	if resp.StatusCode != 200 || item.ID != "42" || strings.Join(item.Query["tag"], ",") != "a,b" || !strings.HasPrefix(item.Remote, "127.0.0.1:") {
		t.Errorf("GET /items/42: %d %+v", resp.StatusCode, item)
	}

	// Server-sent events, flushed one by one by the handler.
	resp, start := get(t, serversURL+"/events?count=5&interval_ms=200")
	lines, err := readLines(resp, start)
	var events []time.Duration
	for _, l := range lines {
		if strings.HasPrefix(l.text, "data: ") {
			events = append(events, l.at)
		}
	}
	if err != nil || resp.Header.Get("Content-Type") != "text/event-stream" || len(events) != 5 || events[4]-events[0] < 600*time.Millisecond {
		t.Errorf("SSE: %v, %s, events at %v: not one by one", err, resp.Header.Get("Content-Type"), events)
	}

	// A large download the handler never flushes.
	resp, _ = get(t, serversURL+"/download?mib=20")
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	want := sha256.New()
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = byte(i % 251)
	}
	for i := 0; i < 20; i++ {
		want.Write(block)
	}
	if err != nil || n != 20<<20 || !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
		t.Errorf("download: %d bytes, %v", n, err)
	}

	// A binary body, through the API's binary media types.
	body := pattern(3<<20, 99)
	resp, err = http.Post(serversURL+"/echo", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var echo struct {
		Length int64  `json:"length"`
		SHA256 string `json:"sha256"`
	}
	json.NewDecoder(resp.Body).Decode(&echo)
	sum := sha256.Sum256(body)
	if echo.Length != int64(len(body)) || echo.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("POST /echo: %+v", echo)
	}
}

func TestChiRouterBehindExplicitRoutes(t *testing.T) {
	resp, _ := get(t, serversURL+"/shop/items/7")
	var item map[string]string
	json.NewDecoder(resp.Body).Decode(&item)
	if resp.StatusCode != 200 || item["id"] != "7" || item["requestId"] == "" {
		t.Errorf("GET /shop/items/7: %d %v", resp.StatusCode, item)
	}
	resp, start := get(t, serversURL+"/shop/orders/9/status")
	lines, err := readLines(resp, start)
	if err != nil || len(lines) != 3 || !strings.Contains(lines[2].text, `"shipped"`) || lines[2].at-lines[0].at < 150*time.Millisecond {
		t.Errorf("order status: %v %v", lines, err)
	}
}

// TestConnectServerStreamArrivesMessageByMessage: the real Connect Go
// client reads each message of a server-streaming RPC as it is sent.
func TestConnectServerStreamArrivesMessageByMessage(t *testing.T) {
	client := connect.NewClient[wrapperspb.Int64Value, wrapperspb.StringValue](http.DefaultClient, serversURL+counter.CountProcedure)
	start := time.Now()
	s, err := client.CallServerStream(context.Background(), connect.NewRequest(wrapperspb.Int64(5)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []string
	var at []time.Duration
	for s.Receive() {
		got = append(got, s.Msg().GetValue())
		at = append(at, time.Since(start))
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Connect: messages at %v", at)
	if strings.Join(got, ",") != "tick 1,tick 2,tick 3,tick 4,tick 5" || at[4]-at[0] < 4*counter.Interval*8/10 {
		t.Errorf("messages %v at %v: want 5, about %v apart", got, at, counter.Interval)
	}
	// An invalid request is the RPC's own error, not the transport's.
	s, err = client.CallServerStream(context.Background(), connect.NewRequest(wrapperspb.Int64(0)))
	if err == nil {
		for s.Receive() {
		}
		err = s.Err()
	}
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("count 0: %v", err)
	}
}

// TestMCPGoClientGetsProgressBeforeTheResult: the official MCP Go SDK's
// client, over Streamable HTTP, against the stateless server.
func TestMCPGoClientGetsProgressBeforeTheResult(t *testing.T) {
	start := time.Now()
	var mu sync.Mutex
	var progress []time.Duration
	client := mcp.NewClient(&mcp.Implementation{Name: "streamgate-test", Version: "1.0.0"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(ctx context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, time.Since(start))
			mu.Unlock()
		},
	})
	ctx := context.Background()
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: serversURL + "/mcp"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	tools, err := session.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != 1 || tools.Tools[0].Name != "count" {
		t.Fatalf("tools: %v %v", tools, err)
	}
	params := &mcp.CallToolParams{Name: "count", Arguments: map[string]any{"steps": 4, "interval_ms": 150}}
	params.SetProgressToken("t1")
	start = time.Now()
	res, err := session.CallTool(ctx, params)
	resultAt := time.Since(start)
	if err != nil || res.IsError || res.Content[0].(*mcp.TextContent).Text != "counted to 4" {
		t.Fatalf("call: %v %v", res, err)
	}
	// The client hands notifications to the handler on its own goroutine:
	// the last, sent just before the result, may be handled just after it.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(progress)
		mu.Unlock()
		if n == 4 {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("MCP Go client: progress at %v, result at %v", progress, resultAt)
	if len(progress) != 4 || progress[0] > resultAt-300*time.Millisecond {
		t.Errorf("progress at %v, result at %v: want 4 notifications, the first long before the result", progress, resultAt)
	}
}

// TestMCPTypeScriptClientGetsProgressBeforeTheResult: the official MCP
// TypeScript SDK's client, on the project's Node.js.
func TestMCPTypeScriptClientGetsProgressBeforeTheResult(t *testing.T) {
	dir := filepath.Join(cdktest.ModuleRoot(), "test", "local", "browser")
	if out, err := exec.Command(filepath.Join(cdktest.ModuleRoot(), "scripts", "browser.sh")).CombinedOutput(); err != nil {
		t.Fatalf("scripts/browser.sh: %v\n%s", err, out)
	}
	node := filepath.Join(cdktest.ModuleRoot(), ".tools", "node_modules", ".bin", "node")
	cmd := exec.Command(node, "mcp-client.mjs", serversURL+"/mcp", "4")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var r struct {
		Tools    []string `json:"tools"`
		Text     string   `json:"text"`
		Progress []struct {
			Progress, Total, At float64
		} `json:"progress"`
		ResultAt float64 `json:"resultAt"`
	}
	if err := json.NewDecoder(bufio.NewReader(bytes.NewReader(out))).Decode(&r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("MCP TypeScript client: %s", out)
	if len(r.Tools) != 1 || r.Text != "counted to 4" || len(r.Progress) != 4 || r.Progress[3].Progress != 4 || r.Progress[0].At > r.ResultAt-300 {
		t.Errorf("report %+v: want 4 progress notifications, the first long before the result", r)
	}
}
