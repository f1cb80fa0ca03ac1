// Command sgdev runs the REST APIs of synthesized cloud assemblies on
// 127.0.0.1, with true streaming: routes are read from the templates, and
// each function's built bootstrap runs as a process behind a local Lambda
// Runtime API (see package localrun, which a Go test can start the same
// way). `make dev` runs it on the demo apps:
//
//	sgdev -assembly cdk.out,cdk.out.uploads -port 3000
//	curl -N http://127.0.0.1:3000/prod/records
//
// Routes are guarded as API Gateway guards them: AWS_IAM routes need a
// SigV4 signature by a key the runner knows (the local credential, printed
// at start, the developer's AWS credentials, or -iam-key), Lambda
// authorizers run, Cognito authorizers verify tokens that `sgdev token`
// mints, and API keys are checked against the usage plans:
//
//	curl -N --aws-sigv4 aws:amz:us-east-1:execute-api \
//	  --user AKIASTREAMGATELOCAL0:streamgate/local/SECRET/for/sgdev/only00 \
//	  http://127.0.0.1:3000/prod/records
//	curl -N -H "Authorization: $(sgdev token -assembly cdk.out -user alice)" ...
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

	"github.com/streamgate/streamgate/internal/devserver"
	"github.com/streamgate/streamgate/internal/s3server"
	"github.com/streamgate/streamgate/localrun"
)

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "token" {
		os.Exit(token(os.Args[2:]))
	}
	assemblies := flag.String("assembly", "cdk.out", "cloud assembly directories, comma-separated")
	port := flag.Int("port", 3000, "port of the first API; the next APIs take the next ports (0: any free port)")
	concurrency := flag.Int("concurrency", localrun.DefaultConcurrency, "most processes of a function without reserved concurrency (beyond: a queue); a reserved concurrency in the template applies as is")
	s3kind := flag.String("s3", string(s3server.Default), "the S3-compatible server for the templates' buckets: seaweedfs or minio (scripts/s3server.sh install builds both into .tools/bin), or none")
	s3bin := flag.String("s3-bin", "", "that server's binary (default: .tools/bin/weed for seaweedfs, .tools/bin/minio for minio)")
	s3endpoint := flag.String("s3-endpoint", "", "use this S3 instead of starting a server (a real account's, LocalStack), with the credentials and region of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION; missing buckets are created")
	minio := flag.String("minio", "", "deprecated: -s3 minio -s3-bin PATH (an empty PATH: -s3 none)")
	root, _ := devserver.S3DataRoot()
	s3data := flag.String("s3-data", "", "the S3 server's data directory, kept between runs (default: one per server and set of -assembly folders, under "+root+
		"; -clean empties the current one, and deleting that folder frees them all: rm -rf "+root+")")
	clean := flag.Bool("clean", false, "empty the S3 data directory first")
	nodeRIC := flag.String("node-ric", ".tools/noderic/node_modules/aws-lambda-ric/index.mjs", "AWS's Runtime Interface Client for Node.js, for functions on the Node.js runtimes (scripts/noderic.sh installs it; empty: those are not run)")
	pythonRIC := flag.String("python-ric", ".tools/pyric/runtime", "AWS's Runtime Interface Client for Python, for functions on the Python 3.11 to 3.14 runtimes: the folder scripts/pyric.sh builds (empty: those are not run)")
	noThrottle := flag.Bool("no-throttle", false, "lift the 2 MB/s cap streams have on AWS past their first 6 MB (Lambda) or 10 MB (HTTP), for speed")
	idle := flag.Duration("idle-timeout", 0, "override API Gateway's idle timeout between stream chunks (default: by endpoint type)")
	cpuprofile := flag.String("cpuprofile", "", "write the runner's CPU profile to this file until it stops (go tool pprof)")
	iam := flag.Bool("iam", true, "verify SigV4 signatures on AWS_IAM routes as API Gateway does (-iam=false lets unsigned requests through)")
	var iamKeys, jwks, apiKeys listFlag
	flag.Var(&iamKeys, "iam-key", "a credential AWS_IAM routes accept besides the local one and yours, as ACCESS_KEY_ID:SECRET[:ACCOUNT[:ARN]] (repeatable)")
	iamRegion := flag.String("iam-region", "", "the region signatures are scoped to (default: us-east-1, the functions' region)")
	cognitoKey := flag.String("cognito-key", "", "the local token issuer's RSA key, made when missing (default: sgdev-cognito/issuer-key.pem in the user cache directory); `sgdev token` signs with it")
	flag.Var(&jwks, "cognito-jwks", "trust this real user pool's JWKS URL (https://cognito-idp.REGION.amazonaws.com/POOL_ID/.well-known/jwks.json) instead of the local issuer (repeatable)")
	flag.Var(&apiKeys, "api-key", "the value of a template's API key that has none, as NAME=VALUE (NAME: logical id, stack/logical id or Name; repeatable; default: a value printed at start)")
	waf := flag.Bool("waf", true, "evaluate the stages' WAF web ACLs before the routes, as on AWS (-waf=false lets every request past them)")
	wafCountry := flag.String("waf-country", "", "the country (ISO 3166 code) every client is in, for WAF geo match statements (default US)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: sgdev [flags]\n       sgdev token [flags]   (mint a Cognito token: sgdev token -h)\n\n")
		flag.PrintDefaults()
	}
	parseFlags()
	var keys []localrun.IAMKey
	for _, v := range iamKeys {
		k, err := devserver.ParseIAMKey(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sgdev:", err)
			os.Exit(2)
		}
		keys = append(keys, localrun.IAMKey{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey, AccountID: k.AccountID, ARN: k.ARN})
	}
	values := map[string]string{}
	for _, v := range apiKeys {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" || value == "" {
			fmt.Fprintf(os.Stderr, "sgdev: -api-key %q: want NAME=VALUE, e.g. -api-key PartnerKey=0123456789abcdefghij (NAME: the key's logical id, stack/logical id or Name)\n", v)
			os.Exit(2)
		}
		values[name] = value
	}

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

	flag.Visit(func(f *flag.Flag) {
		if f.Name == "minio" {
			*s3kind, *s3bin = string(s3server.MinIO), *minio
			if *minio == "" {
				*s3kind = "none"
			}
		}
	})
	if *s3kind == "none" || *s3endpoint != "" {
		*s3kind = ""
	}
	if *s3kind != "" {
		k, err := s3server.ParseKind(*s3kind)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sgdev: -s3:", err)
			os.Exit(2)
		}
		if *s3bin == "" {
			*s3bin = k.ToolsBin(".tools")
		}
		if _, err := os.Stat(*s3bin); err != nil {
			fmt.Fprintf(os.Stderr, "sgdev: %s not found (scripts/s3server.sh install %s builds it): running without S3\n", *s3bin, k)
			*s3kind = ""
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cache := filepath.Join(".tools", "devbuild")
	if _, err := os.Stat(".tools"); err != nil {
		cache = ""
	}
	srv, err := localrun.Run(ctx, localrun.Options{
		Assemblies:       strings.Split(*assemblies, ","),
		Port:             *port,
		Concurrency:      *concurrency,
		CacheDir:         cache,
		S3:               *s3kind,
		S3Bin:            *s3bin,
		S3Endpoint:       *s3endpoint,
		S3Data:           *s3data,
		CleanS3:          *clean,
		DisableStreamCap: *noThrottle,
		NodeRIC:          *nodeRIC,
		PythonRIC:        *pythonRIC,
		IdleTimeout:      *idle,
		Logs:             os.Stderr,
		SkipIAM:          !*iam,
		IAMKeys:          keys,
		IAMRegion:        *iamRegion,
		CognitoKeyFile:   *cognitoKey,
		CognitoJWKS:      jwks,
		APIKeys:          values,
		SkipWAF:          !*waf,
		WAFCountry:       *wafCountry,
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
