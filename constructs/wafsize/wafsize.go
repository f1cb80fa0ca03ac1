// Package wafsize defines SizeLimitedWebAcl: a REGIONAL AWS WAF web ACL
// that keeps request payloads of API Gateway stages within a limit, answers
// refused requests with 413 and a JSON body, logs to CloudWatch Logs and
// emits metrics for every rule.
//
//	acl := wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Waf"), &wafsize.SizeLimitedWebAclProps{
//		MaxBodySize: awscdk.Size_Kibibytes(jsii.Number(64)),
//	})
//	acl.Associate(api.Stage)
//
// What it can see, and what it cannot:
//
//   - Up to 64 KB, WAF reads the body itself: the body rule measures it, with
//     the stage's inspection limit raised (AssociationConfig) to the smallest
//     value that covers the limit and OversizeHandling MATCH, so a body too big
//     to inspect is refused too.
//   - Above 64 KB, WAF cannot measure a body; the rule reads the
//     Content-Length header instead and refuses values over the limit.
//     A chunked request carries no Content-Length: WAF cannot see its size,
//     and only API Gateway's own 10 MB cap applies to it.
//   - Bytes sent straight to S3 with presigned URLs never pass WAF: their cap
//     is in the presigned request itself.
package wafsize

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/compliance"
	"github.com/streamgate/streamgate/constructs/internal/propcheck"
	"github.com/streamgate/streamgate/lambda/cors"
)

// InspectionLimit is how much of a body WAF reads for API Gateway.
type InspectionLimit string

// The inspection limits WAF offers for API Gateway.
const (
	KB16 InspectionLimit = "KB_16"
	KB32 InspectionLimit = "KB_32"
	KB48 InspectionLimit = "KB_48"
	KB64 InspectionLimit = "KB_64"
)

// Bytes is the limit in bytes.
func (l InspectionLimit) Bytes() int64 {
	switch l {
	case KB16:
		return 16 << 10
	case KB32:
		return 32 << 10
	case KB48:
		return 48 << 10
	case KB64:
		return 64 << 10
	}
	return 0
}

// Limits of API Gateway
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)
// and WAF (https://docs.aws.amazon.com/waf/latest/developerguide/limits.html).
const (
	// MaxApiGatewayPayload is API Gateway's request payload cap: 10 MB.
	MaxApiGatewayPayload = 10 << 20
	// CommonRuleSetBodyLimit is where AWSManagedRulesCommonRuleSet's
	// SizeRestrictions_BODY blocks: 8 KB.
	CommonRuleSetBodyLimit = 8 << 10
	// MaxRegexLength is WAF's fixed quota for one regex pattern.
	MaxRegexLength = 200
)

// Rule names, also the rules' metric names after the ACL's prefix.
const (
	RuleBodySize      = "BodyOverLimit"
	RuleContentLength = "ContentLengthOverLimit"
	RuleRateLimit     = "RateLimitPerIp"
	RuleCommon        = "AWSManagedRulesCommonRuleSet"
	// ResponseBodyKey names the JSON body of the 413 answer.
	ResponseBodyKey = "payload-too-large"
	// RateLimitResponseBodyKey names the JSON body of the rate rule's 429
	// answer (only in ACLs with RateLimit).
	RateLimitResponseBodyKey = "too-many-requests"
)

