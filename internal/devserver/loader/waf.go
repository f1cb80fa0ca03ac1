package loader

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/streamgate/streamgate/internal/assembly"
)

// WebACL is an AWS::WAFv2::WebACL associated with an API's stage, read
// into what the runner evaluates before a request reaches API Gateway's
// guards. Statements the runner cannot evaluate stay in the model as
// WAFNotEvaluated, never match, and are listed in NotEvaluated.
type WebACL struct {
	Stack, LogicalID string
	// Name is the ACL's Name, else its logical id (CloudFormation would
	// make one up); it prefixes the labels of its rules.
	Name string
	// DefaultAction is ALLOW or BLOCK.
	DefaultAction *WAFAction
	// Rules in the order WAF evaluates them: by Priority, lowest first.
	Rules []*WAFRule
	// BodyLimit is how many bytes of a body WAF inspects: the
	// AssociationConfig's API_GATEWAY DefaultSizeInspectionLimit, 16 KB
	// when unset
	// (https://docs.aws.amazon.com/waf/latest/APIReference/API_Body.html).
	BodyLimit int
	// ResponseBodies are the CustomResponseBodies by key.
	ResponseBodies map[string]WAFResponseBody
	// NotEvaluated says what of the ACL the runner does not evaluate:
	// "AWSManagedRulesCommonRuleSet (managed rule group)".
	NotEvaluated []string
}

// WAFResponseBody is one of a web ACL's CustomResponseBodies.
type WAFResponseBody struct {
	ContentType string // the HTTP Content-Type: text/plain, text/html, application/json
	Content     string
}

// WAFRule is one rule of a web ACL.
type WAFRule struct {
	Name     string
	Priority int
	// Action is the rule's action; for a rule group's rule (which has an
	// OverrideAction instead), COUNT when the override is Count, else nil.
	Action    *WAFAction
	Statement *WAFStatement
	// Labels are the RuleLabels' names, added to a request the rule matches.
	Labels []string
}

// WAFAction is a rule's action or a web ACL's default action.
type WAFAction struct {
	Type string // ALLOW, BLOCK, COUNT, CAPTCHA, CHALLENGE
	// Status, BodyKey and ResponseHeaders are a Block's CustomResponse
	// (Status 0: WAF's default block answer).
	Status          int
	BodyKey         string
	ResponseHeaders []WAFHeader
	// InsertHeaders are an Allow's or Count's CustomRequestHandling:
	// headers WAF adds to the request it lets through.
	InsertHeaders []WAFHeader
}

// WAFHeader is a header name and value.
type WAFHeader struct{ Name, Value string }

// Statement types the runner evaluates.
const (
	WAFSizeConstraint = "SizeConstraint"
	WAFByteMatch      = "ByteMatch"
	WAFRegexMatch     = "RegexMatch" // RegexMatchStatement and RegexPatternSetReferenceStatement
	WAFIPSet          = "IPSet"
	WAFGeoMatch       = "GeoMatch"
	WAFRateBased      = "RateBased"
	WAFLabelMatch     = "LabelMatch"
	WAFAnd            = "And"
	WAFOr             = "Or"
	WAFNot            = "Not"
	// WAFNotEvaluated never matches; Why says what it is.
	WAFNotEvaluated = "NotEvaluated"
)

// WAFStatement is one statement of a rule, nested statements included.
type WAFStatement struct {
	Type  string
	Field *WAFField
	// Transformations are the TextTransformations' types, by priority.
	Transformations []string
	// SizeConstraint: Comparison (EQ, NE, LE, LT, GE, GT) and Size.
	Comparison string
	Size       int64
	// ByteMatch: Search and Positional (EXACTLY, STARTS_WITH, ENDS_WITH,
	// CONTAINS, CONTAINS_WORD).
	Search     []byte
	Positional string
	// RegexMatch: one pattern, or those of a regex pattern set (any matches).
	Regexes []*regexp.Regexp
	// IPSet: the set's addresses.
	Prefixes []netip.Prefix
	// GeoMatch: the country codes.
	Countries []string
	// Forwarded is the ForwardedIPConfig (or IPSetForwardedIPConfig); nil:
	// the address the request came from.
	Forwarded *WAFForwardedIP
	// RateBased: Limit requests per WindowSec, counted per AggregateKey
	// (IP, FORWARDED_IP, CONSTANT) among those that match ScopeDown.
	Limit        int64
	WindowSec    int
	AggregateKey string
	ScopeDown    *WAFStatement
	// LabelMatch: LabelScope (LABEL, NAMESPACE) and LabelKey.
	LabelScope, LabelKey string
	// And, Or, Not: the nested statements.
	Statements []*WAFStatement
	// Why a WAFNotEvaluated statement is not evaluated.
	Why string
}

