package devserver

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/netip"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// The web ACL of a stage runs first: "If AWS WAF is enabled for an API,
// AWS WAF rules are evaluated before other access control features, such
// as resource policies, IAM policies, Lambda authorizers, and Amazon
// Cognito authorizers"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html).
// The runner evaluates it on every request of the stage, before the route
// is found, the stage throttles or a guard runs.

// DefaultWAFCountry is the country of every client address locally (geo
// match statements): the runner's functions run in us-east-1
// (Options.WAFCountry sets another).
const DefaultWAFCountry = "US"

// wafEvaluator evaluates one web ACL; it keeps the rate-based rules'
// counts.
type wafEvaluator struct {
	acl     *loader.WebACL
	country string
	now     func() time.Time
	// labelPrefix qualifies the labels of the ACL's rules:
	// awswaf:<account>:webacl:<name>:
	// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-labels.html).
	labelPrefix string

	mu    sync.Mutex
	rates map[*loader.WAFStatement]map[string]*rateWindow
}

func newWAFEvaluator(acl *loader.WebACL, o Options) *wafEvaluator {
	if acl == nil || o.SkipWAF {
		return nil
	}
	country := strings.ToUpper(o.WAFCountry)
	if country == "" {
		country = DefaultWAFCountry
	}
	return &wafEvaluator{acl: acl, country: country, now: time.Now,
		labelPrefix: "awswaf:" + localAccountID + ":webacl:" + acl.Name + ":", rates: map[*loader.WAFStatement]map[string]*rateWindow{}}
}

// wafVerdict is what the web ACL decided for a request.
type wafVerdict struct {
	// Action is the terminating rule's action, or the default action.
	Action *loader.WAFAction
	// Rule is the terminating rule; nil: the default action applied.
	Rule *loader.WAFRule
	// Counted are the rules that matched with Count.
	Counted []*loader.WAFRule
	// Labels are the fully qualified labels the matching rules added.
	Labels []string
	// Insert are the headers to add to the request (Allow and Count's
	// custom request handling).
	Insert []loader.WAFHeader
}

// blocked reports whether the request goes no further.
func (v *wafVerdict) blocked() bool { return v.Action.Type != "ALLOW" }

// String is what the log and the page show: "Block by BodyOverLimit
// (priority 0)", "Count by Probe (priority 1); Allow (default action)".
func (v *wafVerdict) String() string {
	var parts []string
	for _, r := range v.Counted {
		parts = append(parts, fmt.Sprintf("Count by %s (priority %d)", r.Name, r.Priority))
	}
	act := strings.ToUpper(v.Action.Type[:1]) + strings.ToLower(v.Action.Type[1:])
	if v.Rule != nil {
		parts = append(parts, fmt.Sprintf("%s by %s (priority %d)", act, v.Rule.Name, v.Rule.Priority))
	} else {
		parts = append(parts, act+" (default action)")
	}
	return strings.Join(parts, "; ")
}

// wafRequest is a request as the statements inspect it.
type wafRequest struct {
	r      *http.Request
	body   []byte // as read, up to API Gateway's 10 MB
	limit  int    // the ACL's body inspection limit
	ip     netip.Addr
	labels []string
}

// evaluate runs the rules by priority: a match with Allow, Block, CAPTCHA
// or Challenge ends the evaluation, Count adds its labels and goes on
// (https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-processing-order.html,
// https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-action.html);
// when no rule ends it, the default action applies.
func (e *wafEvaluator) evaluate(r *http.Request, body []byte) *wafVerdict {
	req := &wafRequest{r: r, body: body, limit: e.acl.BodyLimit, ip: remoteIP(r)}
	v := &wafVerdict{}
	for _, rule := range e.acl.Rules {
		if !e.match(rule.Statement, req) {
			continue
		}
		for _, l := range rule.Labels {
			req.labels = append(req.labels, e.labelPrefix+l)
		}
		if rule.Action == nil {
			continue // a rule group's rule without a Count override: its own rules' actions apply
		}
		if rule.Action.Type == "COUNT" {
			v.Counted = append(v.Counted, rule)
			v.Insert = append(v.Insert, rule.Action.InsertHeaders...)
			continue
		}
		// A local request never carries a CAPTCHA or challenge token, so
		// those actions end the evaluation as they do for a request
		// without one
		// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-captcha-and-challenge-actions.html).
		v.Action, v.Rule = rule.Action, rule
		break
	}
	if v.Action == nil {
		v.Action = e.acl.DefaultAction
	}
	if v.Action.Type == "ALLOW" {
		v.Insert = append(v.Insert, v.Action.InsertHeaders...)
	}
	v.Labels = req.labels
	return v
}