// SizeLimitedWebAclProps configure a SizeLimitedWebAcl.
type SizeLimitedWebAclProps struct {
	// MaxBodySize is the largest request body allowed, more than 0 and at
	// most API Gateway's 10 MB. Required.
	MaxBodySize awscdk.Size
	// InspectionLimit is how much of a body WAF reads. Default: the smallest
	// that covers MaxBodySize (KB_64 above 64 KB, where the Content-Length rule
	// takes over).
	InspectionLimit InspectionLimit
	// CommonRuleSet adds AWSManagedRulesCommonRuleSet, with
	// SizeRestrictions_BODY set to COUNT when MaxBodySize is above its 8 KB.
	// Default: false.
	CommonRuleSet *bool
	// RateLimit blocks an IP after this many requests in 5 minutes
	// (10..2,000,000,000), with 429 Too Many Requests and a JSON error
	// body (RateLimitResponseBodyKey), and the 413's CORS headers. WAF
	// counts the last 5 minutes, so a blocked client is let through again
	// some time after its rate falls below the limit (usually within 30 s:
	// https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-caveats.html).
	// Default: no rate limit.
	RateLimit *float64
	// LogGroup receives the WAF logs; its name must start with
	// "aws-waf-logs-". Default: a new group with LogRetention.
	LogGroup awslogs.ILogGroup
	// LogRetention of the new log group. Default: ONE_MONTH.
	LogRetention awslogs.RetentionDays
	// MetricPrefix starts the ACL's and its rules' CloudWatch metric names.
	// Default: the construct id.
	MetricPrefix *string
	// Compliance is the profile for regulated accounts (see package
	// compliance): the new log group is encrypted with the stack's log key
	// and kept at least a year. Default: the profile applied to the scope
	// with compliance.Apply, else none.
	Compliance *compliance.Profile
	// ExemptPostPathSuffixes are the endings of URI paths (such as
	// "/complete") of POST routes whose bodies MaxBodySize does not limit:
	// routes whose handler takes larger bodies and enforces a limit of its
	// own. API Gateway's 10 MB cap still applies, and other rules (rate
	// limit, common rule set) still do. PresignedUploadApi's own web ACL
	// has "/complete" for multipart uploads, whose complete request lists
	// every part (up to 10,000, about 1.3 MB). Each starts with "/", at
	// most 200 bytes (WAF's byte match). Default: none.
	ExemptPostPathSuffixes *[]*string
	// Cors names the origins of the browser pages that call the guarded
	// APIs (AllowOrigins, and AllowCredentials), so that such a page can
	// read the 413 (and the rate rule's 429): WAF's answer replaces API
	// Gateway's whole answer, gateway responses and their CORS headers
	// included. The 413 then carries Access-Control-Allow-Origin: the
	// origin, when there is one, or "*" for several (a WAF response header
	// is a literal; the 413's body is the same for everyone).
	// AllowCredentials, for pages that fetch with credentials, adds
	// Access-Control-Allow-Credentials and needs exactly one origin, since
	// such a request needs its own origin named.
	// PresignedUploadApi and StreamingRestApi pass their own CORS to the web
	// ACL they create. Default: no CORS header, and a page on another
	// origin sees a network error instead of the 413.
	Cors *awsapigateway.CorsOptions
}

// SizeLimitedWebAcl is a REGIONAL web ACL that enforces a payload limit.
type SizeLimitedWebAcl struct {
	constructs.Construct
	// CfnWebACL is the web ACL (escape hatch).
	CfnWebACL awswafv2.CfnWebACL
	// LogGroup receives the ACL's logs.
	LogGroup awslogs.ILogGroup
	// MaxBodySize is the enforced limit in bytes.
	MaxBodySize int64
	// InspectionLimit is the body inspection limit set on associated stages.
	InspectionLimit InspectionLimit
	// MetricName is the ACL's CloudWatch metric name (the WebACL dimension
	// of AWS/WAFV2 metrics): MetricPrefix, or the construct id.
	MetricName string
	// AllowOrigin is the Access-Control-Allow-Origin of the ACL's 413 (see
	// SizeLimitedWebAclProps.Cors): Cors's one origin, "*", or "" without
	// Cors, when no page on another origin can read the 413.
	AllowOrigin string
	// AllowCredentials reports whether the 413 carries
	// Access-Control-Allow-Credentials (Cors.AllowCredentials).
	AllowCredentials bool
	// ExemptPostPathSuffixes are Props.ExemptPostPathSuffixes: POST paths
	// with these endings are not held to MaxBodySize.
	ExemptPostPathSuffixes []string

	associations int
}

// ToString is the construct's path.
func (w *SizeLimitedWebAcl) ToString() *string { return w.Node().Path() }