// WAFField is a statement's FieldToMatch.
type WAFField struct {
	// Type is UriPath, QueryString, SingleHeader, SingleQueryArgument,
	// AllQueryArguments, Method, Body, Headers or Cookies.
	Type string
	// Name of a SingleHeader (lower case) or SingleQueryArgument.
	Name string
	// Oversize is the OversizeHandling of a Body: CONTINUE, MATCH, NO_MATCH.
	Oversize string
	// MatchScope (ALL, KEY, VALUE) and the MatchPattern of Headers and
	// Cookies: every one, or those Included, or all but those Excluded.
	MatchScope         string
	Included, Excluded []string
}

// WAFForwardedIP is where a statement reads the client's address instead
// of the connection's: the first address in Header (Position FIRST, LAST
// or ANY for an IP set), with Fallback (MATCH, NO_MATCH) when the header
// is missing or not an address.
type WAFForwardedIP struct{ Header, Fallback, Position string }

// wafTransformations are WAF's text transformation types; the runner
// applies those marked true, and the others as NONE (with a notice)
// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-transformation.html).
var wafTransformations = map[string]bool{
	"NONE": true, "LOWERCASE": true, "COMPRESS_WHITE_SPACE": true, "HTML_ENTITY_DECODE": true, "URL_DECODE": true, "URL_DECODE_UNI": true,
	"BASE64_DECODE": true, "BASE64_DECODE_EXT": true, "HEX_DECODE": true, "MD5": true, "REMOVE_NULLS": true, "REPLACE_NULLS": true,
	"NORMALIZE_PATH": true, "NORMALIZE_PATH_WIN": true, "CMD_LINE": true,
	"REPLACE_COMMENTS": false, "ESCAPE_SEQ_DECODE": false, "SQL_HEX_DECODE": false, "CSS_DECODE": false, "JS_DECODE": false, "UTF8_TO_UNICODE": false,
}

// wafInspectionLimits are the body inspection limits WAF offers for API
// Gateway (AssociationConfig RequestBody API_GATEWAY).
var wafInspectionLimits = map[string]int{"KB_16": 16 << 10, "KB_32": 32 << 10, "KB_48": 48 << 10, "KB_64": 64 << 10}

// wafParser reads one web ACL; problems name the ACL and the rule.
type wafParser struct {
	acl  *WebACL
	res  map[string]cfnResource
	rule string
}

func (p *wafParser) errorf(format string, args ...any) error {
	where := fmt.Sprintf("%s/%s: WAF web ACL", p.acl.Stack, p.acl.LogicalID)
	if p.rule != "" {
		where += fmt.Sprintf(", rule %q", p.rule)
	}
	return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
}

func (p *wafParser) notEvaluated(what string) *WAFStatement {
	p.acl.NotEvaluated = append(p.acl.NotEvaluated, fmt.Sprintf("%s (%s)", p.rule, what))
	return &WAFStatement{Type: WAFNotEvaluated, Why: what}
}

