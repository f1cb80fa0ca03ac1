package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/internal/cdktest"
	"github.com/streamgate/streamgate/localrun"
)

// Real clients against the web ACLs and the upload events, as the issue's
// list has them: Python's requests (signed by botocore) and a page in
// Chromium send bodies over a SizeLimitedWebAcl's limit, and an Uppy
// upload's completion reaches the event function that OnUploadedFunction
// wires.

// uploadDemoStack is the upload demo's stack in the tests' assembly
// (apps/stacks.NewUploadDemo, as apps/uploads synthesizes it).
const uploadDemoStack = "LocalUploadDemo"

// onUploadID is the Uppy API's upload-event function (lambda/onupload).
const onUploadID = "OnUpload"

// uploadDemoURL is the upload demo's stage URL, from the runner's listing.
func uploadDemoURL(t testing.TB) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + uploadDemoStack + `/Uploads\w*\s+(http://127\.0\.0\.1:\d+/prod)\s`).FindStringSubmatch(runnerLogs.String())
	if m == nil {
		t.Fatalf("the runner did not list %s/Uploads", uploadDemoStack)
	}
	return m[1]
}

var (
	pyClientsOnce    sync.Once
	pyClientsBin     string
	pyClientsMissing string // why no python3 with requests and botocore can be had here; "" when one can
)

// pyClients is a python3 with requests and botocore (scripts/pyclients.sh
// finds one, or installs Debian's packages as root); where neither can be
// had, the test skips with the command that installs them, and TestMain
// repeats it after the run.
func pyClients(t testing.TB) string {
	t.Helper()
	pyClientsOnce.Do(func() {
		out, err := exec.Command(filepath.Join(cdktest.ModuleRoot(), "scripts", "pyclients.sh")).Output()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				pyClientsMissing = strings.TrimSpace(string(exit.Stderr))
			} else {
				pyClientsMissing = err.Error()
			}
			return
		}
		pyClientsBin = strings.TrimSpace(string(out))
	})
	if pyClientsMissing != "" {
		t.Skip("SKIPPED: no python3 with requests and botocore: " + pyClientsMissing)
	}
	return pyClientsBin
}

// pyAnswer is what test/local/pyclient/direct_upload.py printed.
type pyAnswer struct {
	Status  int               `json:"status"`
	Body    string            `json:"body"`
	Headers map[string]string `json:"headers"`
	SHA256  string            `json:"sha256"`
	Client  string            `json:"client"`
}

// logLine waits for the runner's log line that contains what, and returns it.
func logLine(t *testing.T, what string, timeout time.Duration) string {
	t.Helper()
	waitFor(t, runnerLogs.String, what, timeout)
	logs := runnerLogs.String()
	i := strings.Index(logs, what)
	start := strings.LastIndexByte(logs[:i], '\n') + 1
	end := strings.IndexByte(logs[i:], '\n')
	if end < 0 {
		return logs[start:]
	}
	return logs[start : i+end]
}

// notStored fails the test when bucket has key.
func notStored(t *testing.T, bucket, key string) {
	t.Helper()
	_, err := localS3().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("s3://%s/%s: HeadObject %v, want NotFound: the refused body was stored", bucket, key, err)
	}
}

// storedSHA256 is the hex SHA-256 of bucket's key.
func storedSHA256(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := localS3().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	h := sha256.New()
	io.Copy(h, out.Body)
	return hex.EncodeToString(h.Sum(nil))
}