// NewSizeLimitedWebAcl creates the web ACL and its logging configuration.
// Invalid props stop synth with every problem listed.
func NewSizeLimitedWebAcl(scope constructs.Construct, id *string, p *SizeLimitedWebAclProps) *SizeLimitedWebAcl {
	defer propcheck.Guard("SizeLimitedWebAcl", scope, id)
	if p == nil {
		p = &SizeLimitedWebAclProps{}
	}
	problems := propcheck.NewProblems("SizeLimitedWebAcl", scope, id)
	problems.CheckUnique(scope, id)
	prefix := *id
	if p.MetricPrefix != nil {
		prefix = *p.MetricPrefix
	}
	limit, inspection := validate(problems, p, prefix)
	exempt := exemptSuffixes(problems, p)
	answer := corsAnswer(problems, p.Cors)
	problems.Check()
	w := &SizeLimitedWebAcl{MaxBodySize: limit, InspectionLimit: inspection, AllowOrigin: answer.origin, AllowCredentials: answer.credentials,
		ExemptPostPathSuffixes: exempt}
	constructs.NewConstruct_Override(w, scope, id)
	w.MetricName = prefix
	rules := newRules(p, limit, prefix, answer, exempt)
	w.CfnWebACL = awswafv2.NewCfnWebACL(w, jsii.String("Resource"), &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("REGIONAL"),
		Description:      jsii.String(fmt.Sprintf("streamgate: request bodies up to %d bytes", limit)),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]interface{}{}},
		VisibilityConfig: visibility(prefix),
		Rules:            rules,
		AssociationConfig: &awswafv2.CfnWebACL_AssociationConfigProperty{
			RequestBody: map[string]interface{}{
				"API_GATEWAY": &awswafv2.CfnWebACL_RequestBodyAssociatedResourceTypeConfigProperty{DefaultSizeInspectionLimit: jsii.String(string(inspection))},
			},
		},
		CustomResponseBodies: responseBodies(p, limit),
	})
	w.addLogging(p)
	return w
}

// responseBodies are the custom answers' JSON bodies: the 413, and the
// 429 when the ACL has a rate rule.
func responseBodies(p *SizeLimitedWebAclProps, limit int64) map[string]interface{} {
	bodies := map[string]interface{}{
		ResponseBodyKey: &awswafv2.CfnWebACL_CustomResponseBodyProperty{
			ContentType: jsii.String("APPLICATION_JSON"),
			Content:     jsii.String(fmt.Sprintf(`{"error":{"code":"PayloadTooLarge","message":"the request body is over the %d-byte limit; upload large files with a presigned URL"}}`, limit)),
		},
	}
	if p.RateLimit != nil {
		bodies[RateLimitResponseBodyKey] = &awswafv2.CfnWebACL_CustomResponseBodyProperty{
			ContentType: jsii.String("APPLICATION_JSON"),
			Content: jsii.String(fmt.Sprintf(`{"error":{"code":"TooManyRequests","message":"more than %s requests from this IP address in 5 minutes; wait, then retry"}}`,
				*awscdk.Tokenization_StringifyNumber(p.RateLimit))),
		}
	}
	return bodies
}

// newRules are the web ACL's rules, in priority order: the body size (or
// Content-Length past what WAF inspects), the rate limit, and AWS's common
// rule set, whose own 8 KB body rule counts instead of blocking when the
// limit is higher.
func newRules(p *SizeLimitedWebAclProps, limit int64, prefix string, answer cors413, exempt []string) []interface{} {
	var rules []interface{}
	if limit <= KB64.Bytes() {
		rules = append(rules, blockRule(RuleBodySize, prefix, len(rules), tooLarge, answer, exceptPosts(exempt, &awswafv2.CfnWebACL_StatementProperty{
			SizeConstraintStatement: &awswafv2.CfnWebACL_SizeConstraintStatementProperty{
				ComparisonOperator:  jsii.String("GT"),
				Size:                jsii.Number(float64(limit)),
				FieldToMatch:        &awswafv2.CfnWebACL_FieldToMatchProperty{Body: &awswafv2.CfnWebACL_BodyProperty{OversizeHandling: jsii.String("MATCH")}},
				TextTransformations: noTransformation(),
			},
		})))
	} else {
		rules = append(rules, blockRule(RuleContentLength, prefix, len(rules), tooLarge, answer, exceptPosts(exempt, contentLengthOver(limit))))
	}
	if p.RateLimit != nil {
		rules = append(rules, blockRule(RuleRateLimit, prefix, len(rules), tooMany, answer, &awswafv2.CfnWebACL_StatementProperty{
			RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{AggregateKeyType: jsii.String("IP"), Limit: p.RateLimit},
		}))
	}
	if p.CommonRuleSet != nil && *p.CommonRuleSet {
		group := &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{VendorName: jsii.String("AWS"), Name: jsii.String(RuleCommon)}
		if limit > CommonRuleSetBodyLimit {
			// It blocks bodies over 8 KB whatever our limit says: count instead.
			group.RuleActionOverrides = []interface{}{&awswafv2.CfnWebACL_RuleActionOverrideProperty{
				Name:        jsii.String("SizeRestrictions_BODY"),
				ActionToUse: &awswafv2.CfnWebACL_RuleActionProperty{Count: map[string]interface{}{}},
			}}
		}
		rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
			Name:             jsii.String(RuleCommon),
			Priority:         jsii.Number(float64(len(rules))),
			Statement:        &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: group},
			OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]interface{}{}},
			VisibilityConfig: visibility(prefix + RuleCommon),
		})
	}
	return rules
}

