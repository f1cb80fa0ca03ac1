package devserver

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/streamgate/streamgate/internal/devserver/eventbridge"
	"github.com/streamgate/streamgate/internal/devserver/lambdaenv"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/devserver/pool"
	"github.com/streamgate/streamgate/internal/s3server"
)

// Upload events: the local S3 server posts its notifications to the
// runner's webhook (MinIO's bucket notifications, SeaweedFS's filer
// events); the runner turns each new object of a bucket with EventBridge
// on into S3's "Object Created" event, matches it against the rules of the
// default bus, and delivers it to their targets: Lambda functions
// asynchronously (the caller never waits), SQS queues as local lists a
// test or the page reads (/_streamgate/queues/{name}); other targets are
// logged.

// LocalAccount is the account id of the runner's events and functions.
const LocalAccount = "000000000000"

// DefaultEventRetryDelay is the wait before the first retry of a failed
// delivery or a failed asynchronous invocation; each next wait doubles. On
// AWS, Lambda waits a minute, then two
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html),
// and EventBridge backs off exponentially with jitter
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html):
// locally, seconds.
const DefaultEventRetryDelay = time.Second

// QueueMessage is a message of a local SQS queue.
type QueueMessage struct {
	MessageID string `json:"messageId"`
	Body      string `json:"body"`
	// Attributes are the message attributes: a dead-letter queue's
	// RequestID, ErrorCode and ErrorMessage (Lambda) or RULE_ARN,
	// TARGET_ARN, ERROR_CODE and ERROR_MESSAGE (EventBridge).
	Attributes    map[string]string `json:"messageAttributes,omitempty"`
	SentTimestamp int64             `json:"sentTimestamp"` // Unix milliseconds
}

// Delivery is one event handed to one target, for tests and the log.
type Delivery struct {
	Rule, Target string
	Event        []byte
	// Latency is from S3's write of the object to the hand-over (the
	// asynchronous invocation starting, the message being queued).
	Latency time.Duration
}

type localQueue struct {
	q    *loader.Queue
	mu   sync.Mutex
	msgs []QueueMessage
}

func (lq *localQueue) send(body []byte, attrs map[string]string) {
	lq.mu.Lock()
	defer lq.mu.Unlock()
	lq.msgs = append(lq.msgs, QueueMessage{MessageID: eventbridge.NewID(), Body: string(body), Attributes: attrs, SentTimestamp: time.Now().UnixMilli()})
}

func (lq *localQueue) list() []QueueMessage {
	lq.mu.Lock()
	defer lq.mu.Unlock()
	return slices.Clone(lq.msgs)
}

type compiledRule struct {
	*loader.Rule
	pattern *eventbridge.Pattern
}

// eventBus is the runner's EventBridge for S3's events.
type eventBus struct {
	rules   []*compiledRule
	buckets map[string]bool // local names of the buckets with EventBridge on
	queues  map[*loader.Queue]*localQueue
	pools   map[*loader.Function]*pool.Pool
	logs    io.Writer
	region  string
	delay   time.Duration
	// invoke, when set, runs an asynchronous invocation in place of the
	// function's pool (tests): nil when the function succeeded, a
	// *functionError when it failed.
	invoke    func(ctx context.Context, fn *loader.Function, requestID string, payload []byte) error
	delivered func(Delivery) // tests observe deliveries

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ln     net.Listener
	srv    *http.Server
}

// functionError is a failed invocation: the function's error document, a
// crash or a timeout.
type functionError struct{ typ, msg string }

func (e *functionError) Error() string { return e.typ + ": " + e.msg }

