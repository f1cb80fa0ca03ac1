// Package upload is the client side of a PresignedUploadApi: it asks the
// API for presigned URLs and sends the bytes straight to S3, with a progress
// callback; multipart uploads send their parts in parallel, retry the ones
// that fail, and resume where they stopped when File.ID names the file
// (the state is kept in Client.StateDir).
//
//	c := &upload.Client{Endpoint: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/"}
//	f, _ := os.Open("video.mp4")
//	st, _ := f.Stat()
//	res, err := c.Upload(ctx, upload.File{Name: "video.mp4", ContentType: "video/mp4", Size: st.Size(), Body: f},
//		func(sent, total int64) { fmt.Printf("\r%d/%d", sent, total) })
package upload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamgate/streamgate/lambda/presign/contract"
)

// Client uploads files through a PresignedUploadApi.
type Client struct {
	// Endpoint is the API's stage URL, e.g. "https://abc.execute-api.eu-west-1.amazonaws.com/prod/".
	Endpoint string
	// HTTPClient sends every request. Default: http.DefaultClient.
	HTTPClient *http.Client
	// Sign prepares each request to the API (not to S3): SigV4 for IAM
	// authorization, or an Authorization header for Cognito and Lambda
	// authorizers. Default: requests are sent unsigned.
	Sign func(*http.Request) error
	// Concurrency is the number of parts sent at once. Default: 4.
	Concurrency int
	// Retries is how often a failed part, a throttled API call (429) and a
	// parts request or listing that failed on the way (5xx, network) are
	// tried again. Default: 3.
	Retries int
	// Checksum has S3 check every byte: the file's SHA-256 for a PUT or
	// POST upload (files up to 5 GiB, read once more before the upload),
	// each part's for a multipart one. Default: false.
	Checksum bool
	// StateDir keeps the state of multipart uploads of files with an ID,
	// so that an interrupted one resumes instead of starting over. Default:
	// the user cache directory's streamgate/uploads.
	StateDir string
}

// File is what to upload.
type File struct {
	// Name is the file name the API sanitises into the key.
	Name string
	// ContentType is the file's media type, one the API allows.
	ContentType string
	// Size is the file's size in bytes.
	Size int64
	// Body reads the bytes; parts are read at their offsets, several at a
	// time.
	Body io.ReaderAt
	// ID names these bytes for resume: an interrupted multipart upload of
	// a file with the same ID (to the same API) continues where it
	// stopped. FileID makes one from a path, size and modification time.
	// Default: "", no resume.
	ID string
}

// FileID is a File.ID for the file at path as it is now: a changed size or
// modification time is a new file, whose upload starts over.
func FileID(path string, size int64, modTime time.Time) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return fmt.Sprintf("%s\x00%d\x00%d", path, size, modTime.UnixNano())
}

// Result is an uploaded object.
type Result struct {
	// Key is the object key the file was written to.
	Key string
	// Bucket is the bucket's name.
	Bucket string
	// Mode is how the file went: "PUT", "POST", "MULTIPART", or through an
	// EdgeUploadEndpoint "EDGE-REDIRECT" or "EDGE-THROUGH".
	Mode string
	// ETag is the object's ETag.
	ETag string
	// ResumedParts are the parts S3 already had when an interrupted
	// multipart upload resumed, which were not sent again.
	ResumedParts int
	// ResumedBytes is their size in bytes.
	ResumedBytes int64
}

// APIError is an error answer of the upload API.
type APIError struct {
	// Status is the HTTP status the upload API answered with.
	Status int
	contract.ErrorBody
}