// exceptPosts is statement, except for POST requests whose URI path ends
// with one of suffixes: statement AND NOT (method POST AND path ENDS_WITH
// a suffix). Without suffixes it is statement itself.
func exceptPosts(suffixes []string, statement *awswafv2.CfnWebACL_StatementProperty) *awswafv2.CfnWebACL_StatementProperty {
	if len(suffixes) == 0 {
		return statement
	}
	byteMatch := func(field *awswafv2.CfnWebACL_FieldToMatchProperty, position, search string) *awswafv2.CfnWebACL_StatementProperty {
		return &awswafv2.CfnWebACL_StatementProperty{ByteMatchStatement: &awswafv2.CfnWebACL_ByteMatchStatementProperty{
			FieldToMatch: field, PositionalConstraint: jsii.String(position), SearchString: jsii.String(search), TextTransformations: noTransformation()}}
	}
	var paths []interface{}
	for _, s := range suffixes {
		paths = append(paths, byteMatch(&awswafv2.CfnWebACL_FieldToMatchProperty{UriPath: map[string]interface{}{}}, "ENDS_WITH", s))
	}
	path := paths[0].(*awswafv2.CfnWebACL_StatementProperty)
	if len(paths) > 1 {
		path = &awswafv2.CfnWebACL_StatementProperty{OrStatement: &awswafv2.CfnWebACL_OrStatementProperty{Statements: paths}}
	}
	post := &awswafv2.CfnWebACL_StatementProperty{AndStatement: &awswafv2.CfnWebACL_AndStatementProperty{Statements: []interface{}{
		byteMatch(&awswafv2.CfnWebACL_FieldToMatchProperty{Method: map[string]interface{}{}}, "EXACTLY", "POST"), path}}}
	return &awswafv2.CfnWebACL_StatementProperty{AndStatement: &awswafv2.CfnWebACL_AndStatementProperty{Statements: []interface{}{
		statement, &awswafv2.CfnWebACL_StatementProperty{NotStatement: &awswafv2.CfnWebACL_NotStatementProperty{Statement: post}}}}}
}

// exemptSuffixes are Props.ExemptPostPathSuffixes, checked.
func exemptSuffixes(p *propcheck.Problems, sp *SizeLimitedWebAclProps) []string {
	if sp.ExemptPostPathSuffixes == nil {
		return nil
	}
	var out []string
	for i, s := range *sp.ExemptPostPathSuffixes {
		field := fmt.Sprintf("ExemptPostPathSuffixes[%d]", i)
		switch {
		case s == nil || !propcheck.Resolved(s) || !strings.HasPrefix(*s, "/") || len(*s) < 2 || len(*s) > 200 || strings.ContainsAny(*s, "?#"):
			p.Add(field, propcheck.Quote(s), `a literal path ending that starts with "/" and has more after it, at most 200 bytes, without a query ("/complete")`,
				"name the end of the routes' path, as the request's URI path ends")
		case slices.Contains(out, *s):
			p.Add(field, propcheck.Quote(s), "each ending once", "drop the repeated one")
		default:
			out = append(out, *s)
		}
	}
	return out
}

