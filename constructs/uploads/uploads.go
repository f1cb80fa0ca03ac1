// Package uploads defines PresignedUploadApi: uploads of any size go
// straight to S3 with presigned URLs that a Go Lambda issues behind API
// Gateway, past Lambda's 6 MB and API Gateway's 10 MB payload limits:
//
//	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{
//		MaxObjectSize:       awscdk.Size_Gibibytes(jsii.Number(2)),
//		AllowedContentTypes: jsii.Strings("video/mp4"),
//		Cors:                &awsapigateway.CorsOptions{AllowOrigins: jsii.Strings("https://app.example.com")},
//	})
//
// Clients POST {"fileName","contentType","size","checksumSha256"} to
// /uploads and get back a URL (and headers or form fields) that only accepts
// that object; the key is chosen by the server: prefix/caller/random/name.
//
// The new bucket: all public access blocked, TLS 1.2+ only (bucket policy),
// SSE-S3 or SSE-KMS, server access logs to a logs bucket, lifecycle rules that
// abort incomplete multipart uploads and expire what is left under the
// prefix, CORS only for the origins you name, object ownership enforced,
// RETAIN on removal. The handler may write under the prefix and nothing else.
// A SizeLimitedWebAcl guards the API.
package uploads

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/apiauth"
	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/internal/nagack"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
	"github.com/streamgate/streamgate/constructs/internal/uploadbucket"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploaddefaults"
	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/internal/corsvtl"
	"github.com/streamgate/streamgate/lambda/cors"
	"github.com/streamgate/streamgate/lambda/presign/contract"
)

// HandlerEntry is the presign handler's main package, built at synth.
const HandlerEntry = "github.com/streamgate/streamgate/handlers/presign"

// DirectPrefix is where DirectUpload writes, under KeyPrefix.
const DirectPrefix = "direct/"

// PresignedUploadApi is an upload API that issues presigned S3 URLs.
type PresignedUploadApi struct {
	constructs.Construct

	// StreamingRestApi is the REST API with its stage, logs and routes.
	StreamingRestApi *streaming.StreamingRestApi
	// RestApi is the REST API (escape hatch).
	RestApi awsapigateway.RestApi
	// Bucket receives the uploads: the new bucket or Props.Bucket.
	Bucket awss3.IBucket
	// AccessLogsBucket receives the new bucket's server access logs; nil
	// with an existing Bucket.
	AccessLogsBucket awss3.IBucket
	// Function is the presign function.
	Function awslambda.Function
	// WebAcl guards the API; nil with DisableWebAcl.
	WebAcl *wafsize.SizeLimitedWebAcl
	// DirectUploadRole is the role API Gateway writes direct uploads with;
	// nil without DirectUpload.
	DirectUploadRole awsiam.Role
	// Url is the API's URL (also a stack output).
	Url *string
	// KeyPrefix is where objects are written.
	KeyPrefix string

	profile        *compliance.Profile
	objectLock     bool
	eventBridge    bool // the bucket's EventBridge notifications are on
	existingBucket bool
	encryptionKey  awskms.IKey
}

// ToString is the construct's path.
func (u *PresignedUploadApi) ToString() *string { return u.Node().Path() }

// AccessLogNoncurrentDays is how long, under the compliance profile, an
// overwritten or deleted access log object is kept.
const AccessLogNoncurrentDays = uploadbucket.AccessLogNoncurrentDays

type resolved struct {
	mode         Mode
	maxSize      int64
	contentTypes []string
	expiry       awscdk.Duration
	prefix       string
	incoming     awscdk.Duration
	abortAfter   awscdk.Duration
	direct       bool
	companion    bool
	cors         *awsapigateway.CorsOptions // the API's, nil without CORS
	corsOrigins  []string                   // its valid origins, for the bucket's CORS rule
}

