package devserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
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
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/streamgate/streamgate/internal/devserver/launch"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/s3server"
	"github.com/streamgate/streamgate/lambda/s3client"
)

// s3Target is the S3 the functions and edge endpoints talk to: the server
// the runner started, or the endpoint it was given.
type s3Target struct {
	Endpoint                           string
	Region                             string
	AccessKey, SecretKey, SessionToken string
	PathStyle                          bool
}

// env is the functions' environment for it, as Lambda's would be plus the
// endpoint.
func (t *s3Target) env() map[string]string {
	env := map[string]string{"AWS_REGION": t.Region, "AWS_DEFAULT_REGION": t.Region,
		"AWS_ACCESS_KEY_ID": t.AccessKey, "AWS_SECRET_ACCESS_KEY": t.SecretKey, "AWS_SESSION_TOKEN": t.SessionToken,
		"AWS_ENDPOINT_URL_S3": t.Endpoint}
	if t.PathStyle {
		env[s3client.EnvPathStyle] = "true"
	}
	return env
}

func (t *s3Target) client() *s3.Client {
	return s3.New(s3.Options{Region: t.Region, BaseEndpoint: aws.String(t.Endpoint), UsePathStyle: t.PathStyle,
		Credentials: credentials.NewStaticCredentialsProvider(t.AccessKey, t.SecretKey, t.SessionToken)})
}

// s3Proc is the runner's S3 server: started on a loopback port with a data
// directory that outlives the runner, watched, and restarted on the same
// port and data when it dies.
type s3Proc struct {
	*s3server.Process

	mu      sync.Mutex
	closing bool
}

// S3DataRoot is the folder under which the runner keeps its S3 servers'
// data by default, one folder per server and set of assemblies (S3DataDir).
func S3DataRoot() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "streamgate", "sgdev-s3"), nil
}

