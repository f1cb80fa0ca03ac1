// Package s3probe measures which of the capabilities streamgate relies on
// (s3server.Capabilities) an S3-compatible server has: each row is a few
// real requests, signed by lambda/presign's own code where the constructs
// sign, and a row passes only when the server accepts what it should and
// refuses what it should. It makes buckets of its own (named with a
// random suffix) and leaves them.
//
//	// nocompile: an internal package; the doc check imports the public ones
//	results := s3probe.Run(ctx, s3probe.Target{Name: "seaweedfs", Client: client, Endpoint: url, Webhook: hook})
//	for _, r := range results {
//		fmt.Println(r.Capability, r.OK, r.Detail)
//	}
//
// internal/cmd/s3probe starts each installed server and prints the README's
// table; test/uploads checks the table against every server.
package s3probe

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/streamgate/streamgate/internal/s3server"
	"github.com/streamgate/streamgate/lambda/presign"
)

// Target is a server to probe.
type Target struct {
	// Name names it in messages.
	Name string
	// Client signs with the server's credentials.
	Client *s3.Client
	// Endpoint is its S3 URL, for hand-made requests (CORS preflights).
	Endpoint string
	// Webhook, when the server was started to post its events to it.
	Webhook *Webhook
	// NotifyARN is the queue ARN a bucket notification configuration names
	// to reach Webhook (MinIO: s3server.WebhookARN); "" tries a placeholder,
	// to record the server's answer.
	NotifyARN string
}

// Result is one capability's measurement.
type Result struct {
	Capability s3server.Capability
	OK         bool
	// Detail says what was refused or accepted against expectation, or,
	// when OK, anything noteworthy.
	Detail string
}

// Run measures every capability, in the table's order.
func Run(ctx context.Context, t Target) []Result {
	checks := map[s3server.Capability]func(*probe, context.Context) error{
		s3server.CapSigV4:               (*probe).sigV4,
		s3server.CapPresignedPut:        (*probe).presignedPut,
		s3server.CapPresignedPost:       (*probe).presignedPost,
		s3server.CapMultipart:           (*probe).multipart,
		s3server.CapIfNoneMatchPut:      (*probe).ifNoneMatchPut,
		s3server.CapIfNoneMatchComplete: (*probe).ifNoneMatchComplete,
		s3server.CapBucketCORS:          (*probe).bucketCORS,
		s3server.CapVersioning:          (*probe).versioning,
		s3server.CapObjectLock:          (*probe).objectLock,
		s3server.CapNotifications:       (*probe).notifications,
	}
	var out []Result
	for _, row := range s3server.Capabilities {
		p := &probe{Target: t}
		err := checks[row.Capability](p, ctx)
		r := Result{Capability: row.Capability, OK: err == nil, Detail: strings.Join(p.notes, "; ")}
		if err != nil {
			r.Detail = err.Error()
			if len(p.notes) > 0 {
				r.Detail += " (" + strings.Join(p.notes, "; ") + ")"
			}
		}
		out = append(out, r)
	}
	return out
}

type probe struct {
	Target
	notes []string
}