// NewPresignedUploadApi creates the bucket (or takes Props.Bucket), the
// presign handler, the API and its web ACL. Invalid props stop synth with
// every problem listed, before any construct is made.
func NewPresignedUploadApi(scope constructs.Construct, id *string, p *PresignedUploadApiProps) *PresignedUploadApi {
	defer propcheck.Guard("PresignedUploadApi", scope, id)
	if p == nil {
		p = &PresignedUploadApiProps{}
	}
	problems := propcheck.NewProblems("PresignedUploadApi", scope, id)
	problems.CheckUnique(scope, id)
	r := validate(problems, p)
	// The profile applied to scope is the one the construct gets: nothing
	// can be applied to it before it exists.
	profile := compliance.Of(scope, p.Compliance)
	objectLock := profile != nil && p.Bucket == nil && r.mode != ModeMultipart && !r.direct
	validateProfile(problems, profile, objectLock, r)
	problems.Check()

	u := &PresignedUploadApi{KeyPrefix: r.prefix, profile: profile, objectLock: objectLock}
	constructs.NewConstruct_Override(u, scope, id)
	if profile != nil && p.Bucket == nil && p.EncryptionKey == nil {
		pp := *p
		pp.EncryptionKey = u.newBucketKey()
		p = &pp
	}
	u.Bucket = p.Bucket
	u.existingBucket = p.Bucket != nil
	u.encryptionKey = p.EncryptionKey
	if u.Bucket == nil {
		u.Bucket = u.newBucket(p, r)
	}
	u.newHandler(p, r)
	u.newWebACL(p, r)
	u.newGateway(p, r)
	if r.direct {
		u.addDirectUpload(p, r)
	}
	return u
}

// validateProfile adds what the compliance profile rules out for these
// props: Companion routes on a bucket with object lock (Uppy sends no
// checksum), and uploads that expire before their lock does.
func validateProfile(problems *propcheck.Problems, profile *compliance.Profile, objectLock bool, r *resolved) {
	if !objectLock {
		return
	}
	if r.companion {
		problems.Add("CompanionRoutes", "true under the compliance profile in "+string(r.mode)+" mode", "uploads with a checksum: "+
			"the profile's object lock makes S3 refuse uploads without one, and Uppy sends none", "set Mode: uploads.ModeMultipart (no object lock), or drop CompanionRoutes")
	}
	lock, lockKnown := propcheck.Millis(profile.ObjectLockRetention)
	if incoming, ok := propcheck.Millis(r.incoming); ok && lockKnown && lock >= incoming {
		problems.Add("IncomingObjectExpiration", propcheck.Human(r.incoming), fmt.Sprintf("longer than the compliance profile's object lock retention (%s): "+
			"a locked object cannot expire", propcheck.Human(profile.ObjectLockRetention)), "lengthen IncomingObjectExpiration or shorten ObjectLockRetention")
	}
}

