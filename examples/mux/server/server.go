// Package server is an ordinary net/http server: nothing in it knows about
// Lambda. Its main runs it behind API Gateway with lambda/httpstream; a
// test can run it with httptest as well.
package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// New returns the server's routes (Go 1.22 ServeMux patterns):
//
//	GET  /items/{id}            {"id": ..., "query": ...}
//	GET  /events?count=&interval_ms=  server-sent events, one flush per event
//	GET  /download?mib=         mib MiB of a repeating pattern, never flushed by hand
//	POST /echo                  the body's length and SHA-256 (binary bodies too)
func New() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "query": r.URL.Query(), "remote": r.RemoteAddr})
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		interval, _ := strconv.Atoi(r.URL.Query().Get("interval_ms"))
		count, interval = max(1, min(count, 1000)), max(0, min(interval, 10_000))
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		flusher := w.(http.Flusher)
		for i := 1; i <= count; i++ {
			fmt.Fprintf(w, "id: %d\nevent: tick\ndata: {\"n\":%d,\"at\":%d}\n\n", i, i, time.Now().UnixMilli())
			flusher.Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Duration(interval) * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("GET /download", func(w http.ResponseWriter, r *http.Request) {
		mib, _ := strconv.Atoi(r.URL.Query().Get("mib"))
		mib = max(1, min(mib, 150))
		block := make([]byte, 1<<20)
		for i := range block {
			block[i] = byte(i % 251)
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(mib<<20))
		for i := 0; i < mib; i++ {
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"length": n, "sha256": hex.EncodeToString(h.Sum(nil)), "contentType": r.Header.Get("Content-Type")})
	})
	return mux
}