// S3DataDir is the default data directory of the local S3 server kind for
// a run of these assemblies: the same folder for the same assembly
// directories, so that objects survive a restart.
func S3DataDir(kind s3server.Kind, assemblies []string) (string, error) {
	root, err := S3DataRoot()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, a := range assemblies {
		abs, _ := filepath.Abs(a)
		h.Write([]byte(abs + "\x00"))
	}
	return filepath.Join(root, string(kind), hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// startS3 gives the functions an S3: the endpoint of Options.S3Endpoint, or
// a server it starts; either way with one bucket per template bucket
// (kept from an earlier run when the data directory is).
func (s *Server) startS3(ctx context.Context, o Options, buckets map[string]*loader.Bucket, pageOrigins []string) error {
	names := make([]string, 0, len(buckets))
	byName := map[string]*loader.Bucket{}
	for _, b := range buckets {
		names = append(names, b.Name)
		byName[b.Name] = b
	}
	sort.Strings(names)
	if o.S3Endpoint != "" {
		return s.useS3Endpoint(ctx, o.S3Endpoint, names, byName, pageOrigins)
	}
	data, err := s3DataFolder(o)
	if err != nil {
		return err
	}
	p, corsNotice, err := s.s3Process(o, data, buckets, pageOrigins)
	if err != nil {
		return err
	}
	proc := &s3Proc{Process: p}
	if err := proc.Start(); err != nil {
		return err
	}
	s.s3proc = proc
	s.s3 = &s3Target{Endpoint: p.URL(), Region: "us-east-1", AccessKey: S3User, SecretKey: S3Password, PathStyle: true}
	s.S3Endpoint = s.s3.Endpoint
	go s.superviseS3()
	bucketsNotice, err := s.setUpBuckets(ctx, o, names, byName, pageOrigins)
	if err != nil {
		return err
	}
	if o.S3 != s3server.MinIO {
		corsNotice = bucketsNotice
	}
	s.Notices = append(s.Notices, fmt.Sprintf("S3: %s at %s (user %s; metrics %s) with buckets %s; data in %s (kept: -clean empties it)",
		o.S3.Title(), s.S3Endpoint, S3User, p.MetricsURL(), strings.Join(names, ", "), data))
	if corsNotice != "" {
		s.Notices = append(s.Notices, corsNotice)
	}
	return nil
}

// s3DataFolder is the server's data folder (S3Data, else S3DataDir),
// emptied first with CleanS3.
func s3DataFolder(o Options) (string, error) {
	data := o.S3Data
	if data == "" {
		var err error
		if data, err = S3DataDir(o.S3, o.Assemblies); err != nil {
			return "", err
		}
	}
	if o.CleanS3 {
		if err := os.RemoveAll(data); err != nil {
			return "", err
		}
	}
	return data, os.MkdirAll(data, 0o700)
}

// s3Process is the S3 server to start on a free port, with the runner's
// credentials, MinIO's CORS origins and the upload events' webhook; the
// notice says which origins MinIO allows.
func (s *Server) s3Process(o Options, data string, buckets map[string]*loader.Bucket, pageOrigins []string) (p *s3server.Process, corsNotice string, err error) {
	addr, err := s3server.FreeAddr()
	if err != nil {
		return nil, "", err
	}
	p = &s3server.Process{Kind: o.S3, Bin: o.S3Bin, Addr: addr, Data: data, AccessKey: S3User, SecretKey: S3Password,
		SysProcAttr: launch.ChildProcAttr()}
	if o.S3 == s3server.MinIO {
		var origins string
		origins, corsNotice = minioCORSOrigins(buckets, pageOrigins)
		p.Env = []string{"MINIO_API_CORS_ALLOW_ORIGIN=" + origins}
	}
	if s.events != nil {
		if p.Webhook, err = s.events.listen(); err != nil {
			return nil, "", err
		}
	}
	return p, corsNotice, nil
}

// minioCORSOrigins is MINIO_API_CORS_ALLOW_ORIGIN: MinIO has no
// PutBucketCors, but one list of origins for every bucket ("*" unless
// set): the origins of every bucket's rules, and the runner's own pages.
func minioCORSOrigins(buckets map[string]*loader.Bucket, pageOrigins []string) (origins, notice string) {
	list := slices.Clone(pageOrigins)
	for _, b := range buckets {
		list = append(list, b.CorsOrigins()...)
	}
	slices.Sort(list)
	list = slices.Compact(list)
	if len(list) == 0 {
		// No origin at all: an empty list would be MinIO's default, "*".
		list = []string{"http://no-cors-origin.invalid"}
	}
	origins = strings.Join(list, ",")
	return origins, fmt.Sprintf("S3 CORS: browsers may upload from %s (MinIO has one list for every bucket: the origins of all the buckets' CORS rules, and the runner's pages)", strings.Join(list, ", "))
}

// setUpBuckets creates the buckets, puts their CORS rules (not on MinIO,
// which has none per bucket: the notice says what it put) and subscribes
// the upload events to the server's notifications.
func (s *Server) setUpBuckets(ctx context.Context, o Options, names []string, byName map[string]*loader.Bucket, pageOrigins []string) (corsNotice string, err error) {
	client := s.s3.client()
	for _, name := range names {
		if _, err := createBucket(ctx, client, name); err != nil {
			return "", err
		}
	}
	if o.S3 != s3server.MinIO {
		if corsNotice, err = putCORS(ctx, client, names, byName, pageOrigins); err != nil {
			return "", err
		}
	}
	if s.events != nil {
		if err := s.events.subscribe(ctx, o.S3, client); err != nil {
			return "", err
		}
		s.Notices = append(s.Notices, s.events.describe(o.S3)...)
	}
	return corsNotice, nil
}

// useS3Endpoint points the functions at an S3 the user runs (a real bucket,
// LocalStack), with the credentials and region of the runner's own
// environment; it creates the buckets that are missing (with the
// template's CORS rules) and leaves existing ones as they are.
func (s *Server) useS3Endpoint(ctx context.Context, endpoint string, names []string, byName map[string]*loader.Bucket, pageOrigins []string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-s3-endpoint %q: want an http:// or https:// URL", endpoint)
	}
	t := &s3Target{Endpoint: endpoint, Region: os.Getenv("AWS_REGION"), AccessKey: os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN"),
		// AWS's own endpoints take virtual-hosted URLs; the S3-compatible
		// servers a team runs mostly take path-style ones only.
		PathStyle: !strings.HasSuffix(u.Hostname(), ".amazonaws.com")}
	if t.Region == "" {
		t.Region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if t.Region == "" {
		t.Region = "us-east-1"
	}
	if t.AccessKey == "" || t.SecretKey == "" {
		return fmt.Errorf("-s3-endpoint %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials, AWS_REGION; default us-east-1) to credentials of that S3", endpoint)
	}
	s.s3 = t
	s.S3Endpoint = endpoint
	client := t.client()
	var created []string
	for _, name := range names {
		made, err := createBucket(ctx, client, name)
		if err != nil {
			return fmt.Errorf("%w (with -s3-endpoint, the runner uses the templates' local bucket names; make the bucket, or let these credentials create it)", err)
		}
		if made {
			created = append(created, name)
		}
	}
	if _, err := putCORS(ctx, client, created, byName, pageOrigins); err != nil {
		return err
	}
	if s.events != nil {
		s.Notices = append(s.Notices, "upload events: not delivered with -s3-endpoint (the runner gets them from the S3 server it starts)")
	}
	s.Notices = append(s.Notices, fmt.Sprintf("S3: %s (-s3-endpoint; key %s, region %s from the environment) with buckets %s; created here: %s (with their templates' CORS rules); the others are used as they are",
		endpoint, t.AccessKey, t.Region, strings.Join(names, ", "), orNone(created)))
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// createBucket makes bucket name unless it exists; made says whether it did.
func createBucket(ctx context.Context, client *s3.Client, name string) (made bool, _ error) {
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
		return false, nil
	}
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	var api smithy.APIError
	if err != nil && errors.As(err, &api) && (api.ErrorCode() == "BucketAlreadyOwnedByYou") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return true, nil
}

// putCORS gives each bucket its template's CORS rules, each rule also
// allowing the runner's own pages, as S3 applies them: per bucket. It says
// so in a notice.
func putCORS(ctx context.Context, client *s3.Client, names []string, byName map[string]*loader.Bucket, pageOrigins []string) (string, error) {
	var said []string
	for _, name := range names {
		b := byName[name]
		if len(b.CorsRules) == 0 {
			continue
		}
		var rules []types.CORSRule
		var origins []string
		for _, r := range b.CorsRules {
			rule := types.CORSRule{AllowedOrigins: append(slices.Clone(r.AllowedOrigins), pageOrigins...), AllowedMethods: r.AllowedMethods,
				AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposedHeaders}
			if r.MaxAge > 0 {
				rule.MaxAgeSeconds = aws.Int32(int32(r.MaxAge))
			}
			rules = append(rules, rule)
			origins = append(origins, r.AllowedOrigins...)
		}
		if _, err := client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(name), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}}); err != nil {
			return "", fmt.Errorf("PutBucketCors %s: %w", name, err)
		}
		said = append(said, fmt.Sprintf("%s from %s", name, strings.Join(origins, ", ")))
	}
	if len(said) == 0 {
		return "", nil
	}
	return fmt.Sprintf("S3 CORS: per bucket, as the templates say (PutBucketCors), each rule also allowing the runner's pages: %s", strings.Join(said, "; ")), nil
}