// newBucketKey is the SSE-KMS key of the upload API's own bucket under the
// compliance profile.
func (u *PresignedUploadApi) newBucketKey() awskms.IKey {
	key := awskms.NewKey(u, jsii.String("BucketKey"), &awskms.KeyProps{
		Description:       jsii.String("streamgate: encrypts the uploads of " + *u.Node().Path()),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	compliance.LimitGrantsToAwsServices(key)
	return key
}

// handlerEnv is the presign handler's configuration (lambda/presign reads
// it with ConfigFromEnv).
func (u *PresignedUploadApi) handlerEnv(p *PresignedUploadApiProps, r *resolved) map[string]*string {
	env := map[string]*string{
		contract.EnvBucket:        u.Bucket.BucketName(),
		contract.EnvPrefix:        jsii.String(r.prefix),
		contract.EnvMaxSize:       jsii.String(strconv.FormatInt(r.maxSize, 10)),
		contract.EnvContentTypes:  jsii.String(strings.Join(r.contentTypes, ",")),
		contract.EnvURLExpiration: jsii.String(strconv.FormatFloat(*r.expiry.ToSeconds(nil), 'f', 0, 64)),
		contract.EnvMode:          jsii.String(string(r.mode)),
	}
	if p.EncryptionKey != nil {
		env[contract.EnvKMSKeyID] = p.EncryptionKey.KeyArn()
	}
	if u.objectLock {
		env[contract.EnvRequireChecksum] = jsii.String("true")
	}
	if r.cors != nil {
		// API Gateway adds no CORS header to the handler's answers: the
		// handler adds them for these origins (lambda/cors).
		env[cors.EnvConfig] = jsii.String(propcheck.CorsPolicy(r.cors))
	}
	if r.companion {
		env[contract.EnvCompanion] = jsii.String("true")
	}
	return env
}

// newHandler is the presign handler ("Handler"), its grants and their
// acknowledgements.
func (u *PresignedUploadApi) newHandler(p *PresignedUploadApiProps, r *resolved) {
	code := p.Code
	entry := jsii.String(HandlerEntry)
	if code != nil {
		entry = nil
	}
	env := u.handlerEnv(p, r)
	fn := gofunction.NewGoFunction(u, jsii.String("Handler"), &gofunction.GoFunctionProps{
		Entry:        entry,
		Code:         code,
		MemorySize:   jsii.Number(256),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(30)),
		Environment:  &env,
		Description:  jsii.String("streamgate presign handler: POST /uploads"),
		LogRetention: p.LogRetention,
		Compliance:   u.profile,
	})
	u.Function = fn.Function
	dlq := "API Gateway invokes the presign handler synchronously and returns its errors to the client; a dead-letter queue only ever receives failed asynchronous invocations."
	nagack.Acknowledge(u.Function, nagack.Rule{Id: "Serverless-LambdaDLQ", Reason: dlq})
	if u.profile != nil {
		nagack.Acknowledge(u.Function, nagack.Regulated("LambdaDLQ", dlq)...)
	}
	u.grantHandler(p, r)
	nagack.Acknowledge(fn.Role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild(), prefixAck(r.prefix,
		"The presigned URLs the handler issues carry its permissions: it may write any key under the upload prefix "+r.prefix+
			", because each key is made per upload (prefix/caller/random/name); it has no other S3 access."))
}

// newWebACL is Props.WebAcl, else a SizeLimitedWebAcl ("WebAcl") unless
// DisableWebAcl; made before the API, so that the API associates it with
// its stage.
func (u *PresignedUploadApi) newWebACL(p *PresignedUploadApiProps, r *resolved) {
	multipart := r.mode == ModeMultipart || r.companion
	switch {
	case p.WebAcl != nil:
		u.WebAcl = p.WebAcl
		if multipart {
			u.warnWebAclLimitsComplete()
		}
	case p.DisableWebAcl == nil || !*p.DisableWebAcl:
		limit := p.MaxRequestBodySize
		if limit == nil {
			bytes := DefaultMaxRequestBodySize
			if r.direct {
				bytes = DefaultDirectUploadMaxRequestBodySize
			}
			limit = awscdk.Size_Bytes(jsii.Number(float64(bytes)))
		}
		// The pages that call the API can read the web ACL's 413.
		acl := &wafsize.SizeLimitedWebAclProps{MaxBodySize: limit, LogRetention: p.LogRetention, Compliance: u.profile,
			Cors: propcheck.WebAclCors(r.cors)}
		if bytes := limit.ToBytes(nil); multipart && bytes != nil && *bytes < contract.MaxCompleteRequestBody {
			// A complete request lists every part; the handler holds it to
			// its own limit.
			acl.ExemptPostPathSuffixes = jsii.Strings(CompletePathSuffix)
		}
		u.WebAcl = wafsize.NewSizeLimitedWebAcl(u, jsii.String("WebAcl"), acl)
	}
}

// CompletePathSuffix ends the paths of the multipart complete routes
// (presign.RouteComplete and RouteCompanionComplete), whose bodies list
// every part: the web ACL a PresignedUploadApi makes for multipart uploads
// does not hold them to MaxRequestBodySize (the handler allows up to 2 MiB).
const CompletePathSuffix = "/complete"

// WarningWebAclLimitsComplete is the id of the warning that a shared
// WebAcl's body limit would refuse the complete request of a multipart
// upload with many parts.
const WarningWebAclLimitsComplete = "@streamgate/uploads:webAclLimitsComplete"

// warnWebAclLimitsComplete warns when the shared WebAcl refuses bodies a
// multipart complete request can reach, without exempting its routes.
func (u *PresignedUploadApi) warnWebAclLimitsComplete() {
	acl := u.WebAcl
	if acl.MaxBodySize >= contract.MaxCompleteRequestBody || slices.Contains(acl.ExemptPostPathSuffixes, CompletePathSuffix) {
		return
	}
	awscdk.Annotations_Of(u).AddWarningV2(jsii.String(WarningWebAclLimitsComplete), jsii.String(fmt.Sprintf(
		"WebAcl %s refuses bodies over %d bytes, and the complete request of a multipart upload lists every part (about 60 bytes each, 130 with checksums; up to %d bytes), "+
			"so an upload of more than about %d parts could not be completed. Fix: make the SizeLimitedWebAcl with ExemptPostPathSuffixes: jsii.Strings(uploads.CompletePathSuffix), "+
			"or a MaxBodySize of at least %d bytes.",
		*acl.Node().Path(), acl.MaxBodySize, contract.MaxCompleteRequestBody, acl.MaxBodySize/130, contract.MaxCompleteRequestBody)), nil)
}

// newGateway is the REST API ("Api"): a StreamingRestApi whose routes are
// BUFFERED, all served by the handler.
func (u *PresignedUploadApi) newGateway(p *PresignedUploadApiProps, r *resolved) {
	restProps := awsapigateway.RestApiProps{}
	if p.RestApiProps != nil {
		restProps = *p.RestApiProps
	}
	if r.direct && restProps.BinaryMediaTypes == nil {
		// Direct uploads pass bodies to S3 as bytes; JSON requests to the
		// handler then arrive base64-encoded, which it decodes.
		restProps.BinaryMediaTypes = jsii.Strings("*/*")
	}
	buffered := func(method, path string) *streaming.RouteProps {
		return &streaming.RouteProps{Method: jsii.String(method), Path: jsii.String(path), Function: u.Function,
			TransferMode: awsapigateway.ResponseTransferMode_BUFFERED}
	}
	routes := []*streaming.RouteProps{
		buffered("POST", contract.RouteUploads),
		buffered("POST", contract.RouteParts),
		buffered("GET", contract.RouteParts),
		buffered("POST", contract.RouteComplete),
		buffered("DELETE", contract.RouteAbort),
	}
	if r.companion {
		for _, route := range contract.CompanionRoutes() {
			routes = append(routes, buffered(route[0], route[1]))
		}
	}
	u.StreamingRestApi = streaming.NewStreamingRestApi(u, jsii.String("Api"), &streaming.StreamingRestApiProps{
		Authorization:  p.Authorization,
		Cors:           r.cors,
		AccessLogGroup: p.AccessLogGroup,
		LogRetention:   p.LogRetention,
		RestApiProps:   &restProps,
		WebAcl:         u.WebAcl,
		Compliance:     u.profile,
		Monitoring:     p.Monitoring,
		Domain:         p.Domain,
		Routes:         &routes,
	})
	u.RestApi = u.StreamingRestApi.RestApi
	u.Url = u.StreamingRestApi.Url
}

// corsOptions are the API's CORS options: the caller's, with the methods
// of the routes and the headers of the upload protocol (plus the caller's).
func corsOptions(c *awsapigateway.CorsOptions) *awsapigateway.CorsOptions {
	if c == nil {
		return nil
	}
	out := *c
	out.AllowMethods = jsii.Strings("GET", "POST", "DELETE", "PUT", "OPTIONS")
	headers := []string{"Content-Type", "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"}
	if c.AllowHeaders != nil {
		for _, h := range *c.AllowHeaders {
			if h != nil && !slices.ContainsFunc(headers, func(s string) bool { return strings.EqualFold(s, *h) }) {
				headers = append(headers, *h)
			}
		}
	}
	out.AllowHeaders = jsii.Strings(headers...)
	return &out
}

// newBucket is the upload bucket with secure defaults, and its logs bucket.
func (u *PresignedUploadApi) newBucket(p *PresignedUploadApiProps, r *resolved) awss3.IBucket {
	bucket, logs := uploadbucket.New(u, &uploadbucket.Props{
		KeyPrefix:                   r.prefix,
		IncomingObjectExpiration:    r.incoming,
		AbortIncompleteUploadsAfter: r.abortAfter,
		BucketProps:                 p.BucketProps,
		EncryptionKey:               p.EncryptionKey,
		AccessLogsBucket:            p.AccessLogsBucket,
		RemovalPolicy:               p.RemovalPolicy,
		CorsOrigins:                 r.corsOrigins,
		Compliance:                  u.profile,
		ObjectLock:                  u.objectLock,
	})
	u.AccessLogsBucket = logs
	return bucket
}

// grantHandler lets the handler write under the prefix, nothing more: the
// presigned URLs carry its permissions.
func (u *PresignedUploadApi) grantHandler(p *PresignedUploadApiProps, r *resolved) {
	u.Function.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteUploadsUnderPrefix"),
		Actions:   jsii.Strings("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
		Resources: jsii.Strings(*u.Bucket.ArnForObjects(jsii.String(r.prefix + "*"))),
	}))
	if p.EncryptionKey != nil {
		u.Function.AddToRolePolicy(kmsStatement(p))
	}
}