// Error is the status, code, field and message.
func (e *APIError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("upload API: %d %s (%s): %s", e.Status, e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("upload API: %d %s: %s", e.Status, e.Code, e.Message)
}

// StorageError is S3's refusal of an upload request.
type StorageError struct {
	// Status is the HTTP status S3 answered with.
	Status int
	// Code is S3's error code, e.g. "EntityTooLarge".
	Code string
	// Message is S3's message.
	Message string
}

// Error is S3's status, code and message.
func (e *StorageError) Error() string {
	return fmt.Sprintf("S3: %d %s: %s", e.Status, e.Code, e.Message)
}

func (c *Client) http() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

// Upload asks the API for URLs and uploads f; progress (may be nil) is
// called with the bytes sent so far.
func (c *Client) Upload(ctx context.Context, f File, progress func(sent, total int64)) (*Result, error) {
	req := contract.Request{FileName: f.Name, ContentType: f.ContentType, Size: f.Size}
	if c.Checksum {
		// The mode is the API's: ask for checksums in any of them. A file
		// over 5 GiB can only go up in parts, checked one by one.
		req.ChecksumAlgorithm = contract.ChecksumSHA256
		if f.Size <= contract.MaxSinglePutSize {
			sum, err := checksum(io.NewSectionReader(f.Body, 0, f.Size))
			if err != nil {
				return nil, err
			}
			req.ChecksumSHA256 = sum
		}
	}
	return c.UploadWith(ctx, req, f, progress)
}

// UploadWith is Upload with the presign request given as is (for a part
// size of your own, or a checksum you computed).
func (c *Client) UploadWith(ctx context.Context, req contract.Request, f File, progress func(sent, total int64)) (*Result, error) {
	counter := &progressCounter{total: f.Size, fn: progress}
	if res, err := c.resume(ctx, f, counter); res != nil || err != nil {
		return res, err
	}
	var p contract.Response
	if err := c.api(ctx, http.MethodPost, contract.RouteUploads, req, &p); err != nil {
		return nil, err
	}
	res := &Result{Key: p.Key, Bucket: p.Bucket, Mode: string(p.Mode)}
	var err error
	switch p.Mode {
	case contract.ModePut:
		res.ETag, err = c.put(ctx, p.URL, p.Headers, io.NewSectionReader(f.Body, 0, f.Size), f.Size, counter)
	case contract.ModePost:
		res.ETag, err = c.post(ctx, &p, f, counter)
	case contract.ModeMultipart:
		st := &state{Endpoint: c.Endpoint, Key: p.Key, Bucket: p.Bucket, UploadID: p.UploadID, Size: f.Size, PartSize: p.PartSize,
			ChecksumAlgorithm: p.ChecksumAlgorithm, Complete: p.Complete, Abort: p.Abort}
		c.saveState(f, st)
		res.ETag, err = c.multipart(ctx, st, p.Parts, f, nil, counter)
	default:
		err = fmt.Errorf("upload API answered with unknown mode %q", p.Mode)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checksum is the base64 SHA-256 of r's bytes.
func checksum(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// api calls the upload API with a JSON body and decodes the JSON answer.
// A throttled call (429) is tried again, Retries times, with backoff and
// Retry-After; so is a read or a signing of part URLs that failed on the
// way or on the server's side (a network error, 5xx). A create, complete
// or abort is not re-sent after a 5xx: the handler may have acted on it.
func (c *Client) api(ctx context.Context, method, path string, in, out any) error {
	retries := c.retries()
	idempotent := method == http.MethodGet || strings.HasSuffix(strings.Split(path, "?")[0], "/parts")
	for attempt := 0; ; attempt++ {
		wait, status, err := c.apiOnce(ctx, method, path, in, out)
		retry := status == 429 || idempotent && (status == -1 || status/100 == 5)
		if err == nil || !retry || attempt == retries || ctx.Err() != nil {
			return err
		}
		if wait == 0 {
			wait = backoff(attempt + 1)
		}
		if !sleep(ctx, min(wait, 20*time.Second)) {
			return err
		}
	}
}

// retries is Client.Retries, or its default.
func (c *Client) retries() int {
	if c.Retries > 0 {
		return c.Retries
	}
	return 3
}

// backoff is the wait before retry n (from 1): 200 ms, doubling.
func backoff(n int) time.Duration { return time.Duration(1<<(n-1)) * 200 * time.Millisecond }

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// apiOnce is one try of api: the answer's status (-1 when the request or
// its answer was lost on the way, 0 for a local error) and Retry-After.
func (c *Client) apiOnce(ctx context.Context, method, path string, in, out any) (wait time.Duration, status int, err error) {
	u, err := url.JoinPath(c.Endpoint, strings.Split(path, "?")[0])
	if err != nil {
		return 0, 0, err
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		u += path[i:]
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, 0, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Sign != nil {
		if err := c.Sign(req); err != nil {
			return 0, 0, err
		}
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return 0, -1, redact(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, -1, err
	}
	if resp.StatusCode/100 != 2 {
		if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && secs >= 0 {
			wait = time.Duration(secs) * time.Second
		}
		return wait, resp.StatusCode, apiError(resp.StatusCode, b)
	}
	if out == nil {
		return 0, resp.StatusCode, nil
	}
	return 0, resp.StatusCode, json.Unmarshal(b, out)
}

// apiError reads an error answer's {"error":{...}} body; a body of another
// shape becomes the message.
func apiError(status int, b []byte) *APIError {
	var e contract.ErrorResponse
	if json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
		e.Error = contract.ErrorBody{Code: http.StatusText(status), Message: strings.TrimSpace(string(b))}
	}
	return &APIError{Status: status, ErrorBody: e.Error}
}

// put sends body to a presigned PUT URL with its signed headers.
func (c *Client) put(ctx context.Context, u string, headers map[string]string, body io.Reader, size int64, counter *progressCounter) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, counter.reader(body))
	if err != nil {
		return "", err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	return c.toStorage(req)
}

// toStorage sends a request to S3 and returns the object's ETag, or S3's
// refusal as a *StorageError.
func (c *Client) toStorage(req *http.Request) (string, error) {
	resp, err := c.http().Do(req)
	if err != nil {
		return "", redact(err)
	}
	defer resp.Body.Close()
	if err := storageError(resp); err != nil {
		return "", err
	}
	return resp.Header.Get("ETag"), nil
}

// post sends the file as a multipart form to a presigned POST URL. The
// form's length is computed first: S3 wants a Content-Length.
func (c *Client) post(ctx context.Context, p *contract.Response, f File, counter *progressCounter) (string, error) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	names := make([]string, 0, len(p.Fields))
	for k := range p.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := w.WriteField(k, p.Fields[k]); err != nil {
			return "", err
		}
	}
	if _, err := w.CreateFormFile("file", f.Name); err != nil { // the file comes last
		return "", err
	}
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	body := io.MultiReader(&head, counter.reader(io.NewSectionReader(f.Body, 0, f.Size)), strings.NewReader(tail))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, body)
	if err != nil {
		return "", err
	}
	req.ContentLength = int64(head.Len()) + f.Size + int64(len(tail))
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.toStorage(req)
}

// multipart sends the parts S3 does not have yet (done: the ones it has,
// by number) in parallel, retrying each a few times, then completes the
// upload. Parts are the part URLs the API answered with, if any; the rest
// are asked for (with each part's checksum when the upload checks parts).
// A failed upload is aborted unless it can resume (File.ID), in which case
// its state stays for the next try.
func (c *Client) multipart(ctx context.Context, st *state, parts []contract.Part, f File, done map[int]contract.ListedPart, counter *progressCounter) (string, error) {
	fail := func(err error) (string, error) {
		if f.ID == "" {
			c.abort(st.Abort)
		}
		return "", err
	}
	total := int((f.Size + st.PartSize - 1) / st.PartSize)
	have := map[int]contract.Part{}
	for _, p := range parts {
		have[p.Number] = p
	}
	var todo []int
	for n := 1; n <= total; n++ {
		if _, ok := done[n]; !ok {
			todo = append(todo, n)
		}
	}
	checksums, err := partChecksums(st, f, todo)
	if err != nil {
		return "", err
	}
	if err := c.partURLs(ctx, st, todo, have, checksums); err != nil {
		return fail(err)
	}
	etags := make([]string, total)
	for n, p := range done {
		etags[n-1] = p.ETag
	}
	// A part URL signed at the start expires (UrlExpiration, 15 minutes by
	// default) before a long upload reaches its part: the part gets a new one.
	renew := func(ctx context.Context, n int) (contract.Part, error) {
		fresh := map[int]contract.Part{}
		if err := c.partURLs(ctx, st, []int{n}, fresh, checksums); err != nil {
			return contract.Part{}, err
		}
		p, ok := fresh[n]
		if !ok {
			return contract.Part{}, fmt.Errorf("the upload API gave no URL for part %d", n)
		}
		return p, nil
	}
	if err := c.sendParts(ctx, st, f, todo, have, etags, counter, renew); err != nil {
		return fail(err)
	}
	complete, err := completeRequest(st, f, etags, checksums, done)
	if err != nil {
		return "", err
	}
	var out contract.CompleteResponse
	if err := c.api(ctx, http.MethodPost, st.Complete, complete, &out); err != nil {
		return fail(err)
	}
	c.removeState(f)
	return out.ETag, nil
}

// partChecksums are the SHA-256 checksums of the parts in todo, by number,
// when the upload checks parts (st.ChecksumAlgorithm); none otherwise.
func partChecksums(st *state, f File, todo []int) (map[int]string, error) {
	checksums := map[int]string{}
	if st.ChecksumAlgorithm != contract.ChecksumSHA256 {
		return checksums, nil
	}
	for _, n := range todo {
		sum, err := partChecksum(st, f, n)
		if err != nil {
			return nil, err
		}
		checksums[n] = sum
	}
	return checksums, nil
}

// partChecksum is the SHA-256 checksum of part n of f.
func partChecksum(st *state, f File, n int) (string, error) {
	return checksum(io.NewSectionReader(f.Body, int64(n-1)*st.PartSize, partLen(f.Size, st.PartSize, n)))
}

// sendParts sends the parts in todo (their URLs in have) with
// Client.Concurrency workers, writing each part's ETag into etags (by
// number - 1). The first failure stops the others; it, or the context's
// error, is returned.
func (c *Client) sendParts(ctx context.Context, st *state, f File, todo []int, have map[int]contract.Part, etags []string, counter *progressCounter,
	renew func(context.Context, int) (contract.Part, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan contract.Part)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	workers := c.Concurrency
	if workers <= 0 {
		workers = 4
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := range jobs {
				etag, err := c.sendPart(ctx, part, f, st.PartSize, counter, renew)
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				etags[part.Number-1] = etag
			}
		}()
	}
feed:
	for _, n := range todo {
		select {
		case jobs <- have[n]:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// completeRequest lists every part with its ETag and, when the upload
// checks parts, its checksum: the one computed for a part sent now, the
// one S3 listed for a part sent before, or, for a listed part S3 gave no
// checksum for, one computed now.
func completeRequest(st *state, f File, etags []string, checksums map[int]string, done map[int]contract.ListedPart) (contract.CompleteRequest, error) {
	complete := contract.CompleteRequest{Key: st.Key}
	for i, e := range etags {
		part := contract.CompletedPart{Number: i + 1, ETag: e}
		if st.ChecksumAlgorithm == contract.ChecksumSHA256 {
			part.ChecksumSHA256 = checksums[i+1]
			if p, ok := done[i+1]; ok {
				part.ChecksumSHA256 = p.ChecksumSHA256
			}
			if part.ChecksumSHA256 == "" {
				sum, err := partChecksum(st, f, i+1)
				if err != nil {
					return complete, err
				}
				part.ChecksumSHA256 = sum
			}
		}
		complete.Parts = append(complete.Parts, part)
	}
	return complete, nil
}

func partLen(size, partSize int64, n int) int64 { return min(partSize, size-int64(n-1)*partSize) }

// partURLs asks the API for the URLs of the parts in todo that have none,
// in runs of consecutive numbers, a request per run (or per
// MaxChecksumsPerRequest parts, when each signs its checksum).
func (c *Client) partURLs(ctx context.Context, st *state, todo []int, have map[int]contract.Part, checksums map[int]string) error {
	route := strings.Replace(contract.RouteParts, "{uploadId}", url.PathEscape(st.UploadID), 1)
	batch := contract.MaxPartsPerResponse
	if len(checksums) > 0 {
		batch = contract.MaxChecksumsPerRequest
	}
	for i := 0; i < len(todo); {
		if _, ok := have[todo[i]]; ok {
			i++
			continue
		}
		req := contract.PartsRequest{Key: st.Key, Size: st.Size, PartSize: st.PartSize, From: todo[i]}
		for j := i; j < len(todo) && todo[j] == req.From+(j-i) && j-i < batch; j++ {
			req.Count++
			if sum, ok := checksums[todo[j]]; ok {
				req.ChecksumsSHA256 = append(req.ChecksumsSHA256, sum)
			}
		}
		var more contract.Response
		if err := c.api(ctx, http.MethodPost, route, req, &more); err != nil {
			return err
		}
		for _, p := range more.Parts {
			have[p.Number] = p
		}
		i += req.Count
	}
	return nil
}

// expiredURL says whether S3 refused a presigned URL because it expired
// (or the credentials that signed it did).
func expiredURL(se *StorageError) bool {
	switch {
	case se.Status != 403:
		return false
	case se.Code == "ExpiredToken" || se.Code == "TokenRefreshRequired":
		return true
	}
	return se.Code == "AccessDenied" && strings.Contains(strings.ToLower(se.Message), "expired")
}

// sendPart PUTs one part, retrying what failed on the way; a part whose
// URL expired gets a new one from renew, once.
func (c *Client) sendPart(ctx context.Context, part contract.Part, f File, partSize int64, counter *progressCounter,
	renew func(context.Context, int) (contract.Part, error)) (string, error) {
	retries := c.retries()
	offset := int64(part.Number-1) * partSize
	var err error
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 && !sleep(ctx, backoff(attempt)) {
			return "", ctx.Err()
		}
		sent := counter.sub()
		var etag string
		etag, err = c.put(ctx, part.URL, part.Headers, io.NewSectionReader(f.Body, offset, part.Size), part.Size, sent)
		if err == nil {
			return etag, nil
		}
		sent.rollback() // the retry sends these bytes again
		var se *StorageError
		if errors.As(err, &se) && expiredURL(se) && renew != nil {
			fresh, rerr := renew(ctx, part.Number)
			if rerr != nil {
				return "", fmt.Errorf("part %d: its URL expired, and asking for a new one failed: %w", part.Number, rerr)
			}
			part, renew = fresh, nil // once: a new URL that fails again is refused
			attempt--                // the expired try does not count
			continue
		}
		// S3's RequestTimeout (the connection idled) is a 400 worth a retry.
		if errors.As(err, &se) && se.Status/100 == 4 && se.Status != 408 && se.Status != 429 && se.Code != "RequestTimeout" {
			return "", fmt.Errorf("part %d: %w", part.Number, err) // refused, not failed: retrying cannot help
		}
	}
	return "", fmt.Errorf("part %d: %w", part.Number, err)
}

// abort gives up a multipart upload, best effort.
func (c *Client) abort(path string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.api(ctx, http.MethodDelete, path, nil, nil)
}

// redact keeps a presigned URL's credentials and signature out of an
// error (and so out of logs): the query of the URL a *url.Error names is
// dropped but for the part number.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = RedactURL(ue.URL)
	}
	return err
}

