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
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "token":
			os.Exit(token(os.Args[2:]))
		case "install":
			os.Exit(install(os.Args[2:], os.Stdout, os.Stderr))
		}
	}
	os.Exit(serve())
}

// serve is sgdev without a subcommand: it runs the assemblies' APIs until
// Ctrl-C or SIGTERM (exit 0) or until a part the runner cannot do without
// fails for good (exit 1); bad flags exit 2.
func serve() int {
	f := defineFlags(flag.CommandLine)
	parseFlags()
	o, err := f.options()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sgdev:", err)
		return 2
	}
	if *f.cpuprofile != "" {
		stopProfile, err := startCPUProfile(*f.cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sgdev:", err)
			return 1
		}
		defer stopProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := localrun.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sgdev:", err)
		return 1
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
	closeWithin(srv, 5*time.Second)
	return code
}

// flags are sgdev's command-line flags.
type flags struct {
	fs                                                          *flag.FlagSet
	assemblies, s3kind, s3bin, s3endpoint, minio, s3data        *string
	nodeRIC, pythonRIC, cpuprofile, iamRegion, cognitoKey, wafC *string
	port, concurrency                                           *int
	clean, noThrottle, iam, waf                                 *bool
	idle                                                        *time.Duration
	iamKeys, jwks, apiKeys                                      listFlag
}

// defineFlags defines sgdev's flags on fs, with their defaults and help.
func defineFlags(fs *flag.FlagSet) *flags {
	f := &flags{fs: fs}
	f.assemblies = fs.String("assembly", "cdk.out", "cloud assembly directories, comma-separated")
	f.port = fs.Int("port", 3000, "port of the first API; the next APIs take the next ports (0: any free port)")
	f.concurrency = fs.Int("concurrency", localrun.DefaultConcurrency, "most processes of a function without reserved concurrency (beyond: a queue); a reserved concurrency in the template applies as is")
	// The tool flags' defaults and usage name the tools folder sgdev runs
	// with, which parseFlags finds (setDefaults), as resolveS3 settles -s3.
	f.s3kind = fs.String("s3", string(s3server.Default), "")
	f.s3bin = fs.String("s3-bin", "", "")
	f.s3endpoint = fs.String("s3-endpoint", "", "use this S3 instead of starting a server (a real account's, LocalStack), with the credentials and region of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION; missing buckets are created")
	f.minio = fs.String("minio", "", "deprecated: -s3 minio -s3-bin PATH (an empty PATH: -s3 none)")
	root, _ := devserver.S3DataRoot()
	f.s3data = fs.String("s3-data", "", "the S3 server's data directory, kept between runs (default: one per server and set of -assembly folders, under "+root+
		"; -clean empties the current one, and deleting that folder frees them all: rm -rf "+root+")")
	f.clean = fs.Bool("clean", false, "empty the S3 data directory first")
	f.nodeRIC = fs.String("node-ric", "", "")
	f.pythonRIC = fs.String("python-ric", "", "")
	f.noThrottle = fs.Bool("no-throttle", false, "lift the 2 MB/s cap streams have on AWS past their first 6 MB (Lambda) or 10 MB (HTTP), for speed")
	f.idle = fs.Duration("idle-timeout", 0, "override API Gateway's idle timeout between stream chunks (default: by endpoint type)")
	f.cpuprofile = fs.String("cpuprofile", "", "write the runner's CPU profile to this file until it stops (go tool pprof)")
	f.iam = fs.Bool("iam", true, "verify SigV4 signatures on AWS_IAM routes as API Gateway does (-iam=false lets unsigned requests through)")
	fs.Var(&f.iamKeys, "iam-key", "a credential AWS_IAM routes accept besides the local one and yours, as ACCESS_KEY_ID:SECRET[:ACCOUNT[:ARN]] (repeatable)")
	f.iamRegion = fs.String("iam-region", "", "the region signatures are scoped to (default: us-east-1, the functions' region)")
	f.cognitoKey = fs.String("cognito-key", "", "the local token issuer's RSA key, made when missing (default: sgdev-cognito/issuer-key.pem in the user cache directory); `sgdev token` signs with it")
	fs.Var(&f.jwks, "cognito-jwks", "trust this real user pool's JWKS URL (https://cognito-idp.REGION.amazonaws.com/POOL_ID/.well-known/jwks.json) instead of the local issuer (repeatable)")
	fs.Var(&f.apiKeys, "api-key", "the value of a template's API key that has none, as NAME=VALUE (NAME: logical id, stack/logical id or Name; repeatable; default: a value printed at start)")
	f.waf = fs.Bool("waf", true, "evaluate the stages' WAF web ACLs before the routes, as on AWS (-waf=false lets every request past them)")
	f.wafC = fs.String("waf-country", "", "the country (ISO 3166 code) every client is in, for WAF geo match statements (default US)")
	return f
}