func (p *probe) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// bucket makes a bucket of its own for a check.
func (p *probe) bucket(ctx context.Context, what string, lock bool) (string, error) {
	suffix := make([]byte, 4)
	rand.Read(suffix)
	name := "probe-" + what + "-" + hex.EncodeToString(suffix)
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if lock {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if _, err := p.Client.CreateBucket(ctx, in); err != nil {
		return "", fmt.Errorf("CreateBucket %s: %s", name, short(err))
	}
	return name, nil
}

// handler is lambda/presign's handler for bucket, as the constructs run it.
func (p *probe) handler(bucket string, mode presign.Mode, expiry time.Duration) *presign.Handler {
	return presign.New(presign.Config{Bucket: bucket, Prefix: "incoming/", MaxSize: 64 << 20, Mode: mode,
		ContentTypes: []string{"text/plain", "application/octet-stream"}, URLExpiration: expiry}, p.Client)
}

func (p *probe) sigV4(ctx context.Context) error {
	b, err := p.bucket(ctx, "sigv4", false)
	if err != nil {
		return err
	}
	data := []byte("signed")
	r, err := p.handler(b, presign.ModePut, time.Second).Presign(ctx, "probe", &presign.Request{FileName: "a.txt", ContentType: "text/plain", Size: int64(len(data))})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	sig := strings.LastIndex(r.URL, "X-Amz-Signature=") + len("X-Amz-Signature=")
	flipped := r.URL[:sig] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", r.URL[sig])+1)%16]) + r.URL[sig+1:]
	if status, body := send("PUT", flipped, r.Headers, data); status != 403 {
		return fmt.Errorf("another signature: %d %s, want 403", status, body)
	}
	wrong := s3.New(p.Client.Options(), func(o *s3.Options) {
		creds, _ := o.Credentials.Retrieve(ctx)
		o.Credentials = aws.NewCredentialsCache(staticCreds{creds.AccessKeyID, creds.SecretAccessKey + "x"})
	})
	other, err := presign.New(presign.Config{Bucket: b, Prefix: "incoming/", MaxSize: 1 << 20, Mode: presign.ModePut,
		ContentTypes: []string{"text/plain"}, URLExpiration: time.Minute}, wrong).Presign(ctx, "probe", &presign.Request{FileName: "b.txt", ContentType: "text/plain", Size: int64(len(data))})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	if status, body := send("PUT", other.URL, other.Headers, data); status != 403 {
		return fmt.Errorf("signed with another secret: %d %s, want 403", status, body)
	}
	time.Sleep(2100 * time.Millisecond)
	if status, body := send("PUT", r.URL, r.Headers, data); status != 403 {
		return fmt.Errorf("expired (1 s, sent after 2.1 s): %d %s, want 403", status, body)
	}
	return nil
}

func (p *probe) presignedPut(ctx context.Context) error {
	b, err := p.bucket(ctx, "put", false)
	if err != nil {
		return err
	}
	data := random(100_000)
	r, err := p.handler(b, presign.ModePut, time.Minute).Presign(ctx, "probe", &presign.Request{FileName: "data.bin",
		ContentType: "application/octet-stream", Size: int64(len(data)), ChecksumSHA256: sum(data)})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	if status, body := send("PUT", r.URL, r.Headers, append(bytes.Clone(data), 'x')); status/100 != 4 {
		return fmt.Errorf("one byte over the signed length: %d %s, want 4xx", status, body)
	}
	if status, body := send("PUT", r.URL, with(r.Headers, "Content-Type", "text/plain"), data); status != 403 {
		return fmt.Errorf("another Content-Type: %d %s, want 403", status, body)
	}
	other := bytes.Clone(data)
	other[0] ^= 0xff
	if status, body := send("PUT", r.URL, r.Headers, other); status != 400 {
		return fmt.Errorf("bytes that do not match x-amz-checksum-sha256: %d %s, want 400", status, body)
	}
	if status, body := send("PUT", r.URL, r.Headers, data); status != 200 {
		return fmt.Errorf("within limits: %d %s, want 200", status, body)
	}
	return p.same(ctx, b, r.Key, data)
}

// same checks that the object at key holds data.
func (p *probe) same(ctx context.Context, bucket, key string, data []byte) error {
	out, err := p.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("GetObject: %s", short(err))
	}
	defer out.Body.Close()
	got, _ := io.ReadAll(out.Body)
	if !bytes.Equal(got, data) {
		return fmt.Errorf("stored %d bytes that differ from the %d sent", len(got), len(data))
	}
	return nil
}

