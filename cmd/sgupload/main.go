// Command sgupload uploads files through a PresignedUploadApi, straight to
// S3, with a progress bar:
//
//	sgupload -api https://abc123.execute-api.eu-west-1.amazonaws.com/prod/ -iam video.mp4
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
)

func main() {
	api := flag.String("api", os.Getenv("STREAMGATE_UPLOAD_API"), "the upload API's stage URL (default $STREAMGATE_UPLOAD_API)")
	contentType := flag.String("type", "", "content type (default: from the file name)")
	useIAM := flag.Bool("iam", false, "sign API requests with AWS credentials (SigV4, IAM authorization)")
	region := flag.String("region", "", "region for -iam (default: from the API URL)")
	token := flag.String("token", "", "Authorization header value for Cognito or Lambda authorizers")
	checksum := flag.Bool("checksum", true, "send the file's SHA-256 so S3 checks it (PUT and POST modes)")
	concurrency := flag.Int("concurrency", 4, "parts sent at once (multipart mode)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: sgupload -api URL [flags] FILE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *api == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

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

func send(ctx context.Context, c *upload.Client, path, contentType string, checksum bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if contentType == "" {
		contentType = mime.TypeByExtension(filepath.Ext(path))
		if contentType == "" {
			contentType = "application/octet-stream"
		}
	}
	c.Checksum = checksum
	bar := newBar(os.Stderr, filepath.Base(path))
	res, err := c.Upload(ctx, upload.File{Name: filepath.Base(path), ContentType: contentType, Size: st.Size(), Body: f}, bar.update)
	bar.finish(err == nil)
	if err != nil {
		return err
	}
	fmt.Printf("s3://%s/%s\n", res.Bucket, res.Key)
	return nil
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