// newEventBus compiles the assemblies' rules for the buckets with
// EventBridge on; the notices say what is not delivered.
func newEventBus(rules []*loader.Rule, buckets map[string]*loader.Bucket, queues map[string]*loader.Queue, pools map[*loader.Function]*pool.Pool, o Options) (*eventBus, []string) {
	b := &eventBus{buckets: map[string]bool{}, queues: map[*loader.Queue]*localQueue{}, pools: pools, logs: o.Logs, region: "us-east-1", delay: o.EventRetryDelay}
	if b.delay <= 0 {
		b.delay = DefaultEventRetryDelay
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	var notices []string
	for _, bk := range buckets {
		if bk.EventBridge {
			b.buckets[bk.Name] = true
		}
	}
	for _, q := range queues {
		b.queues[q] = &localQueue{q: q}
	}
	for _, r := range rules {
		if !r.Enabled || r.EventBus != "default" {
			continue
		}
		p, err := eventbridge.CompileValue(r.Pattern)
		if err != nil {
			notices = append(notices, fmt.Sprintf("%s/%s: %v: the rule is not matched locally", r.Stack, r.LogicalID, err))
			continue
		}
		b.rules = append(b.rules, &compiledRule{Rule: r, pattern: p})
	}
	return b, notices
}

// functions are the Lambda functions the rules deliver to.
func (b *eventBus) functions() []*loader.Function {
	var fns []*loader.Function
	for _, r := range b.rules {
		for _, t := range r.Targets {
			if t.Function != nil && t.Function.AssetDir != "" && !slices.Contains(fns, t.Function) {
				fns = append(fns, t.Function)
			}
		}
	}
	return fns
}

// listen starts the webhook the S3 server posts to, on loopback.
func (b *eventBus) listen() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	b.ln = ln
	b.srv = &http.Server{Handler: http.HandlerFunc(b.serveWebhook), ReadHeaderTimeout: 10 * time.Second}
	go b.srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/s3-events", nil
}

func (b *eventBus) close() {
	if b.srv != nil {
		b.srv.Close()
	}
	b.cancel()
	b.wg.Wait()
}

// serveWebhook reads one notification of MinIO (S3 event records) or of
// SeaweedFS's filer (a metadata event) and publishes the objects created.
func (b *eventBus) serveWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		w.WriteHeader(400)
		return
	}
	w.WriteHeader(200) // before delivery: the S3 server never waits for targets
	var probe struct {
		Records   json.RawMessage `json:"Records"`
		EventType string          `json:"event_type"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return
	}
	var created []eventbridge.ObjectCreated
	switch {
	case probe.Records != nil:
		created = minioCreated(body)
	case probe.EventType != "":
		if o, ok := seaweedCreated(body); ok {
			created = append(created, o)
		}
	}
	for _, o := range created {
		if b.buckets[o.Bucket] {
			b.publish(o)
		}
	}
}

// minioCreated reads MinIO's event records
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html,
// whose shape MinIO follows).
func minioCreated(body []byte) []eventbridge.ObjectCreated {
	var n struct {
		Records []struct {
			EventName         string `json:"eventName"`
			EventTime         string `json:"eventTime"`
			RequestParameters struct {
				SourceIPAddress string `json:"sourceIPAddress"`
			} `json:"requestParameters"`
			ResponseElements map[string]string `json:"responseElements"`
			S3               struct {
				Bucket struct {
					Name string `json:"name"`
				} `json:"bucket"`
				Object struct {
					Key       string `json:"key"`
					Size      int64  `json:"size"`
					ETag      string `json:"eTag"`
					VersionID string `json:"versionId"`
					Sequencer string `json:"sequencer"`
				} `json:"object"`
			} `json:"s3"`
		} `json:"Records"`
	}
	if json.Unmarshal(body, &n) != nil {
		return nil
	}
	var out []eventbridge.ObjectCreated
	for _, rec := range n.Records {
		api, ok := strings.CutPrefix(rec.EventName, "s3:ObjectCreated:")
		if !ok {
			continue
		}
		key, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, rec.EventTime)
		if err != nil {
			t = time.Now()
		}
		out = append(out, eventbridge.ObjectCreated{Bucket: rec.S3.Bucket.Name, Key: key, Size: rec.S3.Object.Size,
			ETag: strings.Trim(rec.S3.Object.ETag, `"`), VersionID: rec.S3.Object.VersionID, Sequencer: rec.S3.Object.Sequencer,
			RequestID: rec.ResponseElements["x-amz-request-id"], Requester: LocalAccount, SourceIP: rec.RequestParameters.SourceIPAddress,
			Reason: createdReason[api], Time: t})
	}
	return out
}