func kmsStatement(p *PresignedUploadApiProps) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("EncryptUploads"),
		Actions:   jsii.Strings("kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"),
		Resources: jsii.Strings(*p.EncryptionKey.KeyArn()),
	})
}

// addDirectUpload adds PUT /objects/{name}: an S3 service integration with
// a role that may only write under prefix/direct/.
func (u *PresignedUploadApi) addDirectUpload(p *PresignedUploadApiProps, r *resolved) {
	role := awsiam.NewRole(u, jsii.String("DirectUploadRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		Description: jsii.String("API Gateway writes direct uploads under " + r.prefix + DirectPrefix),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteDirectUploads"),
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: jsii.Strings(*u.Bucket.ArnForObjects(jsii.String(r.prefix + DirectPrefix + "*"))),
	}))
	if p.EncryptionKey != nil {
		role.AddToPolicy(kmsStatement(p))
	}
	u.DirectUploadRole = role
	if u.profile != nil {
		nagack.Acknowledge(role.Node().FindChild(jsii.String("DefaultPolicy")), nagack.Regulated("IAMNoInlinePolicy", "The policy belongs to "+
			"this one role, which API Gateway assumes for direct uploads only; it is versioned with the API in this stack, and no other principal can be given it.")...)
	}
	nagack.Acknowledge(role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild(), prefixAck(r.prefix+DirectPrefix,
		"API Gateway writes direct uploads to "+r.prefix+DirectPrefix+"{name}, the name taken from the path: the role may write any key under that prefix, and nothing else."))
	answers := directCors(r.cors)
	integration := awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
		Service:               jsii.String("s3"),
		IntegrationHttpMethod: jsii.String("PUT"),
		Path:                  jsii.String(*u.Bucket.BucketName() + "/" + r.prefix + DirectPrefix + "{name}"),
		Options: &awsapigateway.IntegrationOptions{
			CredentialsRole:     role,
			PassthroughBehavior: awsapigateway.PassthroughBehavior_WHEN_NO_MATCH,
			RequestParameters: &map[string]*string{
				"integration.request.path.name":            jsii.String("method.request.path.name"),
				"integration.request.header.Content-Type":  jsii.String("method.request.header.Content-Type"),
				"integration.request.header.If-None-Match": jsii.String("'*'"), // never overwrite
			},
			IntegrationResponses: directResponses(r.prefix+DirectPrefix, answers),
		},
	})
	auth := p.Authorization
	if auth == nil {
		auth = apiauth.Iam()
	}
	opts := auth.MethodOptions(u.StreamingRestApi, u.StreamingRestApi.Api)
	opts.RequestValidator = u.StreamingRestApi.RequestValidator
	opts.RequestParameters = &map[string]*bool{"method.request.path.name": jsii.Bool(true), "method.request.header.Content-Type": jsii.Bool(true)}
	opts.MethodResponses = directMethodResponses(answers)
	put := u.RestApi.Root().ResourceForPath(jsii.String("/objects/{name}")).AddMethod(jsii.String("PUT"), integration, opts)
	nagack.Acknowledge(put, nagack.ForAuthorization(auth.Kind())...)
}

