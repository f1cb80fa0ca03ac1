// Command sgdev runs the REST APIs of synthesized cloud assemblies on
// 127.0.0.1, with true streaming: routes are read from the templates, and
// each function's built bootstrap runs as a process behind a local Lambda
// Runtime API (see package localrun, which a Go test can start the same
// way). `make dev` runs it on the demo apps:
//
//	sgdev -assembly cdk.out,cdk.out.uploads -port 3000
//	curl -N http://127.0.0.1:3000/prod/records
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/streamgate/streamgate/localrun"
)

func main() {
	assemblies := flag.String("assembly", "cdk.out", "cloud assembly directories, comma-separated")
	port := flag.Int("port", 3000, "port of the first API; the next APIs take the next ports (0: any free port)")
	concurrency := flag.Int("concurrency", localrun.DefaultConcurrency, "most processes of a function without reserved concurrency (beyond: a queue); a reserved concurrency in the template applies as is")
	minio := flag.String("minio", ".tools/bin/minio", "MinIO binary for the templates' buckets (empty: no S3)")
	s3data := flag.String("s3-data", "", "MinIO's data directory, kept between runs (default: the user cache directory's streamgate/sgdev-s3/<hash of -assembly>)")
	clean := flag.Bool("clean", false, "empty the S3 data directory first")
	nodeRIC := flag.String("node-ric", ".tools/noderic/node_modules/aws-lambda-ric/index.mjs", "AWS's Runtime Interface Client for Node.js, for functions on the Node.js runtimes (scripts/noderic.sh installs it; empty: those are not run)")
	noThrottle := flag.Bool("no-throttle", false, "lift the 2 MB/s cap streams have on AWS past their first 6 MB (Lambda) or 10 MB (HTTP), for speed")
	idle := flag.Duration("idle-timeout", 0, "override API Gateway's idle timeout between stream chunks (default: by endpoint type)")
	cpuprofile := flag.String("cpuprofile", "", "write the runner's CPU profile to this file until it stops (go tool pprof)")
	flag.Parse()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sgdev:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "sgdev:", err)
			os.Exit(1)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	if *minio != "" {
		if _, err := os.Stat(*minio); err != nil {
			fmt.Fprintf(os.Stderr, "sgdev: %s not found (scripts/minio.sh install builds it): running without S3\n", *minio)
			*minio = ""
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cache := filepath.Join(".tools", "devbuild")
	if _, err := os.Stat(".tools"); err != nil {
		cache = ""
	}
	srv, err := localrun.Run(ctx, localrun.Options{
		Assembly:         strings.Split(*assemblies, ","),
		Port:             *port,
		Concurrency:      *concurrency,
		CacheDir:         cache,
		MinIO:            *minio,
		S3Data:           *s3data,
		CleanS3:          *clean,
		DisableStreamCap: *noThrottle,
		NodeRIC:          *nodeRIC,
		IdleTimeout:      *idle,
		Logs:             os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sgdev:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	srv.Describe(os.Stdout)
	fmt.Println("ready")
	code := 0
	select {
	case <-ctx.Done():
	case err := <-srv.Failed():
		fmt.Fprintln(os.Stderr, "sgdev: stopping:", err)
		code = 1
	}
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	if code != 0 {
		pprof.StopCPUProfile()
		os.Exit(code)
	}
}
