package devserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
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
)

// minioProc is the runner's MinIO: started on a loopback port with a data
// directory that outlives the runner, watched, and restarted on the same
// port and data when it dies.
type minioProc struct {
	bin, addr, data string
	env             []string
	logs            *bytes.Buffer // its output, for a failed start

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
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
func (s *Server) startMinIO(ctx context.Context, o Options, buckets map[string]*Bucket, pageOrigins []string) error {
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
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
	m := &minioProc{bin: o.MinIO, addr: addr, data: data, logs: &bytes.Buffer{},
		env: append(os.Environ(), "MINIO_ROOT_USER="+S3User, "MINIO_ROOT_PASSWORD="+S3Password, "MINIO_BROWSER=off",
			"MINIO_API_CORS_ALLOW_ORIGIN="+strings.Join(origins, ","))}
	if err := m.start(); err != nil {
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

// start runs MinIO and waits until it answers.
func (m *minioProc) start() error {
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", "127.0.0.1:0", m.data)
	cmd.Env = m.env
	m.logs.Reset()
	cmd.Stdout, cmd.Stderr = m.logs, m.logs
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting MinIO (%s): %w (scripts/minio.sh install builds it)", m.bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	m.mu.Lock()
	m.cmd, m.exited = cmd, exited
	m.mu.Unlock()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + m.addr + "/minio/health/live"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("MinIO exited on start (%s, data %s):\n%s", m.addr, m.data, m.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			return fmt.Errorf("MinIO did not start on %s:\n%s", m.addr, m.logs.String())
		}
	}
}

// superviseMinIO restarts MinIO when it dies (on the same port and data,
// so that the functions' endpoint and the objects stay), and reports the
// runner failed when it cannot.
func (s *Server) superviseMinIO() {
	m := s.minio
	for {
		m.mu.Lock()
		exited, cmd := m.exited, m.cmd
		m.mu.Unlock()
		<-exited
		m.mu.Lock()
		closing := m.closing
		m.mu.Unlock()
		if closing {
			return
		}
		fmt.Fprintf(s.logs, "notice: S3: MinIO (pid %d) exited (%v): restarting it on %s with the same data (%s)\n", cmd.Process.Pid, cmd.ProcessState, m.addr, m.data)
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond) // the port may take a moment to free
			if err = m.start(); err == nil {
				break
			}
		}
		if err != nil {
			err = fmt.Errorf("MinIO exited and could not be restarted: %w", err)
			fmt.Fprintf(s.logs, "error: S3: %v\n", err)
			s.failed <- err
			return
		}
		fmt.Fprintf(s.logs, "notice: S3: MinIO is back at http://%s\n", m.addr)
	}
}

// stop ends MinIO for good; its data stays.
func (m *minioProc) stop() {
	m.mu.Lock()
	m.closing = true
	cmd, exited := m.cmd, m.exited
	m.mu.Unlock()
	cmd.Process.Kill()
	<-exited
}

// pid is MinIO's process id (tests kill it).
func (m *minioProc) pid() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cmd.Process.Pid
}