func remoteIP(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		a, _ := netip.ParseAddr(host)
		return a.Unmap()
	}
	return netip.Addr{}
}

func (e *wafEvaluator) match(s *loader.WAFStatement, req *wafRequest) bool {
	switch s.Type {
	case loader.WAFAnd:
		for _, c := range s.Statements {
			if !e.match(c, req) {
				return false
			}
		}
		return true
	case loader.WAFOr:
		for _, c := range s.Statements {
			if e.match(c, req) {
				return true
			}
		}
		return false
	case loader.WAFNot:
		return !e.match(s.Statements[0], req)
	case loader.WAFSizeConstraint, loader.WAFByteMatch, loader.WAFRegexMatch:
		return inspect(s, req)
	case loader.WAFIPSet:
		return ipSetMatch(s, req)
	case loader.WAFGeoMatch:
		// Every address is in the configured local country: the runner
		// has no geolocation database.
		if s.Forwarded != nil {
			if _, ok := forwardedIPs(req.r, s.Forwarded); !ok {
				return s.Forwarded.Fallback == "MATCH"
			}
		} else if !req.ip.IsValid() {
			return false
		}
		return slices.Contains(s.Countries, e.country)
	case loader.WAFRateBased:
		return e.rateMatch(s, req)
	case loader.WAFLabelMatch:
		return e.labelMatch(s, req.labels)
	}
	return false // WAFNotEvaluated
}

// inspect runs a size, byte or regex statement on its field: any of the
// field's values matching is a match.
func inspect(s *loader.WAFStatement, req *wafRequest) bool {
	f := s.Field
	if f.Type == "Body" && len(req.body) > req.limit {
		// Past the inspection limit, the OversizeHandling decides
		// (https://docs.aws.amazon.com/waf/latest/APIReference/API_Body.html):
		// CONTINUE inspects the first limit bytes.
		switch f.Oversize {
		case "MATCH":
			return true
		case "NO_MATCH":
			return false
		}
	}
	for _, v := range fieldValues(f, req) {
		for _, t := range s.Transformations {
			v = transform(t, v)
		}
		if statementMatches(s, v) {
			return true
		}
	}
	return false
}

func statementMatches(s *loader.WAFStatement, v string) bool {
	switch s.Type {
	case loader.WAFSizeConstraint:
		n := int64(len(v))
		switch s.Comparison {
		case "EQ":
			return n == s.Size
		case "NE":
			return n != s.Size
		case "LE":
			return n <= s.Size
		case "LT":
			return n < s.Size
		case "GE":
			return n >= s.Size
		case "GT":
			return n > s.Size
		}
	case loader.WAFByteMatch:
		search := string(s.Search)
		switch s.Positional {
		case "EXACTLY":
			return v == search
		case "STARTS_WITH":
			return strings.HasPrefix(v, search)
		case "ENDS_WITH":
			return strings.HasSuffix(v, search)
		case "CONTAINS":
			return strings.Contains(v, search)
		case "CONTAINS_WORD":
			return containsWord(v, search)
		}
	case loader.WAFRegexMatch:
		for _, re := range s.Regexes {
			if re.MatchString(v) {
				return true
			}
		}
	}
	return false
}

// containsWord: search appears with no letter, digit or underscore on
// either side (ByteMatchStatement CONTAINS_WORD).
func containsWord(v, search string) bool {
	if search == "" {
		return false
	}
	word := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(v[i:], search)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(search)
		if (start == 0 || !word(v[start-1])) && (end == len(v) || !word(v[end])) {
			return true
		}
		i = start + 1
	}
}

