// Package tools is an MCP server with one tool, count, which reports its
// progress step by step.
package tools

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// CountArgs are the count tool's arguments.
type CountArgs struct {
	Steps      int `json:"steps" jsonschema:"how many steps to count, 1 to 100"`
	IntervalMS int `json:"interval_ms,omitempty" jsonschema:"milliseconds per step, 0 to 5000 (default 200)"`
}

// Server is the MCP server.
func Server() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "streamgate-demo", Version: "1.0.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "count", Description: "Counts to steps, one step per interval, reporting progress as it goes."},
		func(ctx context.Context, req *mcp.CallToolRequest, args CountArgs) (*mcp.CallToolResult, any, error) {
			if args.Steps < 1 || args.Steps > 100 {
				return nil, nil, fmt.Errorf("steps is %d; allowed: 1 to 100", args.Steps)
			}
			interval := 200 * time.Millisecond
			if args.IntervalMS > 0 {
				interval = time.Duration(min(args.IntervalMS, 5000)) * time.Millisecond
			}
			token := req.Params.GetProgressToken()
			for i := 1; i <= args.Steps; i++ {
				select {
				case <-ctx.Done():
					return nil, nil, ctx.Err()
				case <-time.After(interval):
				}
				if token != nil {
					if err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: token,
						Progress: float64(i), Total: float64(args.Steps), Message: fmt.Sprintf("step %d of %d", i, args.Steps)}); err != nil {
						return nil, nil, err
					}
				}
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf("counted to %d", args.Steps)}}}, nil, nil
		})
	return s
}

// Handler is the server over Streamable HTTP, stateless: each POST is
// answered on its own, by whichever Lambda instance gets it.
func Handler() http.Handler {
	s := Server()
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
}