// addLogging sends the web ACL's logs to Props.LogGroup, or a new group
// named as WAF requires.
func (w *SizeLimitedWebAcl) addLogging(p *SizeLimitedWebAclProps) {
	w.LogGroup = p.LogGroup
	if w.LogGroup == nil {
		retention := p.LogRetention
		if retention == "" {
			retention = awslogs.RetentionDays_ONE_MONTH
		}
		// WAF only logs to groups named aws-waf-logs-*.
		name := jsii.String("aws-waf-logs-" + *awscdk.Names_UniqueResourceName(w, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(200)}))
		w.LogGroup = awslogs.NewLogGroup(w, jsii.String("Logs"), compliance.LogGroupProps(w, compliance.Of(w, p.Compliance), retention, name))
	}
	awswafv2.NewCfnLoggingConfiguration(w, jsii.String("Logging"), &awswafv2.CfnLoggingConfigurationProps{
		ResourceArn: w.CfnWebACL.AttrArn(),
		LogDestinationConfigs: &[]interface{}{awscdk.Stack_Of(w).FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: w.LogGroup.LogGroupName(),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
	})
}

// Associate attaches the web ACL to an API Gateway stage (one ACL may guard
// several stages) and returns the association.
func (w *SizeLimitedWebAcl) Associate(stage awsapigateway.IStage) awswafv2.CfnWebACLAssociation {
	if stage == nil {
		propcheck.Fail(fmt.Errorf("SizeLimitedWebAcl %q: Associate(nil); allowed: an API Gateway stage, e.g. api.DeploymentStage() or a StreamingRestApi's Stage. "+
			"Fix: pass the stage (an imported API has none here: associate the ACL in the stack that owns the stage)", *w.Node().Path()))
	}
	w.associations++
	id := "Association"
	if w.associations > 1 {
		id += strconv.Itoa(w.associations)
	}
	a := awswafv2.NewCfnWebACLAssociation(w, jsii.String(id), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: StageArn(stage),
		WebAclArn:   w.CfnWebACL.AttrArn(),
	})
	// The stage must exist before it can be associated: the ARN refers to
	// the stage's name, which orders them already unless the name is a
	// literal (a stage made elsewhere), where an explicit DependsOn would
	// otherwise be redundant (cfn-lint W3005).
	if !*awscdk.Token_IsUnresolved(stage.StageName()) {
		a.Node().AddDependency(stage)
	}
	return a
}

// StageArn is the ARN WAF associates with: arn:${Partition}:apigateway:${Region}::/restapis/${ApiId}/stages/${StageName}.
func StageArn(stage awsapigateway.IStage) *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":apigateway:"), awscdk.Aws_REGION(),
		jsii.String("::/restapis/"), stage.RestApi().RestApiId(), jsii.String("/stages/"), stage.StageName(),
	})
}

