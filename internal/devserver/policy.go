package devserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// What a Lambda authorizer answers, and how API Gateway reads it
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html):
// a principalId, an IAM policy whose statements allow or deny
// execute-api:Invoke on method ARNs, an optional context of string, number
// and boolean values, and an optional usageIdentifierKey.

// authorizerOutput is a Lambda authorizer's answer, checked.
type authorizerOutput struct {
	PrincipalID string
	Statements  []policyStatement
	// Context is the context map with its values as the integration's
	// requestContext.authorizer carries them: strings, or nil for a null.
	Context            map[string]any
	UsageIdentifierKey string
}

// policyStatement is one statement of the policy, Action and Resource as
// lists whichever way the function wrote them.
type policyStatement struct {
	Effect   string // Allow or Deny
	Action   []string
	Resource []string
	// Unsupported names what the runner does not evaluate in this
	// statement (Condition, NotAction, NotResource); such a statement is
	// skipped.
	Unsupported string
}

// errAuthorizerOutput is an answer API Gateway cannot use: it answers 500
// (AuthorizerConfigurationException) and logs "Could not parse policy".
var errAuthorizerOutput = errors.New("invalid authorizer output")

// parseAuthorizerOutput reads a Lambda authorizer's answer as API Gateway
// does. principalId and policyDocument are required ("must include"); a
// context value that is an object or an array makes the answer unusable
// (the output page: "you cannot set a JSON object or array as a valid value
// of any key in the context map"; API Gateway answers 500
// AuthorizerConfigurationException, as serverless-offline's authors
// measured: dherault/serverless-offline#1376). Strings, numbers and
// booleans reach the integration stringified ("123", "true"), a null as
// null (a recorded event in DefinitelyTyped/DefinitelyTyped#69823:
// {"str":"hello","bool":"true","null":null,"num":"123",...}).
func parseAuthorizerOutput(b []byte) (*authorizerOutput, error) {
	var raw struct {
		PrincipalID    *json.RawMessage           `json:"principalId"`
		PolicyDocument *json.RawMessage           `json:"policyDocument"`
		Context        map[string]json.RawMessage `json:"context"`
		UsageKey       *string                    `json:"usageIdentifierKey"`
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", errAuthorizerOutput)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", errAuthorizerOutput, err)
	}
	if raw.PrincipalID == nil {
		return nil, fmt.Errorf("%w: no principalId", errAuthorizerOutput)
	}
	out := &authorizerOutput{}
	if err := json.Unmarshal(*raw.PrincipalID, &out.PrincipalID); err != nil {
		return nil, fmt.Errorf("%w: principalId is %s, not a string", errAuthorizerOutput, *raw.PrincipalID)
	}
	if raw.PolicyDocument == nil || string(*raw.PolicyDocument) == "null" {
		return nil, fmt.Errorf("%w: no policyDocument", errAuthorizerOutput)
	}
	var err error
	if out.Statements, err = parsePolicy(*raw.PolicyDocument); err != nil {
		return nil, err
	}
	if raw.UsageKey != nil {
		out.UsageIdentifierKey = *raw.UsageKey
	}
	if len(raw.Context) > 0 {
		out.Context = map[string]any{}
	}
	for k, v := range raw.Context {
		val, err := contextValue(v)
		if err != nil {
			return nil, fmt.Errorf("%w: context key %q: %v", errAuthorizerOutput, k, err)
		}
		out.Context[k] = val
	}
	return out, nil
}

// contextValue is a context value as the integration receives it.
func contextValue(v json.RawMessage) (any, error) {
	s := strings.TrimSpace(string(v))
	switch {
	case s == "null":
		return nil, nil
	case s == "true" || s == "false":
		return s, nil
	case strings.HasPrefix(s, `"`):
		var str string
		err := json.Unmarshal(v, &str)
		return str, err
	case strings.HasPrefix(s, "{"), strings.HasPrefix(s, "["):
		return nil, fmt.Errorf("%.40s is an object or array; only strings, numbers and booleans are allowed", s)
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return nil, err
	}
	return n.String(), nil
}