// TestPythonRequestsMeetsTheUploadDemosWebACL: Python's requests, signing
// with botocore's SigV4 signer, PUTs to the upload demo's DirectUpload
// route (AWS_IAM, behind its SizeLimitedWebAcl of 10 MiB): a body one
// byte over the limit gets the web ACL's 413, the runner's log names the
// rule, and nothing is stored; a body under it is stored byte for byte.
func TestPythonRequestsMeetsTheUploadDemosWebACL(t *testing.T) {
	py := pyClients(t)
	base := uploadDemoURL(t)
	script := filepath.Join(cdktest.ModuleRoot(), "test", "local", "pyclient", "direct_upload.py")
	send := func(name string, size int) pyAnswer {
		t.Helper()
		cmd := exec.Command(py, script, base+"/objects/"+name, strconv.Itoa(size))
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+localrun.LocalAccessKeyID, "AWS_SECRET_ACCESS_KEY="+localrun.LocalSecretAccessKey)
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if e, ok := err.(*exec.ExitError); ok {
				stderr = string(e.Stderr)
			}
			t.Fatalf("%s %s: %v\n%s", py, script, err, stderr)
		}
		var a pyAnswer
		if err := json.Unmarshal(out, &a); err != nil {
			t.Fatalf("the script's answer %q: %v", out, err)
		}
		return a
	}
	bucket := bucketOf(t, strings.ToLower(uploadDemoStack)+"-uploads")
	run := strconv.FormatInt(time.Now().UnixNano(), 36)

	over := "python-over-" + run + ".bin"
	a := send(over, uploads.DefaultDirectUploadMaxRequestBodySize+1)
	t.Logf("%s, %d bytes: %d %s", a.Client, uploads.DefaultDirectUploadMaxRequestBodySize+1, a.Status, a.Body)
	var refusal struct{ Error struct{ Code string } }
	if a.Status != 413 || json.Unmarshal([]byte(a.Body), &refusal) != nil || refusal.Error.Code != "PayloadTooLarge" {
		t.Errorf("over the limit: %d %s, want the web ACL's 413 PayloadTooLarge", a.Status, a.Body)
	}
	line := logLine(t, "PUT /prod/objects/"+over+" ", 5*time.Second)
	if !strings.Contains(line, " 413 WAF ") || !strings.Contains(line, "[WAF Block by "+wafsize.RuleContentLength+" (priority 0)]") {
		t.Errorf("the runner's log: %q, want the 413 and the rule %s", line, wafsize.RuleContentLength)
	}
	notStored(t, bucket, "incoming/"+uploads.DirectPrefix+over)

	under := "python-under-" + run + ".bin"
	a = send(under, 1<<20)
	var stored struct{ Key string }
	if a.Status != 200 || json.Unmarshal([]byte(a.Body), &stored) != nil || stored.Key != "incoming/"+uploads.DirectPrefix+under {
		t.Fatalf("under the limit: %d %s, want 200 and the key", a.Status, a.Body)
	}
	if got := storedSHA256(t, bucket, stored.Key); got != a.SHA256 {
		t.Errorf("s3://%s/%s has SHA-256 %s, the body sent %s", bucket, stored.Key, got, a.SHA256)
	}
}