func validate(p *propcheck.Problems, sp *SizeLimitedWebAclProps, prefix string) (limit int64, inspection InspectionLimit) {
	switch {
	case sp.MaxBodySize == nil:
		p.Add("MaxBodySize", "unset", "1 byte to 10 MB (API Gateway's cap)", "set the largest request body the API accepts, e.g. awscdk.Size_Kibibytes(jsii.Number(64))")
		return 0, ""
	case *sp.MaxBodySize.IsUnresolved():
		p.Add("MaxBodySize", "a Token", "a size known at synth time: the rules are built from it", "use a literal size")
		return 0, ""
	}
	limit = int64(*sp.MaxBodySize.ToBytes(nil))
	if limit <= 0 || limit > MaxApiGatewayPayload {
		p.Add("MaxBodySize", fmt.Sprintf("%d bytes", limit), "1 byte to 10 MB (10485760 bytes, API Gateway's cap)",
			"set a positive limit of at most 10 MB; larger files go straight to S3 with presigned URLs")
	}
	inspection = sp.InspectionLimit
	switch inspection {
	case "":
		inspection = KB64
		for _, l := range []InspectionLimit{KB16, KB32, KB48, KB64} {
			if limit <= l.Bytes() {
				inspection = l
				break
			}
		}
	case KB16, KB32, KB48, KB64:
		if limit <= KB64.Bytes() && inspection.Bytes() < limit {
			p.Add("InspectionLimit", string(inspection), fmt.Sprintf("at least the %d-byte MaxBodySize: a smaller one refuses legal bodies", limit),
				"leave InspectionLimit unset (the smallest covering limit is chosen) or raise it")
		}
	default:
		p.Add("InspectionLimit", fmt.Sprintf("%q", inspection), "KB_16, KB_32, KB_48 or KB_64", "use one of the wafsize.KB* constants")
	}
	if r := sp.RateLimit; r != nil && !*awscdk.Token_IsUnresolved(r) && (*r < 10 || *r > 2e9 || *r != math.Trunc(*r)) {
		p.Add("RateLimit", fmt.Sprint(*r), "a whole number of requests per IP in 5 minutes, 10 to 2,000,000,000", "set a whole number in that range")
	}
	if sp.LogGroup != nil {
		if name, known := logGroupName(sp.LogGroup); known && !strings.HasPrefix(name, "aws-waf-logs-") {
			value := fmt.Sprintf("%q", name)
			if name == "" {
				value = "a group without LogGroupName (CloudFormation names it, never aws-waf-logs-...)"
			}
			p.Add("LogGroup", value, `a log group whose name starts with "aws-waf-logs-" (WAF logs to no other)`,
				"create it with LogGroupName: jsii.String(\"aws-waf-logs-...\"), or leave LogGroup unset")
		}
	}
	if sp.MetricPrefix != nil && propcheck.Resolved(sp.MetricPrefix) && !metricName.MatchString(*sp.MetricPrefix) {
		p.Add("MetricPrefix", fmt.Sprintf("%q", *sp.MetricPrefix), "1 to 128 letters, digits and _ # : . - / (WAF's metric names), no spaces",
			"use a prefix like \"UploadsWaf\"")
	} else if longest := longestRuleName(sp); propcheck.Resolved(prefix) && len(prefix)+len(longest) > 128 {
		// A rule's metric name is the prefix and the rule's name, at most
		// 128 characters in all (VisibilityConfig.MetricName).
		field, fix := "MetricPrefix", "use a shorter prefix"
		if sp.MetricPrefix == nil {
			field, fix = "id", "set a shorter MetricPrefix (the id is the default)"
		}
		p.Add(field, fmt.Sprintf("%d characters long", len(prefix)), fmt.Sprintf("at most %d, so that the prefix and the longest rule name (%s) fit WAF's 128-character metric names",
			128-len(longest), longest), fix)
	}
	return limit, inspection
}

// longestRuleName is the longest name of the ACL's rules, which its
// metric prefix must leave room for.
func longestRuleName(sp *SizeLimitedWebAclProps) string {
	if sp.CommonRuleSet != nil && *sp.CommonRuleSet {
		return RuleCommon
	}
	return RuleContentLength // longer than RuleBodySize and RuleRateLimit
}

// metricName is what WAF allows in a metric name (a rule's name is added).
var metricName = regexp.MustCompile(`^[A-Za-z0-9_#:./-]{1,128}$`)

// logGroupName is the name of g when synth can know it: a literal name, or
// "" for a group defined in this app without one (CloudFormation makes a
// name up); known is false for imported groups named by a Token.
func logGroupName(g awslogs.ILogGroup) (name string, known bool) {
	if n := g.LogGroupName(); n != nil && !*awscdk.Token_IsUnresolved(n) {
		return *n, true
	}
	if c, ok := g.Node().DefaultChild().(awslogs.CfnLogGroup); ok {
		// A literal name resolves to itself; an unnamed group's physical-name
		// Token resolves to nothing unless another environment refers to it.
		switch r := awscdk.Stack_Of(c).Resolve(c.LogGroupName()).(type) {
		case string:
			return r, true
		case nil:
			return "", true
		}
	}
	return "", false
}

// blocked is a custom answer: its status and body (a key of
// CustomResponseBodies).
type blocked struct {
	status  float64
	bodyKey string
}

var (
	// tooLarge answers a body over the limit.
	tooLarge = blocked{413, ResponseBodyKey}
	// tooMany answers a client over the rate limit.
	tooMany = blocked{429, RateLimitResponseBodyKey}
)