// parsePolicy reads an IAM policy document: Statement a list or a single
// statement, Action and Resource a string or a list, as IAM's grammar
// allows (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
func parsePolicy(doc json.RawMessage) ([]policyStatement, error) {
	var pd struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(doc, &pd); err != nil {
		return nil, fmt.Errorf("%w: policyDocument: %v", errAuthorizerOutput, err)
	}
	var raws []map[string]json.RawMessage
	if err := json.Unmarshal(pd.Statement, &raws); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(pd.Statement, &one); err != nil || one == nil {
			return nil, fmt.Errorf("%w: policyDocument.Statement is %.60s, not a statement or a list of them", errAuthorizerOutput, pd.Statement)
		}
		raws = append(raws, one)
	}
	var out []policyStatement
	for i, rs := range raws {
		var st policyStatement
		if err := json.Unmarshal(rs["Effect"], &st.Effect); err != nil || st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, fmt.Errorf("%w: Statement[%d].Effect is %s; allowed: \"Allow\" or \"Deny\"", errAuthorizerOutput, i, missingOr(rs["Effect"]))
		}
		var unsupported []string
		for _, k := range []string{"Condition", "NotAction", "NotResource"} {
			if _, ok := rs[k]; ok {
				unsupported = append(unsupported, k)
			}
		}
		st.Unsupported = strings.Join(unsupported, ", ")
		var err error
		if st.Action, err = stringOrList(rs["Action"]); err != nil && rs["NotAction"] == nil {
			return nil, fmt.Errorf("%w: Statement[%d].Action: %v", errAuthorizerOutput, i, err)
		}
		if st.Resource, err = stringOrList(rs["Resource"]); err != nil && rs["NotResource"] == nil {
			return nil, fmt.Errorf("%w: Statement[%d].Resource: %v", errAuthorizerOutput, i, err)
		}
		out = append(out, st)
	}
	return out, nil
}

func missingOr(v json.RawMessage) string {
	if v == nil {
		return "missing"
	}
	return string(v)
}

func stringOrList(v json.RawMessage) ([]string, error) {
	if v == nil {
		return nil, errors.New("missing")
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return []string{s}, nil
	}
	var l []string
	if err := json.Unmarshal(v, &l); err != nil || len(l) == 0 {
		return nil, fmt.Errorf("%.60s is not a string or a list of strings", v)
	}
	return l, nil
}

// policyDecision is what a policy says of one method ARN.
type policyDecision int

const (
	implicitDeny policyDecision = iota // no statement allows it
	allowed
	explicitDeny // a Deny statement matches: it wins over any Allow
)

// evaluate decides for methodArn as IAM does: an explicit Deny wins, then
// an Allow, else the request is denied implicitly. It also returns the
// statement that decided (-1 for an implicit deny) and the statements it
// skipped.
func evaluate(statements []policyStatement, methodArn string) (decision policyDecision, statement int, skipped []int) {
	decision, statement = implicitDeny, -1
	for i, st := range statements {
		if st.Unsupported != "" {
			skipped = append(skipped, i)
			continue
		}
		if !anyMatch(st.Action, "execute-api:Invoke", true) || !anyMatch(st.Resource, methodArn, false) {
			continue
		}
		switch {
		case st.Effect == "Deny":
			return explicitDeny, i, skipped
		case decision == implicitDeny:
			decision, statement = allowed, i
		}
	}
	return decision, statement, skipped
}

func anyMatch(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		if wildcardMatch(p, s) {
			return true
		}
	}
	return false
}

// wildcardMatch matches s against an IAM pattern: * any run of characters
// (slashes and colons included), ? any one character (a UTF-8 sequence, as
// a path may hold), all else literal
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html:
// "arn:aws:execute-api:*:*:*/*/GET/pets" and the like). Actions match
// without regard to case, as IAM's do; resources with it.
func wildcardMatch(pattern, s string) bool {
	// Iterative, with one backtrack point: linear in practice, and no
	// recursion for a fuzzer's "*********a" to blow up.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*': // first: a "*" in s is no literal match for it
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == '?':
			// One character, not one byte: "?" matches "é".
			_, n := utf8.DecodeRuneInString(s[i:])
			p++
			i += n
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			// The star takes one more character, so that a "?" after it
			// starts on a character's first byte.
			_, n := utf8.DecodeRuneInString(s[mark:])
			p = star + 1
			mark += n
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
