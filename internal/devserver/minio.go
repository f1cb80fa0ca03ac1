package devserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/streamgate/streamgate/internal/devserver/launch"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/minio"
)

// minioProc is the runner's MinIO: started on a loopback port with a data
// directory that outlives the runner, watched, and restarted on the same
// port and data when it dies.
type minioProc struct {
	*minio.Process

	mu      sync.Mutex
	closing bool
}

// S3DataDir is the default data directory of the local S3 server for a
// run of these assemblies.
func S3DataDir(assemblies []string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, a := range assemblies {
		abs, _ := filepath.Abs(a)
		h.Write([]byte(abs + "\x00"))
	}
	return filepath.Join(cache, "streamgate", "sgdev-s3", hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// startMinIO runs MinIO and creates one bucket per template bucket (kept
// from an earlier run when the data directory is). S3 answers a browser's
// upload only from an origin of the bucket's CORS rules; MinIO has one list
// of origins for all buckets (MINIO_API_CORS_ALLOW_ORIGIN, "*" unless set),
// so it gets the rules' origins of every bucket, and the runner's own page
// (pageOrigins).
func (s *Server) startMinIO(ctx context.Context, o Options, buckets map[string]*loader.Bucket, pageOrigins []string) error {
	data := o.S3Data
	if data == "" {
		var err error
		if data, err = S3DataDir(o.Assemblies); err != nil {
			return err
		}
	}
	if o.CleanS3 {
		if err := os.RemoveAll(data); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	addr, err := minio.FreeAddr()
	if err != nil {
		return err
	}
	origins := slices.Clone(pageOrigins)
	for _, b := range buckets {
		origins = append(origins, b.CorsOrigins...)
	}
	slices.Sort(origins)
	origins = slices.Compact(origins)
	if len(origins) == 0 {
		// No origin at all: an empty list would be MinIO's default, "*".
		origins = []string{"http://no-cors-origin.invalid"}
	}
	m := &minioProc{Process: &minio.Process{Bin: o.MinIO, Addr: addr, Data: data, User: S3User, Password: S3Password,
		Env: []string{"MINIO_API_CORS_ALLOW_ORIGIN=" + strings.Join(origins, ",")}, SysProcAttr: launch.ChildProcAttr()}}
	if err := m.Start(); err != nil {
		return err
	}
	s.minio = m
	s.S3Endpoint = "http://" + addr
	go s.superviseMinIO()
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.S3Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(S3User, S3Password, "")})
	names := make([]string, 0, len(buckets))
	for _, b := range buckets {
		names = append(names, b.Name)
	}
	sort.Strings(names)
	for _, name := range names {
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		var api smithy.APIError
		if err != nil && !(errors.As(err, &api) && api.ErrorCode() == "BucketAlreadyOwnedByYou") {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	s.Notices = append(s.Notices, fmt.Sprintf("S3: MinIO at %s (user %s) with buckets %s; data in %s (kept: -clean empties it)", s.S3Endpoint, S3User, strings.Join(names, ", "), data))
	s.Notices = append(s.Notices, fmt.Sprintf("S3 CORS: browsers may upload from %s (MinIO has one list for every bucket: the origins of all the buckets' CORS rules, and the runner's pages)", strings.Join(origins, ", ")))
	return nil
}

// superviseMinIO restarts MinIO when it dies (on the same port and data,
// so that the functions' endpoint and the objects stay), and reports the
// runner failed when it cannot.
func (s *Server) superviseMinIO() {
	m := s.minio
	for {
		exited, pid := m.Exited(), m.Pid()
		<-exited
		m.mu.Lock()
		closing := m.closing
		m.mu.Unlock()
		if closing {
			return
		}
		fmt.Fprintf(s.logs, "notice: S3: MinIO (pid %d) exited (%s): restarting it on %s with the same data (%s)\n", pid, m.State(), m.Addr, m.Data)
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond) // the port may take a moment to free
			if err = m.Start(); err == nil {
				break
			}
		}
		if err != nil {
			err = fmt.Errorf("MinIO exited and could not be restarted: %w", err)
			fmt.Fprintf(s.logs, "error: S3: %v\n", err)
			s.failed <- err
			return
		}
		fmt.Fprintf(s.logs, "notice: S3: MinIO is back at %s\n", m.URL())
	}
}

// stop ends MinIO for good; its data stays.
func (m *minioProc) stop() {
	m.mu.Lock()
	m.closing = true
	m.mu.Unlock()
	m.Kill()
}
