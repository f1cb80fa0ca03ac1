// Command s3probe measures which of the capabilities streamgate relies on
// each S3-compatible server has (internal/s3probe) and prints the README's
// table. It starts each server named by -s3 from .tools/bin (scripts/s3server.sh
// install NAME builds it) on 127.0.0.1 with a temporary data directory,
// and stops it after:
//
//	go run ./internal/cmd/s3probe -s3 seaweedfs,minio
//	go run ./internal/cmd/s3probe -endpoint http://127.0.0.1:4566   # any S3, AWS_* credentials
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/internal/s3probe"
	"github.com/streamgate/streamgate/internal/s3server"
)

func main() {
	kinds := flag.String("s3", "seaweedfs,minio", "servers to start and probe, comma-separated")
	tools := flag.String("tools", ".tools", "the tools directory whose bin/ holds the servers")
	endpoint := flag.String("endpoint", "", "probe this S3 endpoint instead (credentials and region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION); it makes buckets named probe-*")
	flag.Parse()

	var columns []string
	results := map[string][]s3probe.Result{}
	if *endpoint != "" {
		region := os.Getenv("AWS_REGION")
		if region == "" {
			region = "us-east-1"
		}
		c := s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(*endpoint), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))})
		columns = []string{*endpoint}
		results[*endpoint] = s3probe.Run(context.Background(), s3probe.Target{Name: *endpoint, Client: c, Endpoint: *endpoint})
	} else {
		for _, name := range strings.Split(*kinds, ",") {
			k, err := s3server.ParseKind(name)
			if err != nil {
				fail(err)
			}
			r, err := probeServer(k, k.ToolsBin(*tools))
			if err != nil {
				fail(err)
			}
			columns = append(columns, k.Title())
			results[k.Title()] = r
		}
	}
	fmt.Print(s3probe.Markdown(columns, results))
}

// probeServer starts k on loopback with a temporary data directory and a
// webhook for its events, probes it, and stops it.
func probeServer(k s3server.Kind, bin string) ([]s3probe.Result, error) {
	data, err := os.MkdirTemp("", "s3probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(data)
	addr, err := s3server.FreeAddr()
	if err != nil {
		return nil, err
	}
	hook := s3probe.NewWebhook()
	defer hook.Close()
	p := &s3server.Process{Kind: k, Bin: bin, Addr: addr, Data: data, AccessKey: "streamgate", SecretKey: "streamgate-probe-secret", Webhook: hook.URL()}
	start := time.Now()
	if err := p.Start(); err != nil {
		return nil, err
	}
	defer p.Kill()
	fmt.Fprintf(os.Stderr, "s3probe: %s ready in %.1f s\n", k.Title(), time.Since(start).Seconds())
	t := s3probe.Target{Name: k.Title(), Client: p.Client(), Endpoint: p.URL(), Webhook: hook}
	if k == s3server.MinIO {
		t.NotifyARN = s3server.WebhookARN
	}
	start = time.Now()
	r := s3probe.Run(context.Background(), t)
	fmt.Fprintf(os.Stderr, "s3probe: %s probed in %.1f s\n", k.Title(), time.Since(start).Seconds())
	for _, res := range r {
		fmt.Fprintf(os.Stderr, "  %-24s %-5v %s\n", res.Capability, res.OK, res.Detail)
	}
	return r, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "s3probe:", err)
	os.Exit(1)
}