// corsHeaders is what an S3 integration's answers carry for the pages on
// the API's Cors origins: static header mappings, the headers the method
// responses declare, and the VTL that picks the request's origin when
// there are several. The zero value (no Cors) adds nothing.
type corsHeaders struct {
	params   map[string]*string
	declared map[string]*bool
	vtl      string
}

// directCors is the CORS of the direct upload's answers, for the API's
// Cors c (nil: none). API Gateway's CORS (the preflight and the gateway
// responses) does not reach an S3 integration's answers, so without these
// a page on an allowed origin could not read a stored upload's key, or the
// 412 of a name taken.
func directCors(c *awsapigateway.CorsOptions) corsHeaders {
	const allow, vary, creds = "method.response.header.Access-Control-Allow-Origin", "method.response.header.Vary",
		"method.response.header.Access-Control-Allow-Credentials"
	origins := propcheck.Origins(c)
	if len(origins) == 0 {
		return corsHeaders{}
	}
	origin, credentials := propcheck.AllowOrigin(c)
	if origin == cors.AnyOrigin {
		return corsHeaders{params: map[string]*string{allow: jsii.String("'*'")}, declared: map[string]*bool{allow: jsii.Bool(true)}}
	}
	h := corsHeaders{params: map[string]*string{vary: jsii.String("'Origin'")}, declared: map[string]*bool{allow: jsii.Bool(true), vary: jsii.Bool(true)}}
	if origin != "" {
		h.params[allow] = jsii.String("'" + origin + "'")
	} else {
		// Several origins, or any with credentials: the request's, when
		// it is allowed.
		h.vtl = corsvtl.AllowOrigin(origins)
	}
	if credentials {
		h.params[creds] = jsii.String("'true'")
		h.declared[creds] = jsii.Bool(true)
	}
	return h
}