// loadWebACL reads the web ACL id of stack; a malformed rule is an error
// naming it.
func loadWebACL(stack, id string, res map[string]cfnResource) (*WebACL, error) {
	r := res[id]
	acl := &WebACL{Stack: stack, LogicalID: id, Name: str(r.Properties["Name"]), BodyLimit: 16 << 10, ResponseBodies: map[string]WAFResponseBody{}}
	if acl.Name == "" {
		acl.Name = id
	}
	p := &wafParser{acl: acl, res: res}
	if err := p.settings(r); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, raw := range list(r.Properties["Rules"]) {
		rule, err := p.readRule(i, raw, seen)
		if err != nil {
			return nil, err
		}
		acl.Rules = append(acl.Rules, rule)
	}
	p.rule = ""
	sort.SliceStable(acl.Rules, func(i, j int) bool { return acl.Rules[i].Priority < acl.Rules[j].Priority })
	for i := 1; i < len(acl.Rules); i++ {
		if acl.Rules[i].Priority == acl.Rules[i-1].Priority {
			return nil, p.errorf("rules %q and %q have the same Priority %d; WAF requires unique priorities", acl.Rules[i-1].Name, acl.Rules[i].Name, acl.Rules[i].Priority)
		}
	}
	return acl, nil
}

// settings reads what the web ACL sets besides its rules: the body
// inspection limit for API Gateway, the custom response bodies and the
// default action (Allow or Block).
func (p *wafParser) settings(r cfnResource) error {
	acl := p.acl
	if lim := assembly.Get(r.Properties, "AssociationConfig", "RequestBody", "API_GATEWAY", "DefaultSizeInspectionLimit"); lim != nil {
		n, ok := wafInspectionLimits[str(lim)]
		if !ok {
			return p.errorf("AssociationConfig DefaultSizeInspectionLimit %v; allowed: KB_16, KB_32, KB_48, KB_64", lim)
		}
		acl.BodyLimit = n
	}
	if bodies, ok := r.Properties["CustomResponseBodies"].(map[string]any); ok {
		for key, b := range bodies {
			ct := map[string]string{"TEXT_PLAIN": "text/plain", "TEXT_HTML": "text/html", "APPLICATION_JSON": "application/json"}[str(assembly.Get(b, "ContentType"))]
			if ct == "" {
				return p.errorf("custom response body %q: ContentType %v; allowed: TEXT_PLAIN, TEXT_HTML, APPLICATION_JSON", key, assembly.Get(b, "ContentType"))
			}
			acl.ResponseBodies[key] = WAFResponseBody{ContentType: ct, Content: str(assembly.Get(b, "Content"))}
		}
	}
	var err error
	if acl.DefaultAction, err = p.action(r.Properties["DefaultAction"], "default action"); err != nil {
		return err
	}
	if t := acl.DefaultAction.Type; t != "ALLOW" && t != "BLOCK" {
		return p.errorf("DefaultAction %s; allowed: Allow or Block", t)
	}
	return nil
}

// readRule reads the i-th rule: a unique name, its priority, labels, action
// (or a rule group's OverrideAction) and statement.
func (p *wafParser) readRule(i int, raw any, seen map[string]bool) (*WAFRule, error) {
	rm, ok := raw.(map[string]any)
	if !ok {
		return nil, p.errorf("Rules[%d] is not an object", i)
	}
	rule := &WAFRule{Name: str(rm["Name"])}
	if rule.Name == "" {
		rule.Name = fmt.Sprintf("Rules[%d]", i)
	}
	p.rule = rule.Name
	if seen[rule.Name] {
		return nil, p.errorf("two rules have this name; WAF requires unique rule names")
	}
	seen[rule.Name] = true
	prio, ok := num(rm["Priority"])
	if !ok {
		return nil, p.errorf("Priority %v is not a number", rm["Priority"])
	}
	rule.Priority = int(prio)
	for _, l := range list(rm["RuleLabels"]) {
		if name := str(assembly.Get(l, "Name")); name != "" {
			rule.Labels = append(rule.Labels, name)
		}
	}
	var err error
	switch {
	case rm["Action"] != nil:
		if rule.Action, err = p.action(rm["Action"], "action"); err != nil {
			return nil, err
		}
	case rm["OverrideAction"] != nil:
		if assembly.Get(rm["OverrideAction"], "Count") != nil {
			rule.Action = &WAFAction{Type: "COUNT"}
		}
	default:
		return nil, p.errorf("neither Action nor OverrideAction")
	}
	if rule.Statement, err = p.statement(rm["Statement"], 0); err != nil {
		return nil, err
	}
	if rule.Action == nil && !isGroup(rm["Statement"]) {
		return nil, p.errorf("OverrideAction is for rule group statements; this rule needs an Action")
	}
	return rule, nil
}

