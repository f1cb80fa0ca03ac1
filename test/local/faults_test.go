package local

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/internal/devserver"
)

// waitFor polls the runner's log for a line.
func waitFor(t *testing.T, logs func() string, what string, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(logs(), what) {
			return
		}
	}
	t.Fatalf("no %q in the log after %v", what, timeout)
}

// TestS3ServerDiesAndComesBack: the S3 server killed under the runner is
// noticed, logged and restarted on the same port and data: the objects are
// still there, and the upload API works again.
func TestS3ServerDiesAndComesBack(t *testing.T) {
	client := localS3()
	ctx := context.Background()
	bucket := bucketOf(t, "localtest-uploads")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("before/kill.txt"), Body: strings.NewReader("kept")}); err != nil {
		t.Fatal(err)
	}
	pids := children(t, s3Kind.Binary())
	if len(pids) != 1 {
		t.Fatalf("%s processes: %v", s3Kind.Title(), pids)
	}
	syscall.Kill(pids[0], syscall.SIGKILL)
	waitFor(t, runnerLogs.String, s3Kind.Title()+" is back", 60*time.Second)
	if !strings.Contains(runnerLogs.String(), fmt.Sprintf("%s (pid %d) exited", s3Kind.Title(), pids[0])) {
		t.Error("the death was not logged")
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("before/kill.txt")}); err != nil {
		t.Errorf("the object did not survive: %v", err)
	}
	resp, err := http.Post(uploadsURL+"/uploads", "application/json", strings.NewReader(`{"fileName":"after.txt","contentType":"text/plain","size":5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the upload API after the restart: %d", resp.StatusCode)
	}
}

// TestDeadIdleProcessIsReplaced: a function process that dies between
// invocations is replaced by a new one for the next.
func TestDeadIdleProcessIsReplaced(t *testing.T) {
	resp, _ := get(t, throttledURL+"/records?count=1&interval_ms=0")
	resp.Body.Close()
	time.Sleep(1100 * time.Millisecond) // the stage's throttle: tokens back
	before := functionFor(t, "ThrottledGetRecords").Started
	for _, pid := range children(t, "bootstrap") {
		syscall.Kill(pid, syscall.SIGKILL) // every idle function process
	}
	time.Sleep(200 * time.Millisecond)
	resp, _ = get(t, throttledURL+"/records?count=1&interval_ms=0")
	if resp.StatusCode != 200 || functionFor(t, "ThrottledGetRecords").Started != before+1 {
		t.Errorf("after the process died: %d, %d processes started (before: %d)", resp.StatusCode, functionFor(t, "ThrottledGetRecords").Started, before)
	}
}

// TestS3DataSurvivesARestartUnlessClean: a second runner on the same
// assembly keeps the S3 server's data between runs, and -clean empties it; SIGTERM
// stops the runner and every process it started.
func TestS3DataSurvivesARestartUnlessClean(t *testing.T) {
	data := t.TempDir()
	dir := runnerArgs[1] // -assembly
	run := func(extra ...string) (endpoint string, stop func()) {
		cmd := exec.Command(runnerBin, append(append([]string{"-assembly", dir, "-port", "0", "-s3-data", data}, s3Args...), extra...)...)
		out, _ := cmd.StdoutPipe()
		var logs syncBuffer
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		s3Line := regexp.MustCompile(`^notice: S3: \w+ at (http://127\.0\.0\.1:\d+)`)
		for sc.Scan() {
			if m := s3Line.FindStringSubmatch(sc.Text()); m != nil {
				endpoint = m[1]
			}
			if sc.Text() == "ready" {
				break
			}
		}
		go func() {
			for sc.Scan() {
			}
		}()
		return endpoint, func() {
			kids, _ := exec.Command("pgrep", "-P", fmt.Sprint(cmd.Process.Pid)).Output()
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			for _, f := range strings.Fields(string(kids)) {
				if _, err := os.Stat("/proc/" + f); err == nil {
					t.Errorf("process %s outlived the runner", f)
				}
			}
		}
	}
	endpoint, stop := run()
	c := s3At(endpoint)
	bucket := bucketAt(t, c, "localtest-uploads")
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("kept.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	stop()
	endpoint, stop = run()
	_, err := s3At(endpoint).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("kept.txt")})
	stop()
	if err != nil {
		t.Errorf("after a restart: %v", err)
	}
	endpoint, stop = run("-clean")
	_, err = s3At(endpoint).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("kept.txt")})
	stop()
	if err == nil {
		t.Error("-clean kept the object")
	}
}

// TestS3EndpointUsesAnExistingS3: a second runner given -s3-endpoint (the
// first runner's server, its credentials in the AWS_* variables) starts no
// server of its own, finds the buckets there and says so, and its upload
// API stores the file in that S3.
func TestS3EndpointUsesAnExistingS3(t *testing.T) {
	cmd := exec.Command(runnerBin, "-assembly", runnerArgs[1], "-port", "0", "-s3-endpoint", s3URL, "-node-ric", "")
	cmd.Dir = cdktest.ModuleRoot() // the handlers rebuilt for this machine are cached there
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+devserver.S3User, "AWS_SECRET_ACCESS_KEY="+devserver.S3Password, "AWS_SESSION_TOKEN=", "AWS_REGION=us-east-1")
	out, _ := cmd.StdoutPipe()
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	uploads := regexp.MustCompile(`^LocalTest/Uploads\w*\s+(http://127\.0\.0\.1:\d+/prod)`)
	var api, notice string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := uploads.FindStringSubmatch(sc.Text()); m != nil && api == "" {
			api = m[1]
		}
		if strings.HasPrefix(sc.Text(), "notice: S3: ") {
			notice = sc.Text()
		}
		if sc.Text() == "ready" {
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if want := "notice: S3: " + s3URL + " (-s3-endpoint; key streamgate, region us-east-1"; !strings.HasPrefix(notice, want) || !strings.Contains(notice, "created here: none") {
		t.Errorf("start-up notice %q, want it to start %q and say no bucket was created", notice, want)
	}
	kids, _ := exec.Command("pgrep", "-P", fmt.Sprint(cmd.Process.Pid)).Output()
	for _, f := range strings.Fields(string(kids)) {
		if line, _ := os.ReadFile("/proc/" + f + "/cmdline"); strings.Contains(string(line), s3Kind.Binary()) {
			t.Errorf("the runner started an S3 server (pid %s) with -s3-endpoint", f)
		}
	}
	if api == "" {
		t.Fatalf("no upload API in the runner's output; its log:\n%s", logs.String())
	}
	data := bytes.Repeat([]byte("endpoint"), 10_000)
	c := &upload.Client{Endpoint: api + "/", Checksum: true}
	res, err := c.Upload(context.Background(), upload.File{Name: "endpoint.txt", ContentType: "text/plain", Size: int64(len(data)), Body: bytes.NewReader(data)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := localS3().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(res.Bucket), Key: aws.String(res.Key)})
	if err != nil {
		t.Fatalf("the object is not in the S3 of -s3-endpoint: %v", err)
	}
	got.Body.Close()
}