// createdReason is the reason S3 names for each way of creating an object
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html#ev-events-detail).
var createdReason = map[string]string{"Put": "PutObject", "Post": "POST Object", "Copy": "CopyObject", "CompleteMultipartUpload": "CompleteMultipartUpload"}

// seaweedEntry is an entry of SeaweedFS's filer event (filer_pb.Entry as
// encoding/json writes it).
type seaweedEntry struct {
	Name        string            `json:"name"`
	IsDirectory bool              `json:"is_directory"`
	Chunks      []json.RawMessage `json:"chunks"`
	Attributes  struct {
		FileSize int64  `json:"file_size"`
		Md5      []byte `json:"md5"`
	} `json:"attributes"`
	Extended map[string][]byte `json:"extended"`
	// CommitTsNs is when the filer committed the entry.
	CommitTsNs int64 `json:"commit_ts_ns"`
}

// seaweedCreated reads a SeaweedFS filer event: an object's entry created
// (a PUT, a POST, a copy) or completed (CompleteMultipartUpload writes the
// final entry, marked with its upload id) under /buckets/{bucket}/, not
// the parts under .uploads/ nor a metadata-only update.
func seaweedCreated(body []byte) (eventbridge.ObjectCreated, bool) {
	var e struct {
		EventType string `json:"event_type"`
		Message   struct {
			OldEntry      *seaweedEntry `json:"old_entry"`
			NewEntry      *seaweedEntry `json:"new_entry"`
			NewParentPath string        `json:"new_parent_path"`
		} `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return eventbridge.ObjectCreated{}, false
	}
	m := e.Message
	ne := m.NewEntry
	if ne == nil || ne.IsDirectory || e.EventType == "delete" {
		return eventbridge.ObjectCreated{}, false
	}
	if e.EventType == "update" && m.OldEntry != nil && slices.EqualFunc(m.OldEntry.Chunks, ne.Chunks, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
		return eventbridge.ObjectCreated{}, false // tags, ACL, metadata: the object's bytes are the same
	}
	rest, ok := strings.CutPrefix(m.NewParentPath+"/"+ne.Name, "/buckets/")
	if !ok {
		return eventbridge.ObjectCreated{}, false
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if key == "" || bucket == ".system" || strings.HasPrefix(key, ".uploads/") {
		return eventbridge.ObjectCreated{}, false
	}
	etag := strings.Trim(string(ne.Extended["Seaweed-X-Amz-ETag"]), `"`)
	if etag == "" {
		etag = hex.EncodeToString(ne.Attributes.Md5)
	}
	reason := "PutObject"
	if _, ok := ne.Extended["X-Seaweedfs-Upload-Id"]; ok {
		reason = "CompleteMultipartUpload"
	}
	t := time.Unix(0, ne.CommitTsNs)
	if ne.CommitTsNs == 0 {
		t = time.Now()
	}
	return eventbridge.ObjectCreated{Bucket: bucket, Key: key, Size: ne.Attributes.FileSize, ETag: etag,
		Sequencer: fmt.Sprintf("%016X", ne.CommitTsNs), RequestID: requestID16(), Requester: LocalAccount, SourceIP: "127.0.0.1",
		Reason: reason, Time: t}, true
}

// requestID16 is an S3-style request id (16 upper-case characters).
func requestID16() string {
	id := strings.ToUpper(strings.ReplaceAll(eventbridge.NewID(), "-", ""))
	return id[:16]
}

// publish matches o's event against every rule and hands it to the
// targets of those that match.
func (b *eventBus) publish(o eventbridge.ObjectCreated) {
	ev := eventbridge.S3ObjectCreated(o, LocalAccount, b.region)
	payload, _ := json.Marshal(ev)
	matched := 0
	for _, r := range b.rules {
		if !r.pattern.Match(payload) {
			continue
		}
		matched++
		for _, t := range r.Targets {
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				b.deliver(r, t, payload, o.Time)
			}()
		}
	}
	if matched == 0 {
		fmt.Fprintf(b.logs, "events: s3://%s/%s (%s): Object Created matched no rule\n", o.Bucket, o.Key, o.Reason)
	}
}