// blockRule blocks what statement matches with the answer how, which
// carries answer's CORS headers.
func blockRule(name, prefix string, priority int, how blocked, answer cors413, statement *awswafv2.CfnWebACL_StatementProperty) *awswafv2.CfnWebACL_RuleProperty {
	response := &awswafv2.CfnWebACL_CustomResponseProperty{ResponseCode: jsii.Number(how.status), CustomResponseBodyKey: jsii.String(how.bodyKey)}
	if answer.origin != "" {
		// A custom response's header names are sent as written (only
		// inserted request headers get the x-amzn-waf- prefix):
		// https://docs.aws.amazon.com/waf/latest/APIReference/API_CustomHTTPHeader.html
		headers := []interface{}{&awswafv2.CfnWebACL_CustomHTTPHeaderProperty{
			Name: jsii.String("Access-Control-Allow-Origin"), Value: jsii.String(answer.origin)}}
		if answer.credentials {
			headers = append(headers, &awswafv2.CfnWebACL_CustomHTTPHeaderProperty{
				Name: jsii.String("Access-Control-Allow-Credentials"), Value: jsii.String("true")})
		}
		response.ResponseHeaders = headers
	}
	return &awswafv2.CfnWebACL_RuleProperty{
		Name:             jsii.String(name),
		Priority:         jsii.Number(float64(priority)),
		Statement:        statement,
		Action:           &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{CustomResponse: response}},
		VisibilityConfig: visibility(prefix + name),
	}
}

// cors413 is the 413's CORS headers: Access-Control-Allow-Origin (origin;
// "" for none) and, with credentials, Access-Control-Allow-Credentials.
type cors413 struct {
	origin      string
	credentials bool
}

// corsAnswer is the 413's CORS for c: its one origin, "*" for several or
// for any, none without CORS; credentials only with one exact origin.
func corsAnswer(p *propcheck.Problems, c *awsapigateway.CorsOptions) cors413 {
	origins := p.CheckCors("Cors", c, propcheck.CorsFields{AnyOrigin: true, Credentials: true,
		Why: "the web ACL's 413 names the origins that may read it, and nothing else (the API's CORS keeps the other settings)"})
	if len(origins) == 0 {
		return cors413{}
	}
	// A WAF header is a literal: where the answer should name the
	// request's own origin, the 413 says "*", which a credentialed request
	// cannot read.
	origin, credentials := propcheck.AllowOrigin(c)
	if origin == "" {
		origin = cors.AnyOrigin
		if credentials {
			p.Add("Cors.AllowCredentials", fmt.Sprintf("true with AllowOrigins %q", origins),
				"one exact origin: WAF's 413 carries literal headers, and a credentialed request needs its own origin named there",
				"make a SizeLimitedWebAcl per origin, or drop AllowCredentials (a page that fetches with credentials then cannot read the 413)")
		}
	}
	return cors413{origin: origin, credentials: credentials}
}

func visibility(metric string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
	return &awswafv2.CfnWebACL_VisibilityConfigProperty{
		CloudWatchMetricsEnabled: jsii.Bool(true),
		MetricName:               jsii.String(metric),
		SampledRequestsEnabled:   jsii.Bool(true),
	}
}

func noTransformation() []interface{} {
	return []interface{}{&awswafv2.CfnWebACL_TextTransformationProperty{Priority: jsii.Number(0), Type: jsii.String("NONE")}}
}

// contentLengthOver matches a Content-Length header whose value is a number
// above limit: more digits than the limit has, or as many digits and a
// larger value (regexes of at most MaxRegexLength characters).
func contentLengthOver(limit int64) *awswafv2.CfnWebACL_StatementProperty {
	// SingleHeader is a JSON-typed property: CloudFormation's own casing.
	header := &awswafv2.CfnWebACL_FieldToMatchProperty{SingleHeader: map[string]interface{}{"Name": "content-length"}}
	digits := len(strconv.FormatInt(limit, 10))
	statements := []interface{}{&awswafv2.CfnWebACL_StatementProperty{
		SizeConstraintStatement: &awswafv2.CfnWebACL_SizeConstraintStatementProperty{
			ComparisonOperator: jsii.String("GT"), Size: jsii.Number(float64(digits)),
			FieldToMatch: header, TextTransformations: noTransformation(),
		},
	}}
	for _, re := range GreaterThanRegexes(limit, MaxRegexLength) {
		statements = append(statements, &awswafv2.CfnWebACL_StatementProperty{
			RegexMatchStatement: &awswafv2.CfnWebACL_RegexMatchStatementProperty{
				RegexString: jsii.String(re), FieldToMatch: header, TextTransformations: noTransformation(),
			},
		})
	}
	if len(statements) == 1 {
		return statements[0].(*awswafv2.CfnWebACL_StatementProperty)
	}
	return &awswafv2.CfnWebACL_StatementProperty{OrStatement: &awswafv2.CfnWebACL_OrStatementProperty{Statements: statements}}
}