// directResponses are the direct upload's integration responses: the key
// on 200, and a JSON error for S3's 412, other 4xx and 5xx, each with c.
func directResponses(keyPrefix string, c corsHeaders) *[]*awsapigateway.IntegrationResponse {
	response := func(status, pattern, template string) *awsapigateway.IntegrationResponse {
		ir := &awsapigateway.IntegrationResponse{StatusCode: jsii.String(status),
			ResponseTemplates: &map[string]*string{"application/json": jsii.String(c.vtl + template)}}
		if pattern != "" {
			ir.SelectionPattern = jsii.String(pattern)
		}
		if c.params != nil {
			ir.ResponseParameters = &c.params
		}
		return ir
	}
	return &[]*awsapigateway.IntegrationResponse{
		response("200", "", `{"key":"`+keyPrefix+`$input.params('name')"}`),
		response("412", "412", errorJSON("AlreadyExists", "an object with this name exists already")),
		response("400", "4\\d{2}", errorJSON("Rejected", "the storage service rejected the upload")),
		response("502", "5\\d{2}", errorJSON("StorageError", "the storage service failed; try again")),
	}
}

// directMethodResponses declares the direct upload's statuses, and c's
// headers on each.
func directMethodResponses(c corsHeaders) *[]*awsapigateway.MethodResponse {
	var out []*awsapigateway.MethodResponse
	for _, status := range []string{"200", "400", "412", "502"} {
		mr := &awsapigateway.MethodResponse{StatusCode: jsii.String(status)}
		if c.declared != nil {
			mr.ResponseParameters = &c.declared
		}
		out = append(out, mr)
	}
	return &out
}

// prefixAck acknowledges the object wildcard of a prefix grant, and no other.
func prefixAck(prefix, reason string) nagack.Rule {
	return nagack.Rule{Id: "AwsSolutions-IAM5", Reason: reason,
		AppliesTo: []any{nagack.Regex("/^Resource::.*" + regexp.QuoteMeta("/"+prefix+"*") + "$/")}}
}

func errorJSON(code, message string) string {
	return fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, code, message)
}

// validate records every problem of up's props in p and resolves them,
// with their defaults.
func validate(p *propcheck.Problems, up *PresignedUploadApiProps) *resolved {
	r := &resolved{mode: checkMode(p, up.Mode), direct: up.DirectUpload != nil && *up.DirectUpload, companion: up.CompanionRoutes != nil && *up.CompanionRoutes}
	r.maxSize = checkMaxObjectSize(p, up.MaxObjectSize, r.mode)
	r.contentTypes = p.MediaTypes("AllowedContentTypes", up.AllowedContentTypes, uploaddefaults.ContentTypes())
	r.expiry = checkUrlExpiration(p, up.UrlExpiration)
	r.prefix = p.KeyPrefix("KeyPrefix", up.KeyPrefix, uploaddefaults.KeyPrefix)
	r.incoming = p.WholeDays("IncomingObjectExpiration", up.IncomingObjectExpiration, uploaddefaults.IncomingObjectExpirationDays)
	r.abortAfter = p.WholeDays("AbortIncompleteUploadsAfter", up.AbortIncompleteUploadsAfter, uploaddefaults.AbortIncompleteUploadsAfterDays)
	checkBucket(p, up)
	r.corsOrigins = p.CheckCors("Cors", up.Cors, propcheck.CorsFields{AnyOrigin: true, Headers: true, Options: true,
		Why: "the construct allows the methods of its routes"})
	if len(r.corsOrigins) > 0 {
		r.cors = corsOptions(up.Cors)
	}
	checkWebAcl(p, up)
	if up.Authorization != nil {
		p.AddErr(up.Authorization.Validate("Authorization"))
	}
	return r
}

// checkMode is mode, or ModePut when it is unset, recording a mode that is
// none of the three.
func checkMode(p *propcheck.Problems, mode Mode) Mode {
	switch mode {
	case "":
		return ModePut
	case ModePut, ModePost, ModeMultipart:
	default:
		p.Add("Mode", fmt.Sprintf("%q", mode), "uploads.ModePut, ModePost or ModeMultipart", "use one of those modes")
	}
	return mode
}

// checkMaxObjectSize is size in bytes, or DefaultMaxObjectSize when it is
// unset or a Token, recording a size S3 cannot take in one object with
// mode.
func checkMaxObjectSize(p *propcheck.Problems, size awscdk.Size, mode Mode) int64 {
	if size == nil || *size.IsUnresolved() {
		return DefaultMaxObjectSize
	}
	n := int64(*size.ToBytes(nil))
	switch {
	case n <= 0:
		p.Add("MaxObjectSize", fmt.Sprintf("%d bytes", n), "1 byte to 5 GiB (PUT, POST) or 48.8 TiB (MULTIPART)", "set a positive size")
	case mode != ModeMultipart && n > contract.MaxSinglePutSize:
		p.Add("MaxObjectSize", propcheck.Bytes(n), fmt.Sprintf("at most 5 GiB with %s: S3's single upload limit", mode),
			"set Mode: uploads.ModeMultipart for larger objects, or lower MaxObjectSize")
	case n > contract.MaxObjectSize:
		p.Add("MaxObjectSize", propcheck.Bytes(n), "at most 48.8 TiB (50,000 GiB), S3's object size limit", "lower MaxObjectSize")
	}
	return n
}