func isGroup(v any) bool {
	m, _ := v.(map[string]any)
	return m["ManagedRuleGroupStatement"] != nil || m["RuleGroupReferenceStatement"] != nil
}

// action reads a RuleAction or DefaultAction: exactly one of Allow, Block,
// Count, Captcha, Challenge.
func (p *wafParser) action(v any, what string) (*WAFAction, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, p.errorf("%s %v; want exactly one of Allow, Block, Count, Captcha, Challenge", what, v)
	}
	for k, body := range m {
		a := &WAFAction{Type: strings.ToUpper(k)}
		switch k {
		case "Allow", "Count", "Captcha", "Challenge":
			for _, h := range list(assembly.Get(body, "CustomRequestHandling", "InsertHeaders")) {
				a.InsertHeaders = append(a.InsertHeaders, WAFHeader{str(assembly.Get(h, "Name")), str(assembly.Get(h, "Value"))})
			}
		case "Block":
			cr := assembly.Get(body, "CustomResponse")
			if cr == nil {
				break
			}
			code, ok := num(assembly.Get(cr, "ResponseCode"))
			if !ok || code < 200 || code > 599 {
				return nil, p.errorf("%s: CustomResponse ResponseCode %v; allowed: 200 to 599", what, assembly.Get(cr, "ResponseCode"))
			}
			a.Status = int(code)
			a.BodyKey = str(assembly.Get(cr, "CustomResponseBodyKey"))
			if _, ok := p.acl.ResponseBodies[a.BodyKey]; a.BodyKey != "" && !ok {
				return nil, p.errorf("%s: CustomResponseBodyKey %q is not one of the ACL's CustomResponseBodies", what, a.BodyKey)
			}
			for _, h := range list(assembly.Get(cr, "ResponseHeaders")) {
				a.ResponseHeaders = append(a.ResponseHeaders, WAFHeader{str(assembly.Get(h, "Name")), str(assembly.Get(h, "Value"))})
			}
		default:
			return nil, p.errorf("%s %q; want one of Allow, Block, Count, Captcha, Challenge", what, k)
		}
		return a, nil
	}
	return nil, nil
}

// statement reads a Statement: exactly one kind of statement, each read
// by its own function.
func (p *wafParser) statement(v any, depth int) (*WAFStatement, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, p.errorf("a Statement must hold exactly one statement, got %s", keys(v))
	}
	if depth > 20 {
		return nil, p.errorf("statements nested more than 20 deep")
	}
	for kind, body := range m {
		b, ok := body.(map[string]any)
		if !ok {
			return nil, p.errorf("%s is not an object", kind)
		}
		switch kind {
		case "SizeConstraintStatement":
			return p.sizeConstraint(b, kind)
		case "ByteMatchStatement":
			return p.byteMatch(b, kind)
		case "RegexMatchStatement":
			return p.regexMatch(b, kind)
		case "RegexPatternSetReferenceStatement":
			return p.regexPatternSet(b, kind)
		case "IPSetReferenceStatement":
			return p.ipSet(b)
		case "GeoMatchStatement":
			return p.geoMatch(b)
		case "RateBasedStatement":
			return p.rateBased(b, depth)
		case "LabelMatchStatement":
			return p.labelMatch(b)
		case "AndStatement", "OrStatement":
			return p.logical(b, kind, depth)
		case "NotStatement":
			c, err := p.statement(b["Statement"], depth+1)
			if err != nil {
				return nil, err
			}
			return &WAFStatement{Type: WAFNot, Statements: []*WAFStatement{c}}, nil
		case "ManagedRuleGroupStatement":
			return p.notEvaluated(fmt.Sprintf("managed rule group %s/%s: not evaluated locally, matches nothing", str(b["VendorName"]), str(b["Name"]))), nil
		case "RuleGroupReferenceStatement":
			return p.notEvaluated(fmt.Sprintf("rule group %s: not evaluated locally, matches nothing", arnText(b["Arn"]))), nil
		case "SqliMatchStatement", "XssMatchStatement", "AsnMatchStatement":
			return p.notEvaluated(fmt.Sprintf("%s: not evaluated locally, matches nothing", kind)), nil
		default:
			return nil, p.errorf("unknown statement %q", kind)
		}
	}
	return nil, nil
}