// TestBrowserReadsTheWebACLsRefusal: a page on another origin PUTs a body
// over the DirectUpload API's web ACL limit (10 MiB) and reads the 413 and
// its body (the ACL's CORS header), and nothing is stored; it reads the 200
// and the key of the body under the limit that it PUTs next, which is
// stored, and the 412 of that name PUT again (the S3 integration's answers
// carry the API's Cors origin).
func TestBrowserReadsTheWebACLsRefusal(t *testing.T) {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	over, under := "page-over-"+run+".bin", "page-under-"+run+".bin"
	r := openPage(t, pageOrigin, "waf.html", url.Values{"api": {directURL},
		"over": {over}, "overSize": {strconv.Itoa(uploads.DefaultDirectUploadMaxRequestBodySize + 1)}, "under": {under}, "underSize": {"4096"}})
	t.Logf("report from %s: over %v; under %v; again %v", pageOrigin, r["over"], r["under"], r["again"])
	// Chromium lets the page read the answer only when it names the page's
	// origin in Access-Control-Allow-Origin; otherwise fetch rejects.
	var refusal struct{ Error struct{ Code string } }
	body, _ := field(r, "over", "body").(string)
	if field(r, "over", "status") != float64(413) || json.Unmarshal([]byte(body), &refusal) != nil || refusal.Error.Code != "PayloadTooLarge" {
		t.Errorf("over the limit, the page read %v: want the 413 PayloadTooLarge", r["over"])
	}
	line := logLine(t, "PUT /prod/objects/"+over+" ", 5*time.Second)
	if !strings.Contains(line, "[WAF Block by "+wafsize.RuleContentLength+" (priority 0)]") {
		t.Errorf("the runner's log: %q, want the rule %s", line, wafsize.RuleContentLength)
	}
	var stored struct{ Key string }
	body, _ = field(r, "under", "body").(string)
	if field(r, "under", "status") != float64(200) || json.Unmarshal([]byte(body), &stored) != nil || stored.Key != "incoming/"+uploads.DirectPrefix+under {
		t.Errorf("under the limit, the page read %v: want the 200 and the key", r["under"])
	}
	var taken struct{ Error struct{ Code string } }
	body, _ = field(r, "again", "body").(string)
	if field(r, "again", "status") != float64(412) || json.Unmarshal([]byte(body), &taken) != nil || taken.Error.Code != "AlreadyExists" {
		t.Errorf("the same name again, the page read %v: want the 412 AlreadyExists", r["again"])
	}
	bucket := bucketOf(t, "localtest-direct")
	notStored(t, bucket, "incoming/"+uploads.DirectPrefix+over)
	if got, want := storedSHA256(t, bucket, "incoming/"+uploads.DirectPrefix+under), sha256.Sum256(make([]byte, 4096)); got != hex.EncodeToString(want[:]) {
		t.Errorf("the body under the limit: stored with SHA-256 %s, want %x", got, want)
	}
}

// TestUppyUploadFiresTheEventFunction: a multipart upload by Uppy in
// Chromium completes, and the Uppy API's OnUploadedFunction (the example
// lambda/onupload, as the regulated app wires it) is invoked with S3's
// Object Created event for that key. The delivery latency, from Uppy's
// upload-success to the function's log line, is measured and logged.
func TestUppyUploadFiresTheEventFunction(t *testing.T) {
	f := uppyFile{Name: "event.bin", Type: "application/octet-stream", Size: 9 << 20, Seed: 17} // over 8 MiB: in parts
	r := uppy(t, []uppyFile{f}, 0)
	uploaded(t, r, f)
	key := field(r, "files", f.Name, "key").(string)
	doneAt, _ := field(r, "files", f.Name, "doneAt").(float64)
	bucket := bucketOf(t, "uppy")
	object := fmt.Sprintf("s3://%s/%s", bucket, key)

	// The runner hands the event to the function's rule target...
	handed := logLine(t, "Object Created "+object+" (", 10*time.Second)
	if !strings.Contains(handed, "events: LocalTest/Uppy"+onUploadID+"Rule") || !strings.Contains(handed, "(Lambda LocalTest/Uppy"+onUploadID) ||
		!strings.Contains(handed, "(CompleteMultipartUpload)") {
		t.Errorf("the delivery: %q, want the Uppy API's %s rule handing the CompleteMultipartUpload event to its function", handed, onUploadID)
	}
	// ...and the function logs the upload it was given (lambda/onupload).
	said := fmt.Sprintf("uploaded %s (%d bytes, CompleteMultipartUpload)", object, f.Size)
	logLine(t, said, 10*time.Second)
	logLine(t, "handled the event of LocalTest/Uppy"+onUploadID+"Rule", 10*time.Second)

	if doneAt == 0 {
		t.Fatal("the page reported no completion time")
	}
	completed := time.UnixMilli(int64(doneAt))
	handedAt, _ := runnerLogs.arrival("Object Created " + object + " (")
	ranAt, _ := runnerLogs.arrival(said)
	afterS3 := regexp.MustCompile(`(\d+) ms after S3 wrote it`).FindStringSubmatch(handed)
	t.Logf("upload event of a %d MiB Uppy upload: handed to the function %v and logged by it %v after Uppy's upload-success (S3's write to the hand-over: %s ms, the runner's figure)",
		f.Size>>20, handedAt.Sub(completed).Round(time.Millisecond), ranAt.Sub(completed).Round(time.Millisecond), afterS3[1])
}
