// Package counter is a Connect service: Count streams "tick N" messages,
// one every 100 ms.
package counter

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// CountProcedure is the RPC's path (a route of its own on the API).
const CountProcedure = "/streamgate.demo.v1.CounterService/Count"

// Interval is the time between two messages.
const Interval = 100 * time.Millisecond

// Handler serves CountProcedure.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(CountProcedure, connect.NewServerStreamHandler(CountProcedure,
		func(ctx context.Context, req *connect.Request[wrapperspb.Int64Value], s *connect.ServerStream[wrapperspb.StringValue]) error {
			n := req.Msg.GetValue()
			if n < 1 || n > 100 {
				return connect.NewError(connect.CodeInvalidArgument, fmt.Errorf("count is %d; allowed: 1 to 100", n))
			}
			for i := int64(1); i <= n; i++ {
				if i > 1 {
					select {
					case <-ctx.Done():
						return ctx.Err()
					case <-time.After(Interval):
					}
				}
				if err := s.Send(wrapperspb.String(fmt.Sprintf("tick %d", i))); err != nil {
					return err
				}
			}
			return nil
		}))
	return mux
}