// sizeConstraint reads a SizeConstraintStatement.
func (p *wafParser) sizeConstraint(b map[string]any, kind string) (*WAFStatement, error) {
	s := &WAFStatement{Type: WAFSizeConstraint, Comparison: str(b["ComparisonOperator"])}
	if !slices.Contains([]string{"EQ", "NE", "LE", "LT", "GE", "GT"}, s.Comparison) {
		return nil, p.errorf("SizeConstraintStatement ComparisonOperator %q; allowed: EQ, NE, LE, LT, GE, GT", s.Comparison)
	}
	size, ok := num(b["Size"])
	if !ok || size < 0 {
		return nil, p.errorf("SizeConstraintStatement Size %v; allowed: 0 to 21474836480", b["Size"])
	}
	s.Size = int64(size)
	return p.inspecting(s, b, kind)
}

// byteMatch reads a ByteMatchStatement: its search string, as text or
// base64.
func (p *wafParser) byteMatch(b map[string]any, kind string) (*WAFStatement, error) {
	s := &WAFStatement{Type: WAFByteMatch, Positional: str(b["PositionalConstraint"])}
	if !slices.Contains([]string{"EXACTLY", "STARTS_WITH", "ENDS_WITH", "CONTAINS", "CONTAINS_WORD"}, s.Positional) {
		return nil, p.errorf("ByteMatchStatement PositionalConstraint %q; allowed: EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS, CONTAINS_WORD", s.Positional)
	}
	switch {
	case b["SearchString"] != nil:
		s.Search = []byte(str(b["SearchString"]))
	case b["SearchStringBase64"] != nil:
		dec, err := base64.StdEncoding.DecodeString(str(b["SearchStringBase64"]))
		if err != nil {
			return nil, p.errorf("ByteMatchStatement SearchStringBase64 is not base64: %v", err)
		}
		s.Search = dec
	default:
		return nil, p.errorf("ByteMatchStatement without SearchString or SearchStringBase64")
	}
	return p.inspecting(s, b, kind)
}

// regexMatch reads a RegexMatchStatement.
func (p *wafParser) regexMatch(b map[string]any, kind string) (*WAFStatement, error) {
	re, err := regexp.Compile(str(b["RegexString"]))
	if err != nil || str(b["RegexString"]) == "" {
		return nil, p.errorf("RegexMatchStatement RegexString %q does not compile: %v", str(b["RegexString"]), err)
	}
	return p.inspecting(&WAFStatement{Type: WAFRegexMatch, Regexes: []*regexp.Regexp{re}}, b, kind)
}

// regexPatternSet reads a RegexPatternSetReferenceStatement, whose set
// must be in the template to be evaluated.
func (p *wafParser) regexPatternSet(b map[string]any, kind string) (*WAFStatement, error) {
	set := p.referenced(b["Arn"], "AWS::WAFv2::RegexPatternSet")
	if set == nil {
		return p.notEvaluated(fmt.Sprintf("regex pattern set %s is not in this template", arnText(b["Arn"]))), nil
	}
	s := &WAFStatement{Type: WAFRegexMatch}
	for _, pat := range strs(set.Properties["RegularExpressionList"]) {
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, p.errorf("regex pattern set %s: %q does not compile: %v", assembly.GetAtt(b["Arn"]), pat, err)
		}
		s.Regexes = append(s.Regexes, re)
	}
	return p.inspecting(s, b, kind)
}