// options are the runner's options the parsed flags give.
func (f *flags) options() (localrun.Options, error) {
	keys, err := iamKeys(f.iamKeys)
	if err != nil {
		return localrun.Options{}, err
	}
	values, err := apiKeyValues(f.apiKeys)
	if err != nil {
		return localrun.Options{}, err
	}
	s3kind, s3bin, err := f.s3Server()
	if err != nil {
		return localrun.Options{}, err
	}
	// Handlers rebuilt for this machine are kept in .tools when there is one.
	cache := filepath.Join(".tools", "devbuild")
	if _, err := os.Stat(".tools"); err != nil {
		cache = ""
	}
	return localrun.Options{
		Assemblies: strings.Split(*f.assemblies, ","), Port: *f.port, Concurrency: *f.concurrency, CacheDir: cache,
		S3: s3kind, S3Bin: s3bin, S3Endpoint: *f.s3endpoint, S3Data: *f.s3data, CleanS3: *f.clean,
		DisableStreamCap: *f.noThrottle, NodeRIC: *f.nodeRIC, PythonRIC: *f.pythonRIC, IdleTimeout: *f.idle, Logs: os.Stderr,
		SkipIAM: !*f.iam, IAMKeys: keys, IAMRegion: *f.iamRegion,
		CognitoKeyFile: *f.cognitoKey, CognitoJWKS: f.jwks, APIKeys: values,
		SkipWAF: !*f.waf, WAFCountry: *f.wafC,
	}, nil
}

// iamKeys reads the -iam-key flags.
func iamKeys(flags []string) ([]localrun.IAMKey, error) {
	var keys []localrun.IAMKey
	for _, v := range flags {
		k, err := devserver.ParseIAMKey(v)
		if err != nil {
			return nil, err
		}
		keys = append(keys, localrun.IAMKey{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey, AccountID: k.AccountID, ARN: k.ARN})
	}
	return keys, nil
}

// apiKeyValues reads the -api-key flags: NAME=VALUE each.
func apiKeyValues(flags []string) (map[string]string, error) {
	values := map[string]string{}
	for _, v := range flags {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" || value == "" {
			return nil, fmt.Errorf("-api-key %q: want NAME=VALUE, e.g. -api-key PartnerKey=0123456789abcdefghij (NAME: the key's logical id, stack/logical id or Name)", v)
		}
		values[name] = value
	}
	return values, nil
}

// s3Server is the S3 server to start and its binary: none with -s3 none or
// -s3-endpoint, nor when the binary is missing (a line says so); the
// deprecated -minio PATH is -s3 minio -s3-bin PATH.
func (f *flags) s3Server() (kind, bin string, err error) {
	kind, bin = *f.s3kind, *f.s3bin
	f.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "minio" {
			kind, bin = string(s3server.MinIO), *f.minio
			if *f.minio == "" {
				kind = "none"
			}
		}
	})
	if kind == "none" || *f.s3endpoint != "" {
		return "", bin, nil
	}
	k, err := s3server.ParseKind(kind)
	if err != nil {
		return "", "", fmt.Errorf("-s3: %w", err)
	}
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(os.Stderr, "sgdev: %s not found (scripts/s3server.sh install %s builds it): running without S3\n", bin, k)
		return "", bin, nil
	}
	return kind, bin, nil
}

// startCPUProfile profiles the runner into file until stop is called.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// closeWithin stops the runner, waiting at most d for it.
func closeWithin(srv *localrun.Runner, d time.Duration) {
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