// fieldValues are the values of a FieldToMatch in req; none when the
// request lacks it (a missing header matches nothing).
func fieldValues(f *loader.WAFField, req *wafRequest) []string {
	r := req.r
	switch f.Type {
	case "UriPath":
		p, _, _ := strings.Cut(r.RequestURI, "?")
		if p == "" {
			p = r.URL.EscapedPath()
		}
		return []string{p}
	case "QueryString":
		return []string{r.URL.RawQuery}
	case "Method":
		return []string{r.Method}
	case "SingleHeader":
		if f.Name == "host" {
			return []string{r.Host}
		}
		if vs := r.Header.Values(f.Name); len(vs) > 0 {
			return []string{strings.Join(vs, ",")}
		}
		return nil
	case "SingleQueryArgument", "AllQueryArguments":
		return queryArguments(f, r.URL.RawQuery)
	case "Body":
		b := req.body
		if len(b) > req.limit {
			b = b[:req.limit]
		}
		return []string{string(b)}
	case "Headers":
		var out []string
		out = scoped(f, out, "host", r.Host)
		for k, vs := range r.Header {
			for _, v := range vs {
				out = scoped(f, out, strings.ToLower(k), v)
			}
		}
		return out
	case "Cookies":
		var out []string
		for _, c := range r.Cookies() {
			out = scoped(f, out, c.Name, c.Value)
		}
		return out
	}
	return nil
}

// queryArguments are the values of the query's arguments, all of them or
// those named f.Name, as sent (not decoded).
func queryArguments(f *loader.WAFField, rawQuery string) []string {
	var out []string
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if f.Type == "AllQueryArguments" || k == f.Name {
			out = append(out, v)
		}
	}
	return out
}

// scoped appends a header's or cookie's key, value or both (f's
// MatchScope) to out when f's match pattern includes it.
func scoped(f *loader.WAFField, out []string, k, v string) []string {
	if len(f.Included) > 0 && !slices.Contains(f.Included, k) || slices.Contains(f.Excluded, k) {
		return out
	}
	if f.MatchScope != "VALUE" {
		out = append(out, k)
	}
	if f.MatchScope != "KEY" {
		out = append(out, v)
	}
	return out
}