// ipSet reads an IPSetReferenceStatement, whose set must be in the
// template to be evaluated.
func (p *wafParser) ipSet(b map[string]any) (*WAFStatement, error) {
	set := p.referenced(b["Arn"], "AWS::WAFv2::IPSet")
	if set == nil {
		return p.notEvaluated(fmt.Sprintf("IP set %s is not in this template", arnText(b["Arn"]))), nil
	}
	s := &WAFStatement{Type: WAFIPSet}
	for _, a := range strs(set.Properties["Addresses"]) {
		pfx, err := netip.ParsePrefix(a)
		if err != nil {
			return nil, p.errorf("IP set %s: address %q is not in CIDR notation (192.0.2.44/32): %v", assembly.GetAtt(b["Arn"]), a, err)
		}
		s.Prefixes = append(s.Prefixes, pfx.Masked())
	}
	return p.withForwarded(s, b["IPSetForwardedIPConfig"], true)
}

// geoMatch reads a GeoMatchStatement.
func (p *wafParser) geoMatch(b map[string]any) (*WAFStatement, error) {
	s := &WAFStatement{Type: WAFGeoMatch, Countries: strs(b["CountryCodes"])}
	if len(s.Countries) == 0 {
		return nil, p.errorf("GeoMatchStatement without CountryCodes")
	}
	return p.withForwarded(s, b["ForwardedIPConfig"], false)
}

// withForwarded is s with the client address taken from the header a
// ForwardedIPConfig (f, when set) names.
func (p *wafParser) withForwarded(s *WAFStatement, f any, ipSet bool) (*WAFStatement, error) {
	if f == nil {
		return s, nil
	}
	var err error
	if s.Forwarded, err = p.forwarded(f, ipSet); err != nil {
		return nil, err
	}
	return s, nil
}

// labelMatch reads a LabelMatchStatement.
func (p *wafParser) labelMatch(b map[string]any) (*WAFStatement, error) {
	s := &WAFStatement{Type: WAFLabelMatch, LabelScope: str(b["Scope"]), LabelKey: str(b["Key"])}
	if s.LabelScope != "LABEL" && s.LabelScope != "NAMESPACE" || s.LabelKey == "" {
		return nil, p.errorf("LabelMatchStatement Scope %q Key %q; want Scope LABEL or NAMESPACE and a Key", s.LabelScope, s.LabelKey)
	}
	return s, nil
}

// logical reads an AndStatement or an OrStatement: two statements or
// more.
func (p *wafParser) logical(b map[string]any, kind string, depth int) (*WAFStatement, error) {
	s := &WAFStatement{Type: WAFAnd}
	if kind == "OrStatement" {
		s.Type = WAFOr
	}
	subs := list(b["Statements"])
	if len(subs) < 2 {
		return nil, p.errorf("%s needs at least two Statements, has %d", kind, len(subs))
	}
	for _, sub := range subs {
		c, err := p.statement(sub, depth+1)
		if err != nil {
			return nil, err
		}
		s.Statements = append(s.Statements, c)
	}
	return s, nil
}

// rateBased reads a RateBasedStatement
// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
func (p *wafParser) rateBased(b map[string]any, depth int) (*WAFStatement, error) {
	s := &WAFStatement{Type: WAFRateBased, AggregateKey: str(b["AggregateKeyType"]), WindowSec: 300}
	limit, ok := num(b["Limit"])
	if !ok || limit < 10 || limit > 2e9 {
		return nil, p.errorf("RateBasedStatement Limit %v; allowed: 10 to 2,000,000,000", b["Limit"])
	}
	s.Limit = int64(limit)
	if w := b["EvaluationWindowSec"]; w != nil {
		n, _ := num(w)
		if n != 60 && n != 120 && n != 300 && n != 600 {
			return nil, p.errorf("RateBasedStatement EvaluationWindowSec %v; allowed: 60, 120, 300, 600", w)
		}
		s.WindowSec = int(n)
	}
	if depth > 0 {
		return nil, p.errorf("a RateBasedStatement cannot be nested in another statement")
	}
	switch s.AggregateKey {
	case "IP", "CONSTANT":
	case "FORWARDED_IP":
		f, err := p.forwarded(b["ForwardedIPConfig"], false)
		if err != nil {
			return nil, err
		}
		s.Forwarded = f
	case "CUSTOM_KEYS":
		return p.notEvaluated("rate-based statement with CUSTOM_KEYS: not evaluated locally, matches nothing"), nil
	default:
		return nil, p.errorf("RateBasedStatement AggregateKeyType %q; allowed: IP, FORWARDED_IP, CONSTANT, CUSTOM_KEYS", s.AggregateKey)
	}
	if sd := b["ScopeDownStatement"]; sd != nil {
		c, err := p.statement(sd, depth+1)
		if err != nil {
			return nil, err
		}
		s.ScopeDown = c
	} else if s.AggregateKey == "CONSTANT" {
		return nil, p.errorf("RateBasedStatement with AggregateKeyType CONSTANT needs a ScopeDownStatement")
	}
	return s, nil
}