// checkUrlExpiration is d, or DefaultUrlExpirationMinutes when it is unset,
// recording a Token and a duration outside what SigV4 allows.
func checkUrlExpiration(p *propcheck.Problems, d awscdk.Duration) awscdk.Duration {
	if d == nil {
		return awscdk.Duration_Minutes(jsii.Number(DefaultUrlExpirationMinutes))
	}
	if ms, ok := propcheck.Millis(d); !ok {
		p.Add("UrlExpiration", "a Token", "a duration known at synth time", "use a literal duration")
	} else if ms < 60_000 || ms > 7*24*3600_000 {
		p.Add("UrlExpiration", propcheck.Human(d), "1 minute to 7 days (SigV4's maximum)", "set an expiry in that range; short is safer")
	}
	return d
}

// checkBucket records settings of a new bucket given with an existing
// Bucket, two ways to set encryption, and a public bucket.
func checkBucket(p *propcheck.Problems, up *PresignedUploadApiProps) {
	if up.Bucket != nil {
		for _, f := range []struct {
			name string
			set  bool
		}{{"BucketProps", up.BucketProps != nil}, {"AccessLogsBucket", up.AccessLogsBucket != nil}, {"RemovalPolicy", up.RemovalPolicy != ""}} {
			if f.set {
				p.Add(f.name, "set together with Bucket", "settings of a new bucket only", "drop "+f.name+", or drop Bucket to let the construct create one")
			}
		}
		if up.Cors != nil {
			p.Add("Cors", "set together with Bucket", "CORS rules on a new bucket only", "add the CORS rule to your bucket yourself, or let the construct create the bucket")
		}
	}
	if up.BucketProps != nil {
		if up.EncryptionKey != nil && (up.BucketProps.Encryption != "" || up.BucketProps.EncryptionKey != nil) {
			p.Add("EncryptionKey", "set together with BucketProps.Encryption", "one way to configure encryption", "drop one of them")
		}
		if up.BucketProps.PublicReadAccess != nil && *up.BucketProps.PublicReadAccess {
			p.Add("BucketProps.PublicReadAccess", "true", "false: uploads are private", "serve objects through CloudFront or presigned GETs")
		}
	}
}

// checkWebAcl records web ACL settings that contradict each other.
func checkWebAcl(p *propcheck.Problems, up *PresignedUploadApiProps) {
	disabled := up.DisableWebAcl != nil && *up.DisableWebAcl
	if disabled && (up.WebAcl != nil || up.MaxRequestBodySize != nil) {
		p.Add("DisableWebAcl", "true together with WebAcl or MaxRequestBodySize", "one of them", "drop DisableWebAcl, or the web ACL settings")
	}
	if up.WebAcl != nil && up.MaxRequestBodySize != nil {
		p.Add("MaxRequestBodySize", "set together with WebAcl", "one of them", "drop MaxRequestBodySize: the shared WebAcl has its own limit")
	}
}

// OnUploaded sends an event to targets each time an upload completes: a
// rule on the default event bus matches S3's "Object Created" events of the
// bucket under KeyPrefix (PUT, POST, a completed multipart upload and
// direct uploads alike). The first call turns on the bucket's EventBridge
// notifications (on a new bucket; an existing Bucket must have them on
// already, which a warning recalls). Targets are any awsevents.IRuleTarget,
// e.g. awseventstargets.NewSqsQueue(queue, nil); OnUploadedFunction makes a
// Go function for you.
func (u *PresignedUploadApi) OnUploaded(id *string, targets ...awsevents.IRuleTarget) awsevents.Rule {
	problems := propcheck.NewProblems("PresignedUploadApi.OnUploaded", u, id)
	problems.CheckUnique(u, id)
	if len(targets) == 0 {
		problems.Add("targets", "none", "at least one awsevents.IRuleTarget", "pass a target, e.g. awseventstargets.NewSqsQueue(queue, nil)")
	}
	for i, t := range targets {
		if t == nil {
			problems.Add(fmt.Sprintf("targets[%d]", i), "nil", "an awsevents.IRuleTarget", "remove it or pass a target")
		}
	}
	problems.Check()
	u.enableEventBridge()
	rule := awsevents.NewRule(u, id, &awsevents.RuleProps{
		Description: jsii.String("streamgate: uploads completed under " + u.KeyPrefix + " in " + *u.Node().Path()),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.s3"),
			DetailType: jsii.Strings("Object Created"),
			Detail: &map[string]any{
				"bucket": map[string]any{"name": []any{u.Bucket.BucketName()}},
				"object": map[string]any{"key": []any{map[string]any{"prefix": u.KeyPrefix}}},
			},
		},
	})
	for _, t := range targets {
		rule.AddTarget(t)
	}
	return rule
}