// superviseS3 restarts the S3 server when it dies (on the same ports and
// data, so that the functions' endpoint and the objects stay), and reports
// the runner failed when it cannot.
func (s *Server) superviseS3() {
	m := s.s3proc
	name := m.Kind.Title()
	for {
		exited, pid := m.Exited(), m.Pid()
		<-exited
		m.mu.Lock()
		closing := m.closing
		m.mu.Unlock()
		if closing {
			return
		}
		fmt.Fprintf(s.logs, "notice: S3: %s (pid %d) exited (%s): restarting it on %s with the same data (%s)\n", name, pid, m.State(), m.Addr, m.Data)
		var err error
		for attempt := 0; attempt < 5; attempt++ {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond) // the port may take a moment to free
			if err = m.Start(); err == nil {
				break
			}
		}
		if err != nil {
			err = fmt.Errorf("%s exited and could not be restarted: %w", name, err)
			fmt.Fprintf(s.logs, "error: S3: %v\n", err)
			s.failed <- err
			return
		}
		fmt.Fprintf(s.logs, "notice: S3: %s is back at %s\n", name, m.URL())
	}
}

// stop ends the server for good; its data stays.
func (m *s3Proc) stop() {
	m.mu.Lock()
	m.closing = true
	m.mu.Unlock()
	m.Kill()
}