func ruleName(r *compiledRule) string { return r.Stack + "/" + r.LogicalID }

// deliver hands one event to one target: EventBridge retries a failed
// delivery per the target's RetryPolicy, then sends it to the target's
// dead-letter queue.
func (b *eventBus) deliver(r *compiledRule, t *loader.Target, payload []byte, written time.Time) {
	start := time.Now()
	name := ruleName(r)
	switch {
	case t.Queue != nil:
		b.queues[t.Queue].send(payload, nil)
		b.logDelivery(name, t, "SQS queue "+t.Queue.Name, payload, written)
		return
	case t.Function == nil:
		fmt.Fprintf(b.logs, "events: %s -> %s (%s): not delivered locally (only Lambda functions and SQS queues are); the event: %s\n", name, t.ID, t.Arn, payload)
		return
	}
	fn := t.Function
	label := "Lambda " + fn.Stack + "/" + fn.LogicalID
	for attempt := 0; ; attempt++ {
		err := b.deliverLambda(name, t, payload, written)
		if err == nil {
			return
		}
		if b.ctx.Err() != nil {
			return
		}
		age := time.Since(start)
		if attempt >= t.MaxRetries || age > time.Duration(t.MaxEventAgeSec)*time.Second {
			fmt.Fprintf(b.logs, "events: %s -> %s (%s): not delivered after %d attempts: %v\n", name, t.ID, label, attempt+1, err)
			if t.DeadLetter != nil {
				b.queues[t.DeadLetter].send(payload, map[string]string{"RULE_ARN": "arn:aws:events:" + b.region + ":" + LocalAccount + ":rule/" + r.LogicalID,
					"TARGET_ARN": "arn:aws:lambda:" + b.region + ":" + LocalAccount + ":function:" + fn.LogicalID, "ERROR_CODE": "SDK_CLIENT_ERROR", "ERROR_MESSAGE": err.Error()})
				fmt.Fprintf(b.logs, "events: %s -> %s: sent to the target's dead-letter queue %s\n", name, t.ID, t.DeadLetter.Name)
			}
			return
		}
		fmt.Fprintf(b.logs, "events: %s -> %s (%s): delivery failed (%v): retrying (%d of %d)\n", name, t.ID, label, err, attempt+1, t.MaxRetries)
		if !b.sleep(b.delay << min(attempt, 6)) {
			return
		}
	}
}

// deliverLambda invokes the function asynchronously: the delivery is done
// once Lambda has the event, and Lambda itself retries a failed invocation
// (the function's AsyncRetries), then sends the event to its dead-letter
// queue and on-failure destination. An error is a delivery that failed
// (the function cannot run here).
func (b *eventBus) deliverLambda(rule string, t *loader.Target, payload []byte, written time.Time) error {
	fn := t.Function
	if b.invoke == nil && b.pools[fn] == nil {
		return fmt.Errorf("function %s is not run locally (no code the runner can run)", fn.LogicalID)
	}
	b.logDelivery(rule, t, "Lambda "+fn.Stack+"/"+fn.LogicalID+", asynchronous", payload, written)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.runAsync(rule, fn, payload)
	}()
	return nil
}

