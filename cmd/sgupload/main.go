// Command sgupload uploads files through a PresignedUploadApi, straight to
// S3, with a progress bar:
//
//	sgupload -api https://abc123.execute-api.eu-west-1.amazonaws.com/prod/ -iam video.mp4
//
// or to an EdgeUploadEndpoint in one PUT, with an sgt1 token:
//
//	sgupload -edge https://d111.cloudfront.net/u/ -token "$(sgupload token)" video.mp4
//
// `sgupload token` issues a token: with the local runner's development key
// by default, or with -keys FILE and -kid (the {"<kid>":"<secret>"} JSON the
// endpoint's secret holds) for a deployed endpoint.
//
// An interrupted multipart upload resumes when the same command runs again
// on the same, unchanged file: the state is kept in the user cache
// directory (streamgate/uploads), and the parts S3 has are not sent again.
//
// -iam signs the API requests with your AWS credentials (the API's default
// IAM authorization); -token sends an Authorization header instead (Cognito
// or a Lambda authorizer). The content type comes from the file name unless
// -type says otherwise.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/internal/edge"
	"github.com/streamgate/streamgate/lambda/edgetoken"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "token" {
		tokenCommand(os.Args[2:])
		return
	}
	edge := flag.String("edge", "", "an EdgeUploadEndpoint's URL (https://.../u/): one PUT with -token, no API")
	api := flag.String("api", os.Getenv("STREAMGATE_UPLOAD_API"), "the upload API's stage URL (default $STREAMGATE_UPLOAD_API)")
	contentType := flag.String("type", "", "content type (default: from the file name)")
	useIAM := flag.Bool("iam", false, "sign API requests with AWS credentials (SigV4, IAM authorization)")
	region := flag.String("region", "", "region for -iam (default: from the API URL)")
	token := flag.String("token", "", "Authorization header value for Cognito or Lambda authorizers; with -edge, the sgt1 token")
	checksum := flag.Bool("checksum", true, "send SHA-256 checksums so that S3 checks every byte: the file's (PUT and POST modes), each part's (multipart)")
	concurrency := flag.Int("concurrency", 4, "parts sent at once (multipart mode)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: sgupload -api URL [flags] FILE...\n       sgupload -edge URL -token TOKEN FILE...\n       sgupload token [-sub s] [-ttl 5m] [-name n] [-max bytes] [-type t] [-keys FILE -kid ID]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if (*api == "" && *edge == "") || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *edge != "" {
		if *token == "" {
			fail(fmt.Errorf("-edge needs -token (an sgt1 token from your backend, or `sgupload token` for the local runner)"))
		}
		c := &upload.Client{}
		for _, path := range flag.Args() {
			if err := sendEdge(ctx, c, *edge, *token, path, *contentType); err != nil {
				fail(fmt.Errorf("%s: %w", path, err))
			}
		}
		return
	}

	c := &upload.Client{Endpoint: *api, Concurrency: *concurrency}
	switch {
	case *useIAM:
		sign, err := iamSigner(ctx, *api, *region)
		if err != nil {
			fail(err)
		}
		c.Sign = sign
	case *token != "":
		c.Sign = func(r *http.Request) error { r.Header.Set("Authorization", *token); return nil }
	}
	for _, path := range flag.Args() {
		if err := send(ctx, c, path, *contentType, *checksum); err != nil {
			fail(fmt.Errorf("%s: %w", path, err))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sgupload:", err)
	os.Exit(1)
}

// open opens path as an upload.File, its type from -type or the name.
func open(path, contentType string) (upload.File, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return upload.File{}, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return upload.File{}, nil, err
	}
	if contentType == "" {
		contentType = mime.TypeByExtension(filepath.Ext(path))
		if contentType == "" {
			contentType = "application/octet-stream"
		}
	}
	return upload.File{Name: filepath.Base(path), ContentType: contentType, Size: st.Size(), Body: f,
		ID: upload.FileID(path, st.Size(), st.ModTime())}, f, nil
}

func send(ctx context.Context, c *upload.Client, path, contentType string, checksum bool) error {
	file, f, err := open(path, contentType)
	if err != nil {
		return err
	}
	defer f.Close()
	c.Checksum = checksum
	bar := newBar(os.Stderr, file.Name)
	res, err := c.Upload(ctx, file, bar.update)
	bar.finish(err == nil)
	if err != nil {
		if c.Resumable(file) {
			fmt.Fprintln(os.Stderr, "sgupload: the upload can resume: run the same command again, and the parts S3 has are not sent again")
		}
		return err
	}
	if res.ResumedParts > 0 {
		fmt.Fprintf(os.Stderr, "resumed: %d parts (%s) were in S3 already and were not sent again\n", res.ResumedParts, size(res.ResumedBytes))
	}
	fmt.Printf("s3://%s/%s\n", res.Bucket, res.Key)
	return nil
}