// OnUploadedFunction creates a Go function (gofunction.NewGoFunction with
// props, so Entry is a handler in your module) that receives each completed
// upload's EventBridge event, may read objects under KeyPrefix, and has a
// dead-letter queue (props.DeadLetterQueue, or a new encrypted queue
// "<id>DeadLetters") for events it fails on after Lambda's retries:
// EventBridge invokes it asynchronously. It gets the API's compliance
// profile unless props has its own.
func (u *PresignedUploadApi) OnUploadedFunction(id *string, p *gofunction.GoFunctionProps) *gofunction.GoFunction {
	if p != nil {
		pp := *p
		if pp.Compliance == nil {
			pp.Compliance = u.profile
		}
		if pp.DeadLetterQueue == nil {
			dlq := awssqs.NewQueue(u, jsii.String(*id+"DeadLetters"), &awssqs.QueueProps{
				Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
				EnforceSSL:      jsii.Bool(true),
				RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
			})
			dead := "This queue is the dead-letter queue of the upload-event function and its EventBridge target: " +
				"it keeps the events the function failed on or that could not be delivered, and has no dead-letter queue of its own."
			nagack.Acknowledge(dlq, nagack.Rule{Id: "AwsSolutions-SQS3", Reason: dead}, nagack.Rule{Id: "Serverless-SQSRedrivePolicy", Reason: dead})
			if pp.Compliance != nil {
				// CT.SQS.PR.1: a queue either has a dead-letter queue or is
				// one, which RedriveAllowPolicy declares. allowAll is SQS's
				// default without the policy (and a source queue must be in
				// the same account and region), so nothing is loosened.
				dlq.Node().DefaultChild().(awssqs.CfnQueue).SetRedriveAllowPolicy(map[string]any{"redrivePermission": "allowAll"})
			}
			pp.DeadLetterQueue = dlq
		}
		p = &pp
	}
	fn := gofunction.NewGoFunction(u, id, p)
	fn.Function.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadUploadsUnderPrefix"),
		Actions:   jsii.Strings("s3:GetObject", "s3:GetObjectVersion"),
		Resources: jsii.Strings(*u.Bucket.ArnForObjects(jsii.String(u.KeyPrefix + "*"))),
	}))
	if key := u.encryptionKey; key != nil {
		key.GrantDecrypt(fn.Role)
	}
	nagack.Acknowledge(fn.Role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild(), prefixAck(u.KeyPrefix,
		"The upload-event function reads the object each event names: any key under the upload prefix "+u.KeyPrefix+", and nothing else."))
	u.OnUploaded(jsii.String(*id+"Rule"), awseventstargets.NewLambdaFunction(fn.Function, &awseventstargets.LambdaFunctionProps{
		RetryAttempts: jsii.Number(2), MaxEventAge: awscdk.Duration_Hours(jsii.Number(6)),
		DeadLetterQueue: p.DeadLetterQueue, // events EventBridge could not deliver
	}))
	return fn
}

// enableEventBridge turns on S3's EventBridge notifications of the new
// bucket, once.
func (u *PresignedUploadApi) enableEventBridge() {
	if u.eventBridge {
		return
	}
	u.eventBridge = true
	cfn, ok := u.Bucket.Node().DefaultChild().(awss3.CfnBucket)
	if !ok || u.existingBucket {
		awscdk.Annotations_Of(u).AddWarningV2(jsii.String(WarningExistingBucketEvents), jsii.String(
			"OnUploaded: the bucket was not made here, so its EventBridge notifications are not turned on by this stack; turn them on where the bucket is defined (EventBridgeEnabled), or no event arrives."), nil)
		return
	}
	cfn.AddPropertyOverride(jsii.String("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled"), true)
}

// WarningExistingBucketEvents is the id of the warning that OnUploaded
// cannot turn on EventBridge notifications of an existing bucket.
const WarningExistingBucketEvents = "@streamgate/uploads:existingBucketEvents"