func (p *probe) presignedPost(ctx context.Context) error {
	b, err := p.bucket(ctx, "post", false)
	if err != nil {
		return err
	}
	data := random(50_000)
	r, err := p.handler(b, presign.ModePost, time.Minute).Presign(ctx, "probe", &presign.Request{FileName: "form.bin",
		ContentType: "application/octet-stream", Size: int64(len(data)), ChecksumSHA256: sum(data)})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	policy, _ := base64.StdEncoding.DecodeString(r.Fields["Policy"])
	if len(policy) == 0 {
		policy, _ = base64.StdEncoding.DecodeString(r.Fields["policy"])
	}
	bigger := base64.StdEncoding.EncodeToString(bytes.Replace(policy, []byte(fmt.Sprintf(`"content-length-range",%d,%d`, len(data), len(data))),
		[]byte(fmt.Sprintf(`"content-length-range",%d,%d`, len(data), len(data)+1)), 1))
	policyField := "policy"
	if _, ok := r.Fields["Policy"]; ok {
		policyField = "Policy"
	}
	other := bytes.Clone(data)
	other[0] ^= 0xff
	for _, c := range []struct {
		what string
		edit map[string]string
		data []byte
		want int // 0: any 4xx
	}{
		{"one byte over content-length-range", nil, append(bytes.Clone(data), 'x'), 0},
		{"another Content-Type (eq)", map[string]string{"Content-Type": "text/plain"}, data, 403},
		{"another key (eq)", map[string]string{"key": "incoming/mine.bin"}, data, 403},
		{"another x-amz-checksum-sha256 (eq)", map[string]string{"x-amz-checksum-sha256": sum([]byte("other"))}, data, 403},
		{"a policy changed to allow one byte more", map[string]string{policyField: bigger}, append(bytes.Clone(data), 'x'), 403},
		{"bytes that do not match the checksum", nil, other, 400},
	} {
		status, body := postForm(r, c.edit, c.data)
		if c.want == 0 && status/100 != 4 || c.want != 0 && status != c.want {
			return fmt.Errorf("%s: %d %s, want %s", c.what, status, body, map[bool]string{true: "4xx", false: fmt.Sprint(c.want)}[c.want == 0])
		}
	}
	if status, body := postForm(r, nil, data); status/100 != 2 {
		return fmt.Errorf("within the policy: %d %s, want 2xx", status, body)
	}
	return p.same(ctx, b, r.Key, data)
}

func (p *probe) multipart(ctx context.Context) error {
	b, err := p.bucket(ctx, "multipart", false)
	if err != nil {
		return err
	}
	data := random(5<<20 + 1000)
	part1, part2 := data[:5<<20], data[5<<20:]
	h := p.handler(b, presign.ModeMultipart, time.Minute)
	r, err := h.Presign(ctx, "probe", &presign.Request{FileName: "parts.bin", ContentType: "application/octet-stream",
		Size: int64(len(data)), PartSize: 5 << 20, ChecksumAlgorithm: presign.ChecksumSHA256})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	more, err := h.MoreParts(ctx, "probe", r.UploadID, &presign.PartsRequest{Key: r.Key, Size: int64(len(data)), PartSize: 5 << 20,
		From: 1, ChecksumsSHA256: []string{sum(part1), sum([]byte("other"))}})
	if err != nil {
		return fmt.Errorf("part URLs: %s", short(err))
	}
	if status, body := send("PUT", more.Parts[0].URL, more.Parts[0].Headers, part1); status != 200 {
		return fmt.Errorf("part 1 with its checksum: %d %s, want 200", status, body)
	}
	if status, body := send("PUT", more.Parts[1].URL, more.Parts[1].Headers, part2); status != 400 {
		return fmt.Errorf("part 2 whose bytes do not match its signed checksum: %d %s, want 400", status, body)
	}
	again, err := h.MoreParts(ctx, "probe", r.UploadID, &presign.PartsRequest{Key: r.Key, Size: int64(len(data)), PartSize: 5 << 20,
		From: 2, ChecksumsSHA256: []string{sum(part2)}})
	if err != nil {
		return fmt.Errorf("part 2's URL: %s", short(err))
	}
	if status, body := send("PUT", again.Parts[0].URL, again.Parts[0].Headers, part2); status != 200 {
		return fmt.Errorf("part 2 with its checksum: %d %s, want 200", status, body)
	}
	list, err := h.ListParts(ctx, "probe", r.UploadID, r.Key)
	if err != nil {
		return fmt.Errorf("ListParts: %s", short(err))
	}
	if len(list.Parts) != 2 || list.Parts[0].Size != 5<<20 || list.Parts[1].Size != 1000 {
		return fmt.Errorf("ListParts: %+v, want parts 1 and 2 of 5 MiB and 1000 bytes", list.Parts)
	}
	// Completed as client/upload completes a resumed upload: with each
	// part's checksum as listed, or computed again where S3 lists none.
	var parts []presign.CompletedPart
	for i, want := range []string{sum(part1), sum(part2)} {
		lp := list.Parts[i]
		switch lp.ChecksumSHA256 {
		case want:
		case "":
			if i == 0 {
				p.note("ListParts gives no part checksums (client/upload computes them again to complete; Uppy lists none)")
			}
		default:
			return fmt.Errorf("ListParts: part %d's ChecksumSHA256 is %q, want %q", lp.Number, lp.ChecksumSHA256, want)
		}
		parts = append(parts, presign.CompletedPart{Number: lp.Number, ETag: lp.ETag, ChecksumSHA256: want})
	}
	if _, err := h.Complete(ctx, "probe", r.UploadID, &presign.CompleteRequest{Key: r.Key, Parts: parts}); err != nil {
		return fmt.Errorf("CompleteMultipartUpload: %s", short(err))
	}
	return p.same(ctx, b, r.Key, data)
}