// forwarded reads a ForwardedIPConfig (with Position for an IP set's).
func (p *wafParser) forwarded(v any, ipSet bool) (*WAFForwardedIP, error) {
	f := &WAFForwardedIP{Header: str(assembly.Get(v, "HeaderName")), Fallback: str(assembly.Get(v, "FallbackBehavior")), Position: "FIRST"}
	if f.Header == "" || f.Fallback != "MATCH" && f.Fallback != "NO_MATCH" {
		return nil, p.errorf("ForwardedIPConfig HeaderName %q FallbackBehavior %q; want a header name and MATCH or NO_MATCH", f.Header, f.Fallback)
	}
	if ipSet {
		f.Position = str(assembly.Get(v, "Position"))
		if f.Position != "FIRST" && f.Position != "LAST" && f.Position != "ANY" {
			return nil, p.errorf("IPSetForwardedIPConfig Position %q; allowed: FIRST, LAST, ANY", f.Position)
		}
	}
	return f, nil
}

// inspecting reads the FieldToMatch and TextTransformations of s.
func (p *wafParser) inspecting(s *WAFStatement, b map[string]any, kind string) (*WAFStatement, error) {
	if err := p.transformations(s, b, kind); err != nil {
		return nil, err
	}
	fm, ok := b["FieldToMatch"].(map[string]any)
	if !ok || len(fm) != 1 {
		return nil, p.errorf("%s: FieldToMatch must name exactly one part of the request, got %s", kind, keys(b["FieldToMatch"]))
	}
	for typ, spec := range fm {
		f, notEvaluated, err := p.field(typ, spec, kind)
		if f == nil {
			return notEvaluated, err
		}
		s.Field = f
	}
	return s, nil
}

// transformations reads the TextTransformations of s in their priority
// order; one the runner does not apply is applied as NONE, and noted.
func (p *wafParser) transformations(s *WAFStatement, b map[string]any, kind string) error {
	tts := list(b["TextTransformations"])
	if len(tts) == 0 {
		return p.errorf("%s without TextTransformations (use one of Type NONE)", kind)
	}
	type tt struct {
		prio int
		typ  string
	}
	var ordered []tt
	for _, t := range tts {
		typ := str(assembly.Get(t, "Type"))
		applied, known := wafTransformations[typ]
		if !known {
			return p.errorf("%s: text transformation %q is not one WAF has", kind, typ)
		}
		if !applied {
			p.acl.NotEvaluated = append(p.acl.NotEvaluated, fmt.Sprintf("%s (text transformation %s: applied as NONE)", p.rule, typ))
			typ = "NONE"
		}
		prio, _ := num(assembly.Get(t, "Priority"))
		ordered = append(ordered, tt{int(prio), typ})
	}
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].prio < ordered[j].prio })
	for _, t := range ordered {
		if t.typ != "NONE" {
			s.Transformations = append(s.Transformations, t.typ)
		}
	}
	return nil
}