// RedactURL is u without what would let a reader use it: the query string
// of a presigned URL (X-Amz-Credential, X-Amz-Signature, X-Amz-Security-Token)
// is dropped, but for partNumber, which says which part failed.
func RedactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(a URL that does not parse)"
	}
	part := parsed.Query().Get("partNumber")
	parsed.RawQuery, parsed.User = "", nil
	if part != "" {
		parsed.RawQuery = "partNumber=" + url.QueryEscape(part)
	}
	return parsed.String()
}

func storageError(resp *http.Response) error {
	if resp.StatusCode/100 == 2 {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var x struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(b, &x) != nil || x.Code == "" {
		x.Code, x.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(b))
	}
	return &StorageError{Status: resp.StatusCode, Code: x.Code, Message: x.Message}
}

// progressCounter adds up the bytes sent by every request of an upload.
type progressCounter struct {
	total  int64
	sent   atomic.Int64
	fn     func(sent, total int64)
	parent *progressCounter
	own    atomic.Int64
}

func (p *progressCounter) add(n int64) {
	for c := p; c != nil; c = c.parent {
		c.sent.Add(n)
		if c.parent == nil && c.fn != nil {
			c.fn(c.sent.Load(), c.total)
		}
	}
	p.own.Add(n)
}

// sub is a counter for one attempt, whose bytes can be taken back.
func (p *progressCounter) sub() *progressCounter { return &progressCounter{parent: p} }

func (p *progressCounter) rollback() { p.add(-p.own.Load()) }

func (p *progressCounter) reader(r io.Reader) io.Reader { return &countingReader{r: r, c: p} }

type countingReader struct {
	r io.Reader
	c *progressCounter
}

func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.c.add(int64(n))
	}
	return n, err
}