// runAsync is Lambda's handling of an asynchronous invocation: the first
// attempt, AsyncRetries more after a failure (waiting delay, then twice
// that), then the dead-letter queue and the on-failure destination.
func (b *eventBus) runAsync(rule string, fn *loader.Function, payload []byte) {
	first := time.Now()
	label := fn.Stack + "/" + fn.LogicalID
	for attempt := 0; ; attempt++ {
		requestID := lambdaenv.NewRequestID()
		invoke := b.invoke
		if invoke == nil {
			invoke = b.invokePool
		}
		err := invoke(b.ctx, fn, requestID, payload)
		if err == nil {
			fmt.Fprintf(b.logs, "events: %s [%s] handled the event of %s (attempt %d)\n", label, requestID[:8], rule, attempt+1)
			return
		}
		if b.ctx.Err() != nil {
			return
		}
		if attempt >= fn.AsyncRetries || time.Since(first) > time.Duration(fn.AsyncMaxAgeSec)*time.Second {
			fmt.Fprintf(b.logs, "events: %s [%s] failed on the event of %s after %d attempts: %v\n", label, requestID[:8], rule, attempt+1, err)
			b.asyncFailed(fn, requestID, payload, err, attempt+1)
			return
		}
		fmt.Fprintf(b.logs, "events: %s [%s] failed on the event of %s (%v): Lambda retries it (%d of %d)\n", label, requestID[:8], rule, err, attempt+1, fn.AsyncRetries)
		if !b.sleep(b.delay << attempt) {
			return
		}
	}
}

// asyncFailed sends a failed event where Lambda would: the dead-letter
// queue gets the event with RequestID, ErrorCode and ErrorMessage
// attributes; an on-failure destination gets an invocation record
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
func (b *eventBus) asyncFailed(fn *loader.Function, requestID string, payload []byte, err error, attempts int) {
	label := fn.Stack + "/" + fn.LogicalID
	if fn.DeadLetterQueue == nil && fn.OnFailureQueue == nil {
		fmt.Fprintf(b.logs, "events: %s has no dead-letter queue nor on-failure destination: the event is dropped, as Lambda would\n", label)
		return
	}
	if q := fn.DeadLetterQueue; q != nil {
		b.queues[q].send(payload, map[string]string{"RequestID": requestID, "ErrorCode": "200", "ErrorMessage": err.Error()})
		fmt.Fprintf(b.logs, "events: %s: the event went to its dead-letter queue %s\n", label, q.Name)
	}
	if q := fn.OnFailureQueue; q != nil {
		var fe *functionError
		errType := "Unhandled"
		if errors.As(err, &fe) {
			errType = fe.typ
		}
		rec, _ := json.Marshal(map[string]any{"version": "1.0", "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
			"requestContext": map[string]any{"requestId": requestID, "functionArn": "arn:aws:lambda:" + b.region + ":" + LocalAccount + ":function:" + fn.LogicalID + ":$LATEST",
				"condition": "RetriesExhausted", "approximateInvokeCount": attempts},
			"requestPayload":  json.RawMessage(payload),
			"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": errType},
			"responsePayload": map[string]any{"errorMessage": err.Error()}})
		b.queues[q].send(rec, nil)
		fmt.Fprintf(b.logs, "events: %s: an invocation record went to its on-failure destination %s\n", label, q.Name)
	}
}

func (b *eventBus) sleep(d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-b.ctx.Done():
		return false
	}
}

func (b *eventBus) logDelivery(rule string, t *loader.Target, what string, payload []byte, written time.Time) {
	latency := time.Since(written)
	var d struct {
		Detail struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct{ Key string }  `json:"object"`
			Reason string                `json:"reason"`
		} `json:"detail"`
	}
	json.Unmarshal(payload, &d)
	fmt.Fprintf(b.logs, "events: %s -> %s (%s): Object Created s3://%s/%s (%s), %d ms after S3 wrote it\n",
		rule, t.ID, what, d.Detail.Bucket.Name, d.Detail.Object.Key, d.Detail.Reason, latency.Milliseconds())
	if b.delivered != nil {
		b.delivered(Delivery{Rule: rule, Target: t.ID, Event: payload, Latency: latency})
	}
}