func sendEdge(ctx context.Context, c *upload.Client, endpoint, token, path, contentType string) error {
	file, f, err := open(path, contentType)
	if err != nil {
		return err
	}
	defer f.Close()
	bar := newBar(os.Stderr, file.Name)
	res, err := c.EdgeUpload(ctx, endpoint, token, file, bar.update)
	bar.finish(err == nil)
	if err != nil {
		return err
	}
	if res.Key != "" {
		fmt.Println(res.Key)
	} else {
		fmt.Printf("uploaded (ETag %s)\n", res.ETag)
	}
	return nil
}

// tokenCommand prints an sgt1 token (sgupload token -h).
func tokenCommand(args []string) {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	sub := fs.String("sub", "local-dev", "the caller's id (a segment of the object key)")
	ttl := fs.Duration("ttl", 5*time.Minute, "how long the token works (the endpoint caps it, 1 hour by default)")
	name := fs.String("name", "", "the one file name allowed, or a prefix ending in * (default: any)")
	maxSize := fs.Int64("max", 0, "the largest body in bytes (default: the endpoint's limit)")
	typ := fs.String("type", "", "the one Content-Type allowed (default: any the endpoint allows)")
	keysFile := fs.String("keys", "", `the endpoint's keys as {"<kid>":"<secret>"} (default: the local runner's development key)`)
	kid := fs.String("kid", "", "the key id to sign with (with -keys; default: the only one)")
	fs.Parse(args)
	key := edge.DevKey
	if *keysFile != "" {
		data, err := os.ReadFile(*keysFile)
		if err != nil {
			fail(err)
		}
		keys, err := edgetoken.ParseKeys(data)
		if err != nil {
			fail(err)
		}
		if *kid == "" && len(keys) == 1 {
			for id := range keys {
				*kid = id
			}
		}
		secret, ok := keys[*kid]
		if !ok {
			fail(fmt.Errorf("-kid %q is not in %s; pass one of its key ids", *kid, *keysFile))
		}
		key = edgetoken.Key{ID: *kid, Secret: secret}
	}
	tok, err := edgetoken.Issue(key, edgetoken.Claims{Subject: *sub, Expires: time.Now().Add(*ttl).Unix(), Name: *name, MaxSize: *maxSize, ContentType: *typ})
	if err != nil {
		fail(err)
	}
	fmt.Println(tok)
}

// bar draws a progress bar, at most ten times a second.
type bar struct {
	mu    sync.Mutex
	w     io.Writer
	name  string
	start time.Time
	drawn time.Time
	sent  int64
	total int64
}

func newBar(w io.Writer, name string) *bar { return &bar{w: w, name: name, start: time.Now()} }

func (b *bar) update(sent, total int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent, b.total = sent, total
	if time.Since(b.drawn) >= 100*time.Millisecond || sent == total {
		b.draw()
	}
}

func (b *bar) draw() {
	b.drawn = time.Now()
	frac := 1.0
	if b.total > 0 {
		frac = float64(b.sent) / float64(b.total)
	}
	const width = 30
	filled := int(frac * width)
	rate := float64(b.sent) / max(time.Since(b.start).Seconds(), 0.001)
	fmt.Fprintf(b.w, "\r%-20.20s [%s%s] %3.0f%% %s/%s %s/s ", b.name,
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100, size(b.sent), size(b.total), size(int64(rate)))
}

func (b *bar) finish(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.draw()
	if ok {
		fmt.Fprintln(b.w, "done")
	} else {
		fmt.Fprintln(b.w, "failed")
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fKiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
}

// iamSigner signs API requests with SigV4 for execute-api.
func iamSigner(ctx context.Context, api, region string) (func(*http.Request) error, error) {
	if region == "" {
		// https://{id}.execute-api.{region}.amazonaws.com/...
		if u, err := url.Parse(api); err == nil {
			if parts := strings.Split(u.Hostname(), "."); len(parts) > 3 && parts[1] == "execute-api" {
				region = parts[2]
			}
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, func(o *config.LoadOptions) error {
		if region != "" {
			o.Region = region
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("-iam needs a region: pass -region")
	}
	signer := v4.NewSigner()
	return func(r *http.Request) error {
		var body []byte
		if r.Body != nil {
			var err error
			if body, err = io.ReadAll(r.Body); err != nil {
				return err
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		sum := sha256.Sum256(body)
		creds, err := cfg.Credentials.Retrieve(r.Context())
		if err != nil {
			return err
		}
		return signer.SignHTTP(r.Context(), aws.Credentials(creds), r, hex.EncodeToString(sum[:]), "execute-api", cfg.Region, time.Now())
	}, nil
}