func (p *probe) ifNoneMatchPut(ctx context.Context) error {
	b, err := p.bucket(ctx, "inmput", false)
	if err != nil {
		return err
	}
	data := []byte("first")
	r, err := p.handler(b, presign.ModePut, time.Minute).Presign(ctx, "probe", &presign.Request{FileName: "once.txt", ContentType: "text/plain", Size: int64(len(data))})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	if status, body := send("PUT", r.URL, r.Headers, data); status != 200 {
		return fmt.Errorf("first presigned PUT: %d %s, want 200", status, body)
	}
	if status, body := send("PUT", r.URL, r.Headers, data); status != 412 {
		return fmt.Errorf("the same presigned PUT again: %d %s, want 412", status, body)
	}
	_, err = p.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(r.Key), IfNoneMatch: aws.String("*"), Body: strings.NewReader("second")})
	if code := httpStatus(err); code != 412 {
		return fmt.Errorf("PutObject with If-None-Match: * on an existing key: %s, want 412", short(err))
	}
	return p.same(ctx, b, r.Key, data)
}

func (p *probe) ifNoneMatchComplete(ctx context.Context) error {
	b, err := p.bucket(ctx, "inmcomplete", false)
	if err != nil {
		return err
	}
	key := aws.String("exists.bin")
	if _, err := p.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: key, Body: strings.NewReader("first")}); err != nil {
		return fmt.Errorf("PutObject: %s", short(err))
	}
	complete := func() error {
		up, err := p.Client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: key})
		if err != nil {
			return fmt.Errorf("CreateMultipartUpload: %s", short(err))
		}
		part, err := p.Client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: key, UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("second")})
		if err != nil {
			return fmt.Errorf("UploadPart: %s", short(err))
		}
		_, err = p.Client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: key, UploadId: up.UploadId,
			IfNoneMatch:     aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
		return err
	}
	if err := complete(); httpStatus(err) != 412 {
		return fmt.Errorf("CompleteMultipartUpload with If-None-Match: * on an existing key: %s, want 412", short(err))
	}
	if err := p.same(ctx, b, *key, []byte("first")); err != nil {
		return err
	}
	key = aws.String("new.bin")
	if err := complete(); err != nil {
		return fmt.Errorf("CompleteMultipartUpload with If-None-Match: * on a new key: %s, want 200", short(err))
	}
	return nil
}