// invokePool runs an Event invocation in the function's pool and reads its
// outcome.
func (b *eventBus) invokePool(ctx context.Context, fn *loader.Function, requestID string, payload []byte) error {
	p := b.pools[fn]
	if p == nil {
		return &functionError{"ResourceNotFoundException", "the function is not run locally"}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(fn.Timeout)*time.Second+time.Second)
	defer cancel()
	inv, err := p.Invoke(ctx, requestID, "event "+requestID[:8], payload)
	if err != nil {
		return &functionError{"Unhandled", err.Error()}
	}
	defer inv.Done()
	body, _ := io.ReadAll(io.LimitReader(inv.Response.Body, MaxLambdaBuffered+1))
	inv.Response.Body.Close()
	if e := inv.Err(); e != nil {
		return &functionError{"Unhandled", e.Error()}
	}
	if inv.Response.FunctionError {
		var doc struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		json.Unmarshal(body, &doc)
		if doc.ErrorType == "" {
			doc.ErrorType = "Unhandled"
		}
		if doc.ErrorMessage == "" {
			doc.ErrorMessage = fmt.Sprintf("%.200s", body)
		}
		return &functionError{doc.ErrorType, doc.ErrorMessage}
	}
	return nil
}

// subscribe has the S3 server send the buckets' notifications to the
// webhook: MinIO through a bucket notification configuration naming its
// webhook target (which it may load a moment after it answers); SeaweedFS's
// filer sends all of its events already.
func (b *eventBus) subscribe(ctx context.Context, kind s3server.Kind, client *s3.Client) error {
	if kind != s3server.MinIO {
		return nil
	}
	names := make([]string, 0, len(b.buckets))
	for n := range b.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		var err error
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			_, err = client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(name),
				NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
					QueueArn: aws.String(s3server.WebhookARN), Events: []types.Event{"s3:ObjectCreated:*"}}}}})
			if err == nil || time.Now().After(deadline) {
				break
			}
		}
		if err != nil {
			return fmt.Errorf("PutBucketNotificationConfiguration %s (upload events): %w", name, err)
		}
	}
	return nil
}

// queue is the local queue named name (its QueueName, logical id, or
// stack/logical id).
func (b *eventBus) queue(name string) *localQueue {
	for q, lq := range b.queues {
		if q.Name == name || q.LogicalID == name || q.Stack+"/"+q.LogicalID == name {
			return lq
		}
	}
	return nil
}

// describe is the start-up notice of what is delivered, and how.
func (b *eventBus) describe(kind s3server.Kind) []string {
	names := make([]string, 0, len(b.buckets))
	for n := range b.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	var targets []string
	for _, r := range b.rules {
		for _, t := range r.Targets {
			switch {
			case t.Function != nil:
				targets = append(targets, fmt.Sprintf("%s -> %s (Lambda %s, asynchronous)", ruleName(r), t.ID, t.Function.LogicalID))
			case t.Queue != nil:
				targets = append(targets, fmt.Sprintf("%s -> %s (SQS %s: /_streamgate/queues/%s)", ruleName(r), t.ID, t.Queue.Name, t.Queue.Name))
			}
		}
	}
	out := []string{fmt.Sprintf("upload events: S3's Object Created events of %s, from %s's notifications, go to %s; retries wait %s, doubling",
		orNone(names), kind.Title(), orNone(targets), b.delay)}
	if kind == s3server.SeaweedFS {
		out = append(out, "upload events (SeaweedFS): reason is CompleteMultipartUpload or else PutObject (its filer does not tell a POST or a copy from a PUT); no version-id")
	}
	return out
}