// field reads a FieldToMatch of type typ; a part of the request the
// runner does not inspect gives a statement not evaluated instead (f nil).
func (p *wafParser) field(typ string, spec any, kind string) (f *WAFField, notEvaluated *WAFStatement, err error) {
	f = &WAFField{Type: typ}
	switch typ {
	case "UriPath", "QueryString", "AllQueryArguments", "Method":
	case "SingleHeader", "SingleQueryArgument":
		f.Name = str(assembly.Get(spec, "Name"))
		if f.Name == "" {
			return nil, nil, p.errorf("%s: %s without a Name", kind, typ)
		}
		if typ == "SingleHeader" {
			f.Name = strings.ToLower(f.Name)
		}
	case "Body":
		f.Oversize = str(assembly.Get(spec, "OversizeHandling"))
		if f.Oversize == "" {
			f.Oversize = "CONTINUE"
		}
		if f.Oversize != "CONTINUE" && f.Oversize != "MATCH" && f.Oversize != "NO_MATCH" {
			return nil, nil, p.errorf("%s: Body OversizeHandling %q; allowed: CONTINUE, MATCH, NO_MATCH", kind, f.Oversize)
		}
	case "Headers", "Cookies":
		if err := p.matchPattern(f, spec, kind); err != nil {
			return nil, nil, err
		}
	default:
		// JsonBody, HeaderOrder, JA3Fingerprint, JA4Fingerprint, UriFragment.
		return nil, p.notEvaluated(fmt.Sprintf("%s of %s: not evaluated locally, matches nothing", kind, typ)), nil
	}
	return f, nil, nil
}

// matchPattern reads the MatchScope and MatchPattern of a Headers or
// Cookies field (header names in lower case).
func (p *wafParser) matchPattern(f *WAFField, spec any, kind string) error {
	f.MatchScope = str(assembly.Get(spec, "MatchScope"))
	if f.MatchScope != "ALL" && f.MatchScope != "KEY" && f.MatchScope != "VALUE" {
		return p.errorf("%s: %s MatchScope %q; allowed: ALL, KEY, VALUE", kind, f.Type, f.MatchScope)
	}
	pattern := assembly.Get(spec, "MatchPattern")
	incl, excl := "IncludedHeaders", "ExcludedHeaders"
	if f.Type == "Cookies" {
		incl, excl = "IncludedCookies", "ExcludedCookies"
	}
	f.Included, f.Excluded = strs(assembly.Get(pattern, incl)), strs(assembly.Get(pattern, excl))
	if f.Type == "Headers" {
		for i := range f.Included {
			f.Included[i] = strings.ToLower(f.Included[i])
		}
		for i := range f.Excluded {
			f.Excluded[i] = strings.ToLower(f.Excluded[i])
		}
	}
	if assembly.Get(pattern, "All") == nil && len(f.Included) == 0 && len(f.Excluded) == 0 {
		return p.errorf("%s: %s MatchPattern needs All, %s or %s", kind, f.Type, incl, excl)
	}
	return nil
}

// referenced is the resource of type typ that an Arn refers to
// (Fn::GetAtt [Id, Arn]), or nil.
func (p *wafParser) referenced(arn any, typ string) *cfnResource {
	if r, ok := p.res[assembly.GetAtt(arn)]; ok && r.Type == typ {
		return &r
	}
	return nil
}

func arnText(v any) string {
	if id := assembly.GetAtt(v); id != "" {
		return id
	}
	if s := str(v); s != "" {
		return s
	}
	return fmt.Sprint(v)
}

func keys(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("%T", v)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return "[" + strings.Join(ks, " ") + "]"
}

// num is a template number (JSON number or numeric string).
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// Describe is the one-line notice of an associated web ACL: what the
// runner evaluates and what it does not.
func (acl *WebACL) Describe(api *API) string {
	var evaluated []string
	for _, r := range acl.Rules {
		if r.Statement.Type != WAFNotEvaluated {
			evaluated = append(evaluated, r.Name)
		}
	}
	s := fmt.Sprintf("%s/%s: WAF web ACL on %s/%s stage %s: evaluated locally before the guards (body inspection limit %d KB, default action %s): rules %s",
		acl.Stack, acl.LogicalID, api.Stack, api.LogicalID, api.Stage, acl.BodyLimit>>10, acl.DefaultAction.Type, strings.Join(evaluated, ", "))
	if len(evaluated) == 0 {
		s += "none"
	}
	if len(acl.NotEvaluated) > 0 {
		s += "; NOT evaluated: " + strings.Join(acl.NotEvaluated, "; ")
	}
	return s
}