// transform applies one text transformation
// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-transformation.html).
func transform(t, v string) string {
	switch t {
	case "LOWERCASE":
		return strings.ToLower(v)
	case "COMPRESS_WHITE_SPACE":
		return compressSpace(v)
	case "HTML_ENTITY_DECODE":
		return html.UnescapeString(v)
	case "URL_DECODE", "URL_DECODE_UNI":
		return urlDecode(v)
	case "BASE64_DECODE":
		return base64Decode(v)
	case "BASE64_DECODE_EXT":
		return base64DecodeExt(v)
	case "HEX_DECODE":
		if b, err := hex.DecodeString(v); err == nil {
			return string(b)
		}
		return v
	case "MD5":
		sum := md5.Sum([]byte(v))
		return string(sum[:])
	case "REMOVE_NULLS":
		return strings.ReplaceAll(v, "\x00", "")
	case "REPLACE_NULLS":
		return strings.ReplaceAll(v, "\x00", " ")
	case "NORMALIZE_PATH_WIN":
		return normalizePath(strings.ReplaceAll(v, `\`, "/"))
	case "NORMALIZE_PATH":
		return normalizePath(v)
	case "CMD_LINE":
		return cmdLine(v)
	}
	return v
}

// base64Decode decodes v, padded or not; v stays when it is not base64.
func base64Decode(v string) string {
	if b, err := base64.StdEncoding.DecodeString(v); err == nil {
		return string(b)
	}
	if b, err := base64.RawStdEncoding.DecodeString(v); err == nil {
		return string(b)
	}
	return v
}

// base64DecodeExt decodes v leniently: characters that are not base64
// (padding included) are dropped first, and a lone last one.
func base64DecodeExt(v string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '+' || r == '/' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, v)
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	if b, err := base64.RawStdEncoding.DecodeString(clean); err == nil {
		return string(b)
	}
	return v
}

// cmdLine is CMD_LINE: escapes and quotes (\ " ' ^) dropped, , and ; made
// spaces, white space compressed, spaces before / and ( dropped, lower
// case.
func cmdLine(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\', '"', '\'', '^':
		case ',', ';':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	s := compressSpace(b.String())
	s = strings.NewReplacer(" /", "/", " (", "(").Replace(s)
	return strings.ToLower(s)
}

func compressSpace(v string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			if !space {
				b.WriteByte(' ')
			}
			space = true
		default:
			b.WriteByte(c)
			space = false
		}
	}
	return b.String()
}

// urlDecode decodes %XX and + leniently: what is not a valid escape stays.
func urlDecode(v string) string {
	if !strings.ContainsAny(v, "%+") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '+':
			b.WriteByte(' ')
		case v[i] == '%' && i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]):
			x, _ := hex.DecodeString(v[i+1 : i+3])
			b.Write(x)
			i += 2
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func normalizePath(v string) string {
	if v == "" {
		return v
	}
	out := path.Clean(v)
	if strings.HasSuffix(v, "/") && out != "/" {
		out += "/"
	}
	return out
}

// forwardedIPs are the addresses in the forwarded header; ok is false
// when it is missing or holds no valid address (the FallbackBehavior
// applies; https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-forwarded-ip-address.html).
func forwardedIPs(r *http.Request, f *loader.WAFForwardedIP) ([]netip.Addr, bool) {
	raw := r.Header.Get(f.Header)
	if raw == "" {
		return nil, false
	}
	var out []netip.Addr
	for _, part := range strings.Split(raw, ",") {
		a, err := netip.ParseAddr(strings.TrimSpace(part))
		if err != nil {
			if f.Position != "ANY" {
				return nil, false
			}
			continue
		}
		out = append(out, a.Unmap())
	}
	return out, len(out) > 0
}

func ipSetMatch(s *loader.WAFStatement, req *wafRequest) bool {
	ips := []netip.Addr{req.ip}
	if s.Forwarded != nil {
		fwd, ok := forwardedIPs(req.r, s.Forwarded)
		if !ok {
			return s.Forwarded.Fallback == "MATCH"
		}
		switch s.Forwarded.Position {
		case "FIRST":
			ips = fwd[:1]
		case "LAST":
			ips = fwd[len(fwd)-1:]
		default:
			ips = fwd
		}
	}
	for _, ip := range ips {
		for _, p := range s.Prefixes {
			if p.Contains(ip) {
				return true
			}
		}
	}
	return false
}

// labelMatch: a LABEL key is the label's name with any of its namespaces
// before it, up to the fully qualified name; a NAMESPACE key is any run of
// namespaces ending at the label's name; a key that is not fully qualified
// is looked for among the labels of this ACL
// (https://docs.aws.amazon.com/waf/latest/APIReference/API_LabelMatchStatement.html).
func (e *wafEvaluator) labelMatch(s *loader.WAFStatement, labels []string) bool {
	for _, l := range labels {
		target := l
		key := s.LabelKey
		if s.LabelScope == "NAMESPACE" {
			i := strings.LastIndexByte(l, ':')
			target = l[:i+1]
			key = strings.TrimSuffix(key, ":") + ":"
		}
		if target == key {
			return true
		}
		if rel, ok := strings.CutPrefix(target, e.labelPrefix); ok && (rel == key || strings.HasSuffix(rel, ":"+key)) {
			return true
		}
	}
	return false
}

// rateWindow counts one aggregation key's requests per second over the
// statement's evaluation window.
type rateWindow struct {
	secs   []int64
	counts []int64
	total  int64
}

// rateMatch counts the request (when it is in the scope-down statement's
// scope) under its aggregation key and matches once the key's count over
// the evaluation window is past the limit: "When this limit is breached,
// AWS WAF applies the rule action setting to additional requests"
// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
// AWS checks the rate every few seconds and applies it near the limit; the
// runner counts exactly.
func (e *wafEvaluator) rateMatch(s *loader.WAFStatement, req *wafRequest) bool {
	if s.ScopeDown != nil && !e.match(s.ScopeDown, req) {
		return false
	}
	var key string
	switch s.AggregateKey {
	case "IP":
		key = req.ip.String()
	case "FORWARDED_IP":
		fwd, ok := forwardedIPs(req.r, s.Forwarded)
		if !ok {
			// A rate-based rule that cannot read the address counts
			// nothing; MATCH applies the rule's action to the request.
			return s.Forwarded.Fallback == "MATCH"
		}
		key = fwd[0].String()
	}
	now := e.now().Unix()
	e.mu.Lock()
	defer e.mu.Unlock()
	byKey := e.rates[s]
	if byKey == nil {
		byKey = map[string]*rateWindow{}
		e.rates[s] = byKey
	}
	w := byKey[key]
	if w == nil {
		w = &rateWindow{}
		byKey[key] = w
	}
	drop := 0
	for drop < len(w.secs) && w.secs[drop] <= now-int64(s.WindowSec) {
		w.total -= w.counts[drop]
		drop++
	}
	w.secs, w.counts = w.secs[drop:], w.counts[drop:]
	if n := len(w.secs); n > 0 && w.secs[n-1] == now {
		w.counts[n-1]++
	} else {
		w.secs, w.counts = append(w.secs, now), append(w.counts, 1)
	}
	w.total++
	return w.total > s.Limit
}

// answerWAF answers a request the web ACL did not allow: a custom
// response (its status, headers and body; it takes precedence over the
// API's gateway responses,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html),
// else API Gateway's WAF_FILTERED answer, 403 {"message":"Forbidden"} with
// x-amzn-ErrorType ForbiddenException
// (https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden);
// CAPTCHA and Challenge answer 405 and 202 with x-amzn-waf-action
// (https://docs.aws.amazon.com/waf/latest/APIReference/API_CaptchaAction.html).
func (g *gateway) answerWAF(w http.ResponseWriter, r *http.Request, v *wafVerdict) {
	a := v.Action
	switch a.Type {
	case "CAPTCHA", "CHALLENGE":
		w.Header().Set("x-amzn-waf-action", strings.ToLower(a.Type))
		w.Header().Set("Content-Type", "text/html")
		status := map[string]int{"CAPTCHA": 405, "CHALLENGE": 202}[a.Type]
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!-- streamgate: WAF %s interstitial; a local request carries no token -->\n", strings.ToLower(a.Type))
		return
	}
	if a.Status == 0 {
		g.answerError(w, r, 403, "Forbidden", "WAF_FILTERED", "ForbiddenException")
		return
	}
	for _, h := range a.ResponseHeaders {
		w.Header().Set(h.Name, h.Value)
	}
	body, ok := g.waf.acl.ResponseBodies[a.BodyKey]
	if ok {
		w.Header().Set("Content-Type", body.ContentType)
	}
	w.WriteHeader(a.Status)
	if ok {
		w.Write([]byte(body.Content))
	}
}

// insertHeaders adds an allowed request's custom headers, each name
// prefixed with x-amzn-waf-
// (https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-incoming-request.html),
// to r.Header (an HTTP backend gets them) and to the context, where the
// Lambda event, which reads the raw head, finds them.
func insertHeaders(r *http.Request, hs []loader.WAFHeader) *http.Request {
	if len(hs) == 0 {
		return r
	}
	var fields []rawField
	for _, h := range hs {
		// As WAF writes it (lower case), not canonicalized: API Gateway
		// passes header names on as they come.
		name := "x-amzn-waf-" + h.Name
		r.Header[name] = []string{h.Value}
		fields = append(fields, rawField{name, h.Value})
	}
	return r.WithContext(context.WithValue(r.Context(), wafHeadersKey{}, fields))
}

type wafHeadersKey struct{}

// wafInserted are the headers insertHeaders added to r.
func wafInserted(r *http.Request) []rawField {
	f, _ := r.Context().Value(wafHeadersKey{}).([]rawField)
	return f
}
