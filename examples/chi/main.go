// Command chi is a chi router (github.com/go-chi/chi/v5), with chi's own
// middleware, as a streaming Lambda function behind explicit routes of a
// StreamingRestApi: only main knows about Lambda.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/streamgate/streamgate/lambda/httpstream"
)

// Router is the service as its team wrote it for any HTTP server.
func Router() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Route("/shop", func(r chi.Router) {
		r.Get("/items/{id}", func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"id": chi.URLParam(req, "id"), "requestId": middleware.GetReqID(req.Context())})
		})
		// An order's status as NDJSON, one line per step, flushed.
		r.Get("/orders/{id}/status", func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Content-Type", "application/x-ndjson")
			for _, s := range []string{"received", "packed", "shipped"} {
				fmt.Fprintf(w, "{\"order\":%q,\"status\":%q}\n", chi.URLParam(req, "id"), s)
				w.(http.Flusher).Flush()
				time.Sleep(100 * time.Millisecond)
			}
		})
	})
	return r
}

func main() { httpstream.Start(Router()) }