func (p *probe) bucketCORS(ctx context.Context) error {
	origins := map[string]string{}
	for _, o := range []string{"http://a.example", "http://b.example"} {
		b, err := p.bucket(ctx, "cors", false)
		if err != nil {
			return err
		}
		_, err = p.Client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &types.CORSConfiguration{
			CORSRules: []types.CORSRule{{AllowedOrigins: []string{o}, AllowedMethods: []string{"PUT", "POST"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}}}}})
		if err != nil {
			return fmt.Errorf("PutBucketCors: %s", short(err))
		}
		origins[b] = o
	}
	for b, own := range origins {
		for _, o := range []string{"http://a.example", "http://b.example"} {
			req, _ := http.NewRequest("OPTIONS", p.Endpoint+"/"+b+"/incoming/x.bin", nil)
			req.Header.Set("Origin", o)
			req.Header.Set("Access-Control-Request-Method", "PUT")
			req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-checksum-sha256")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			allowed := resp.StatusCode == 200 && (resp.Header.Get("Access-Control-Allow-Origin") == o || resp.Header.Get("Access-Control-Allow-Origin") == "*")
			if allowed != (o == own) {
				return fmt.Errorf("preflight from %s to a bucket whose CORS rule allows %s: %d, Access-Control-Allow-Origin %q", o, own, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	}
	return nil
}

func (p *probe) versioning(ctx context.Context) error {
	b, err := p.bucket(ctx, "versioning", false)
	if err != nil {
		return err
	}
	if _, err := p.Client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		return fmt.Errorf("PutBucketVersioning: %s", short(err))
	}
	key := aws.String("v.txt")
	var ids []string
	for _, body := range []string{"one", "two"} {
		out, err := p.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: key, Body: strings.NewReader(body)})
		if err != nil {
			return fmt.Errorf("PutObject: %s", short(err))
		}
		ids = append(ids, aws.ToString(out.VersionId))
	}
	if ids[0] == "" || ids[0] == ids[1] {
		return fmt.Errorf("version ids %q, want two different ones", ids)
	}
	if _, err := p.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: key}); err != nil {
		return fmt.Errorf("DeleteObject: %s", short(err))
	}
	list, err := p.Client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(b)})
	if err != nil {
		return fmt.Errorf("ListObjectVersions: %s", short(err))
	}
	if len(list.Versions) != 2 || len(list.DeleteMarkers) != 1 {
		return fmt.Errorf("ListObjectVersions: %d versions, %d delete markers, want 2 and 1", len(list.Versions), len(list.DeleteMarkers))
	}
	out, err := p.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: key, VersionId: aws.String(ids[0])})
	if err != nil {
		return fmt.Errorf("GetObject of the first version: %s", short(err))
	}
	defer out.Body.Close()
	if got, _ := io.ReadAll(out.Body); string(got) != "one" {
		return fmt.Errorf("the first version reads %q, want \"one\"", got)
	}
	return nil
}

func (p *probe) objectLock(ctx context.Context) error {
	b, err := p.bucket(ctx, "lock", true)
	if err != nil {
		return err
	}
	if _, err := p.Client.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(b),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}}); err != nil {
		return fmt.Errorf("PutObjectLockConfiguration: %s", short(err))
	}
	// What the upload API signs on a locked bucket: a presigned PUT with the
	// object's SHA-256 (S3 refuses a PUT with neither checksum nor MD5 there).
	data := []byte("locked")
	r, err := p.handler(b, presign.ModePut, time.Minute).Presign(ctx, "probe", &presign.Request{FileName: "locked.txt",
		ContentType: "text/plain", Size: int64(len(data)), ChecksumSHA256: sum(data)})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	if status, body := send("PUT", r.URL, r.Headers, data); status != 200 {
		return fmt.Errorf("presigned PUT with its checksum: %d %s, want 200", status, body)
	}
	head, err := p.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(r.Key)})
	if err != nil {
		return fmt.Errorf("HeadObject: %s", short(err))
	}
	if head.ObjectLockMode != types.ObjectLockModeGovernance || head.ObjectLockRetainUntilDate == nil ||
		head.ObjectLockRetainUntilDate.Before(time.Now().Add(23*time.Hour)) {
		return fmt.Errorf("the object's lock: mode %q until %v, want GOVERNANCE for a day", head.ObjectLockMode, head.ObjectLockRetainUntilDate)
	}
	_, err = p.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(r.Key), VersionId: head.VersionId})
	if err == nil {
		return fmt.Errorf("DeleteObject of the locked version succeeded, want refused")
	}
	p.note("deleting the locked version: %s", short(err))
	// Without a checksum or Content-MD5, S3 refuses a PUT to a bucket with a
	// default retention; a server that accepts it is laxer than S3.
	plain, err := s3.NewPresignClient(p.Client).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("plain.txt")})
	if err != nil {
		return fmt.Errorf("presign: %s", short(err))
	}
	if status, _ := send("PUT", plain.URL, nil, []byte("x")); status/100 == 2 {
		p.note("a PUT with neither checksum nor Content-MD5 is accepted (S3 refuses it)")
	}
	return nil
}

