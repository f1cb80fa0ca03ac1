package devserver

// The runner's page and its endpoints under /_streamgate/ on every API.

import (
	"embed"
	"encoding/json"
	"io"
	"net/http"
)

//go:embed page/index.html
var pageFS embed.FS

// extras serves the page and its endpoints under /_streamgate/ on each API.
func (s *Server) extras(running *Running, recent *requestLog) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_streamgate/{$}", servePage)
	// The last requests, newest first (?id= one): status, prelude headers,
	// first byte, bytes, how each ended.
	mux.HandleFunc("GET /_streamgate/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, recent.list(r.URL.Query().Get("id")))
	})
	// What the runner does not emulate, and the limits in force.
	mux.HandleFunc("GET /_streamgate/notices", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Notices) })
	mux.HandleFunc("GET /_streamgate/routes", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, routeTable(running)) })
	mux.HandleFunc("GET /_streamgate/stats", s.serveStats)
	mux.HandleFunc("GET /_streamgate/queues", s.serveQueues)
	mux.HandleFunc("GET /_streamgate/queues/{name...}", s.serveQueue)
	mux.HandleFunc("POST /_streamgate/report", s.takeReport)
	mux.HandleFunc("GET /_streamgate/report", s.serveReport)
	s.guardEndpoints(mux)
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func servePage(w http.ResponseWriter, r *http.Request) {
	b, _ := pageFS.ReadFile("page/index.html")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

// pageRoute is a route as the page lists it.
type pageRoute struct {
	Method, Path, Mode, Integration string
	// Authorization is how the runner guards the route, as the start-up
	// listing says it.
	Authorization string
}

// routeTable is the API and its routes, for the page.
func routeTable(running *Running) any {
	out := struct {
		API, Stage, URL string
		Routes          []pageRoute
	}{running.Stack + "/" + running.LogicalID, running.Stage, running.URL, nil}
	for _, rt := range running.Routes {
		out.Routes = append(out.Routes, pageRoute{rt.Method, rt.Path, transferMode(rt), rt.Integration, authorization(rt)})
	}
	return out
}

// serveStats answers the processes started, the invocations running and
// the invocations so far, per function.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	type stats struct {
		Started     int64 `json:"started"`
		Busy        int64 `json:"busy"`
		Invocations int64 `json:"invocations"`
	}
	out := map[string]stats{}
	for fn, p := range s.pools {
		if p != nil {
			out[fn.LogicalID] = stats{p.Started(), p.Busy(), p.Invocations()}
		}
	}
	writeJSON(w, out)
}

// serveQueues answers the local SQS queues (upload events' targets and
// dead-letter queues): their names and message counts.
func (s *Server) serveQueues(w http.ResponseWriter, r *http.Request) {
	out := map[string]int{}
	if s.events != nil {
		for q, lq := range s.events.queues {
			out[q.Name] = len(lq.list())
		}
	}
	writeJSON(w, out)
}

// serveQueue answers one local queue's messages.
func (s *Server) serveQueue(w http.ResponseWriter, r *http.Request) {
	msgs, ok := s.QueueMessages(r.PathValue("name"))
	if !ok {
		http.Error(w, "no such queue: "+r.PathValue("name"), 404)
		return
	}
	if msgs == nil {
		msgs = []QueueMessage{}
	}
	writeJSON(w, msgs)
}

// takeReport keeps what the page saw (its self-test mode posts it); tests
// read it back (serveReport).
func (s *Server) takeReport(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.reportMu.Lock()
	s.report = b
	s.reportMu.Unlock()
	w.WriteHeader(204)
}

func (s *Server) serveReport(w http.ResponseWriter, r *http.Request) {
	s.reportMu.Lock()
	defer s.reportMu.Unlock()
	if s.report == nil {
		w.WriteHeader(404)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.report)
}