func (p *probe) notifications(ctx context.Context) error {
	b, err := p.bucket(ctx, "events", false)
	if err != nil {
		return err
	}
	arn := p.NotifyARN
	if arn == "" {
		arn = "arn:aws:sqs:us-east-1:000000000000:streamgate-probe"
	}
	_, err = p.Client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(b),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			QueueArn: aws.String(arn), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
	if err != nil {
		p.note("PutBucketNotificationConfiguration: %s", short(err))
	}
	if p.Webhook == nil {
		return errors.New("no webhook target to deliver to")
	}
	key := "incoming/event.txt"
	if _, err := p.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: strings.NewReader("e")}); err != nil {
		return fmt.Errorf("PutObject: %s", short(err))
	}
	body, ok := p.Webhook.wait(b, key, 5*time.Second)
	if !ok {
		return errors.New("no event reached the webhook within 5 s")
	}
	if !strings.Contains(body, `"eventName":"s3:ObjectCreated:`) && !strings.Contains(body, `"EventName":"s3:ObjectCreated:`) {
		p.note("what arrived: %.56s...", strings.ReplaceAll(body, b, "BUCKET"))
		return errors.New("the webhook got the server's own event format, not S3 event records")
	}
	return nil
}

// Webhook receives a server's event posts on 127.0.0.1.
type Webhook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
}

// NewWebhook listens on a free loopback port; Close stops it.
func NewWebhook() *Webhook {
	w := &Webhook{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.bodies = append(w.bodies, string(b))
		w.mu.Unlock()
	}))
	return w
}

// URL is where the server should post.
func (w *Webhook) URL() string { return w.srv.URL }

// Close stops listening.
func (w *Webhook) Close() { w.srv.Close() }

// wait returns the first body naming bucket and key, within timeout.
func (w *Webhook) wait(bucket, key string, timeout time.Duration) (string, bool) {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		w.mu.Lock()
		for _, b := range w.bodies {
			if strings.Contains(b, bucket) && (strings.Contains(b, key) || strings.Contains(b, strings.ReplaceAll(key, "/", "%2F"))) {
				w.mu.Unlock()
				return b, true
			}
		}
		w.mu.Unlock()
	}
	return "", false
}

type staticCreds struct{ id, secret string }

func (c staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: c.id, SecretAccessKey: c.secret, Source: "s3probe"}, nil
}

func send(method, url string, headers map[string]string, body []byte) (int, string) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, code(string(b))
}

// postForm sends a presigned POST form with fields changed by edit; the
// answer is its status and its error code (or first bytes).
func postForm(r *presign.Response, edit map[string]string, data []byte) (int, string) {
	status, body, err := PostForm(r, edit, data)
	if err != nil {
		return 0, err.Error()
	}
	return status, code(body)
}

// PostForm sends the form of a presigned POST, as a browser would, with
// its fields changed by edit (a field named there with another value) and
// data as the file; it returns the server's status and body.
func PostForm(r *presign.Response, edit map[string]string, data []byte) (status int, body string, err error) {
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	for k, v := range r.Fields {
		if e, ok := edit[k]; ok {
			v = e
		}
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "x")
	fw.Write(data)
	w.Close()
	resp, err := http.Post(r.URL, w.FormDataContentType(), &form)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// code is an S3 error body's <Code>, or the body's start.
func code(body string) string {
	if i := strings.Index(body, "<Code>"); i >= 0 {
		if j := strings.Index(body[i:], "</Code>"); j > 0 {
			return body[i+6 : i+j]
		}
	}
	if len(body) > 80 {
		return body[:80]
	}
	return body
}

// short is an SDK error's status and code.
func short(err error) string {
	if err == nil {
		return "OK"
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if s := httpStatus(err); s != 0 {
			return fmt.Sprintf("%d %s", s, api.ErrorCode())
		}
		return api.ErrorCode()
	}
	return err.Error()
}

// httpStatus is the HTTP status of an SDK error, 0 if none.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func with(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for hk, hv := range h {
		if hk != k {
			out[hk] = hv
		}
	}
	return out
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}
