// Package eventbridge is the local runner's EventBridge: it compiles a
// rule's event pattern and matches events against it as EventBridge does
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html),
// and builds the events S3 sends to EventBridge
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html).
//
//	p, err := eventbridge.Compile([]byte(`{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"incoming/"}]}}}`))
//	if err != nil { ... } // not a valid pattern, with the reason
//	p.Match(eventJSON)   // true when every field of the pattern matches
//
// A pattern is a JSON object whose leaves are arrays of values: a field
// matches when its value (or any value of an array in the event) equals
// one of them or passes one of the operators (prefix, suffix,
// anything-but, numeric, exists, equals-ignore-case, wildcard, cidr);
// nested objects match nested fields; "$or" takes alternatives. It never
// imports the CDK.
package eventbridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Pattern is a compiled event pattern.
type Pattern struct{ root *node }

// node is one object level of a pattern: every field must match, and one
// alternative of each $or.
type node struct {
	fields []*field
	ors    [][]*node
}

// field is a key of the pattern: either an object (sub) or a leaf with its
// conditions, of which one must match.
type field struct {
	name  string
	sub   *node
	conds []cond
}

type condKind int

const (
	exact condKind = iota
	prefix
	suffix
	equalsIgnoreCase
	wildcard
	numeric
	exists
	cidr
	anythingBut
)

// cond is one value of a leaf's array.
type cond struct {
	kind condKind
	// value: a string, a float64 (numbers compare as numbers), a bool or
	// nil (JSON null), for exact; the string of prefix, suffix,
	// equals-ignore-case and wildcard.
	value      any
	ignoreCase bool // prefix and suffix with equals-ignore-case
	// numeric: up to two comparisons.
	ops  []string
	nums []float64
	// exists
	exists bool
	// cidr
	prefixNet netip.Prefix
	// anything-but: matches when none of these does.
	not []cond
}

// Compile reads an event pattern; a pattern EventBridge would refuse is an
// error that says where and why.
func Compile(pattern []byte) (*Pattern, error) {
	d := json.NewDecoder(bytes.NewReader(pattern))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("event pattern: %w", err)
	}
	if d.More() {
		return nil, errors.New("event pattern: more than one JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("event pattern: want a JSON object, got %s", kindOf(v))
	}
	n, err := compileNode(obj, "")
	if err != nil {
		return nil, fmt.Errorf("event pattern: %w", err)
	}
	return &Pattern{root: n}, nil
}

// CompileValue compiles a pattern already decoded (a template's
// EventPattern).
func CompileValue(v any) (*Pattern, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Compile(b)
}

func compileNode(obj map[string]any, path string) (*node, error) {
	if len(obj) == 0 {
		return nil, fmt.Errorf("%s: an empty object matches nothing; name a field", orRoot(path))
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := &node{}
	for _, k := range keys {
		p := join(path, k)
		if k == "$or" {
			alts, ok := obj[k].([]any)
			if !ok || len(alts) < 2 {
				return nil, fmt.Errorf("%s: want an array of at least two patterns", p)
			}
			var or []*node
			for i, a := range alts {
				ao, ok := a.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s[%d]: want an object, got %s", p, i, kindOf(a))
				}
				sub, err := compileNode(ao, fmt.Sprintf("%s[%d]", p, i))
				if err != nil {
					return nil, err
				}
				or = append(or, sub)
			}
			n.ors = append(n.ors, or)
			continue
		}
		switch v := obj[k].(type) {
		case map[string]any:
			sub, err := compileNode(v, p)
			if err != nil {
				return nil, err
			}
			n.fields = append(n.fields, &field{name: k, sub: sub})
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%s: an empty array matches nothing; list at least one value", p)
			}
			f := &field{name: k}
			for i, x := range v {
				c, err := compileCond(x, fmt.Sprintf("%s[%d]", p, i))
				if err != nil {
					return nil, err
				}
				f.conds = append(f.conds, c)
			}
			n.fields = append(n.fields, f)
		default:
			return nil, fmt.Errorf("%s: want an array of values or an object, got %s (write [%s])", p, kindOf(v), jsonText(v))
		}
	}
	return n, nil
}

// compileCond reads one value of a leaf's array.
func compileCond(x any, p string) (cond, error) {
	switch v := x.(type) {
	case string, bool, nil:
		return cond{kind: exact, value: v}, nil
	case json.Number:
		f, err := number(v, p)
		return cond{kind: exact, value: f}, err
	case map[string]any:
		if len(v) != 1 {
			return cond{}, fmt.Errorf("%s: an operator object has one key (prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard, cidr), got %d", p, len(v))
		}
		for op, arg := range v {
			return compileOp(op, arg, join(p, op))
		}
	}
	return cond{}, fmt.Errorf("%s: want a string, number, boolean, null or operator object, got %s", p, kindOf(x))
}

func compileOp(op string, arg any, p string) (cond, error) {
	switch op {
	case "prefix", "suffix":
		kind := prefix
		if op == "suffix" {
			kind = suffix
		}
		if s, ok := arg.(string); ok {
			return cond{kind: kind, value: s}, nil
		}
		if m, ok := arg.(map[string]any); ok && len(m) == 1 {
			if s, ok := m["equals-ignore-case"].(string); ok {
				return cond{kind: kind, value: s, ignoreCase: true}, nil
			}
		}
		return cond{}, fmt.Errorf("%s: want a string or {\"equals-ignore-case\": string}, got %s", p, jsonText(arg))
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return cond{}, fmt.Errorf("%s: want a string, got %s", p, jsonText(arg))
		}
		return cond{kind: equalsIgnoreCase, value: s}, nil
	case "wildcard":
		s, ok := arg.(string)
		if !ok {
			return cond{}, fmt.Errorf("%s: want a string, got %s", p, jsonText(arg))
		}
		if err := checkWildcard(s); err != nil {
			return cond{}, fmt.Errorf("%s: %w", p, err)
		}
		return cond{kind: wildcard, value: s}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return cond{}, fmt.Errorf("%s: want true or false, got %s", p, jsonText(arg))
		}
		return cond{kind: exists, exists: b}, nil
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return cond{}, fmt.Errorf("%s: want a CIDR block such as \"10.0.0.0/24\", got %s", p, jsonText(arg))
		}
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			return cond{}, fmt.Errorf("%s: %q is not a CIDR block (such as \"10.0.0.0/24\")", p, s)
		}
		return cond{kind: cidr, prefixNet: pf.Masked()}, nil
	case "numeric":
		return compileNumeric(arg, p)
	case "anything-but":
		return compileAnythingBut(arg, p)
	}
	return cond{}, fmt.Errorf("%s: unknown operator %q (allowed: prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard, cidr)", p, op)
}

// compileNumeric reads [">", 0, "<=", 5]: one or two comparisons; "="
// alone.
func compileNumeric(arg any, p string) (cond, error) {
	l, ok := arg.([]any)
	if !ok || (len(l) != 2 && len(l) != 4) {
		return cond{}, fmt.Errorf("%s: want [op, number] or [op, number, op, number] with op one of =, <, <=, >, >=, got %s", p, jsonText(arg))
	}
	c := cond{kind: numeric}
	for i := 0; i < len(l); i += 2 {
		op, _ := l[i].(string)
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return cond{}, fmt.Errorf("%s[%d]: %s is not one of =, <, <=, >, >=", p, i, jsonText(l[i]))
		}
		n, ok := l[i+1].(json.Number)
		if !ok {
			return cond{}, fmt.Errorf("%s[%d]: want a number, got %s", p, i+1, jsonText(l[i+1]))
		}
		f, err := number(n, fmt.Sprintf("%s[%d]", p, i+1))
		if err != nil {
			return cond{}, err
		}
		c.ops, c.nums = append(c.ops, op), append(c.nums, f)
	}
	if len(c.ops) == 2 {
		// A range: one lower bound and one upper bound.
		lower := func(op string) bool { return op == ">" || op == ">=" }
		upper := func(op string) bool { return op == "<" || op == "<=" }
		if !(lower(c.ops[0]) && upper(c.ops[1]) || upper(c.ops[0]) && lower(c.ops[1])) {
			return cond{}, fmt.Errorf("%s: two comparisons must be a range, a lower bound (> or >=) and an upper bound (< or <=), got %s", p, jsonText(arg))
		}
	}
	return c, nil
}

// compileAnythingBut reads a value, a list of strings or of numbers, or an
// object with prefix, suffix, equals-ignore-case or wildcard.
func compileAnythingBut(arg any, p string) (cond, error) {
	c := cond{kind: anythingBut}
	var err error
	switch v := arg.(type) {
	case string:
		c.not = []cond{{kind: exact, value: v}}
	case json.Number:
		f, err := number(v, p)
		if err != nil {
			return cond{}, err
		}
		c.not = []cond{{kind: exact, value: f}}
	case []any:
		c.not, err = anythingButList(v, p)
	case map[string]any:
		c.not, err = anythingButOperator(v, p)
	default:
		return cond{}, fmt.Errorf("%s: want a string, a number, a list or an operator object, got %s", p, kindOf(arg))
	}
	if err != nil {
		return cond{}, err
	}
	return c, nil
}

// anythingButList reads anything-but's list: strings only, or numbers
// only.
func anythingButList(v []any, p string) ([]cond, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("%s: an empty list", p)
	}
	var not []cond
	strs, nums := 0, 0
	for i, x := range v {
		switch y := x.(type) {
		case string:
			strs++
			not = append(not, cond{kind: exact, value: y})
		case json.Number:
			nums++
			f, err := number(y, fmt.Sprintf("%s[%d]", p, i))
			if err != nil {
				return nil, err
			}
			not = append(not, cond{kind: exact, value: f})
		default:
			return nil, fmt.Errorf("%s[%d]: want a string or a number, got %s", p, i, kindOf(x))
		}
	}
	if strs > 0 && nums > 0 {
		return nil, fmt.Errorf("%s: a list of strings only or of numbers only, got both", p)
	}
	return not, nil
}

// anythingButOperator reads anything-but's one operator: prefix, suffix
// (a string), equals-ignore-case or wildcard (a string or a list of them).
func anythingButOperator(v map[string]any, p string) ([]cond, error) {
	if len(v) != 1 {
		return nil, fmt.Errorf("%s: want one of prefix, suffix, equals-ignore-case, wildcard", p)
	}
	for op, x := range v {
		q := join(p, op)
		switch op {
		case "prefix", "suffix":
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("%s: want a string, got %s", q, jsonText(x))
			}
			kind := prefix
			if op == "suffix" {
				kind = suffix
			}
			return []cond{{kind: kind, value: s}}, nil
		case "equals-ignore-case":
			return anythingButStrings(equalsIgnoreCase, x, q)
		case "wildcard":
			return anythingButStrings(wildcard, x, q)
		}
		return nil, fmt.Errorf("%s: unknown operator %q inside anything-but (allowed: prefix, suffix, equals-ignore-case, wildcard)", p, op)
	}
	return nil, nil
}

// anythingButStrings reads the string, or list of strings, of an
// equals-ignore-case or wildcard inside anything-but.
func anythingButStrings(kind condKind, x any, q string) ([]cond, error) {
	var list []any
	switch y := x.(type) {
	case string:
		list = []any{y}
	case []any:
		list = y
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: want a string or a list of strings, got %s", q, jsonText(x))
	}
	var not []cond
	for i, s := range list {
		str, ok := s.(string)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: want a string, got %s", q, i, jsonText(s))
		}
		if kind == wildcard {
			if err := checkWildcard(str); err != nil {
				return nil, fmt.Errorf("%s: %w", q, err)
			}
		}
		not = append(not, cond{kind: kind, value: str})
	}
	return not, nil
}

// checkWildcard refuses consecutive wildcards, which EventBridge rejects.
func checkWildcard(s string) error {
	if strings.Contains(s, "**") {
		return fmt.Errorf("wildcard %q has consecutive * characters", s)
	}
	return nil
}

func number(n json.Number, p string) (float64, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%s: %s is not a number EventBridge can compare", p, n)
	}
	return f, nil
}

// Match says whether event, a JSON object, matches the pattern. An event
// that is not a JSON object matches nothing.
func (p *Pattern) Match(event []byte) bool {
	d := json.NewDecoder(bytes.NewReader(event))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return false
	}
	obj, ok := v.(map[string]any)
	return ok && p.root.match(obj)
}

// MatchValue matches an event already decoded (numbers as json.Number or
// float64).
func (p *Pattern) MatchValue(event map[string]any) bool { return p.root.match(event) }

// match: obj is nil when the object is absent from the event (then only
// "exists": false leaves can match).
func (n *node) match(obj map[string]any) bool {
	for _, f := range n.fields {
		v, present := obj[f.name]
		if !f.match(v, present) {
			return false
		}
	}
	for _, or := range n.ors {
		matched := false
		for _, alt := range or {
			if alt.match(obj) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

func (f *field) match(v any, present bool) bool {
	if f.sub != nil {
		switch x := v.(type) {
		case map[string]any:
			return f.sub.match(x)
		case []any:
			// An array of objects: one element must match the whole
			// sub-pattern.
			for _, e := range x {
				if m, ok := e.(map[string]any); ok && f.sub.match(m) {
					return true
				}
			}
			return false
		}
		return f.sub.match(nil)
	}
	// A leaf matches leaf values: an object here (or an empty array)
	// counts as absent, as EventBridge matches on the event's leaves.
	var values []any
	switch x := v.(type) {
	case map[string]any:
		present = false
	case []any:
		for _, e := range x {
			if _, obj := e.(map[string]any); !obj {
				values = append(values, e)
			}
		}
		present = len(values) > 0
	default:
		values = []any{v}
	}
	for _, c := range f.conds {
		if c.kind == exists {
			if c.exists == present {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		for _, val := range values {
			if c.matches(val) {
				return true
			}
		}
	}
	return false
}

// matches says whether one leaf value passes c.
func (c *cond) matches(v any) bool {
	switch c.kind {
	case exact:
		return c.matchesExactly(v)
	case prefix, suffix:
		s, ok := v.(string)
		if !ok {
			return false
		}
		want := c.value.(string)
		if c.ignoreCase {
			s, want = strings.ToLower(s), strings.ToLower(want)
		}
		if c.kind == prefix {
			return strings.HasPrefix(s, want)
		}
		return strings.HasSuffix(s, want)
	case equalsIgnoreCase:
		s, ok := v.(string)
		return ok && strings.EqualFold(s, c.value.(string))
	case wildcard:
		s, ok := v.(string)
		return ok && wildcardMatch(c.value.(string), s)
	case numeric:
		return c.matchesNumerically(v)
	case cidr:
		s, ok := v.(string)
		if !ok {
			return false
		}
		ip, err := netip.ParseAddr(s)
		return err == nil && c.prefixNet.Contains(ip)
	case anythingBut:
		return c.matchesNone(v)
	}
	return false
}

// matchesExactly compares v with the value: numbers as numbers, strings,
// booleans, null.
func (c *cond) matchesExactly(v any) bool {
	switch want := c.value.(type) {
	case float64:
		f, ok := num(v)
		return ok && f == want
	case string:
		s, ok := v.(string)
		return ok && s == want
	case bool:
		b, ok := v.(bool)
		return ok && b == want
	case nil:
		return v == nil
	}
	return false
}

// matchesNumerically reports whether v is a number that passes every
// comparison.
func (c *cond) matchesNumerically(v any) bool {
	f, ok := num(v)
	if !ok {
		return false
	}
	for i, op := range c.ops {
		if !compareNumbers(f, op, c.nums[i]) {
			return false
		}
	}
	return true
}

// compareNumbers is f op n, for =, <, <=, > and >=.
func compareNumbers(f float64, op string, n float64) bool {
	switch op {
	case "=":
		return f == n
	case "<":
		return f < n
	case "<=":
		return f <= n
	case ">":
		return f > n
	case ">=":
		return f >= n
	}
	return false
}

// matchesNone is anything-but: v matches none of the conditions. The value
// must be of the kind the list names: anything-but a string does not match
// a number, and the reverse.
func (c *cond) matchesNone(v any) bool {
	for i := range c.not {
		n := &c.not[i]
		if _, isNum := n.value.(float64); n.kind == exact && isNum {
			if _, ok := num(v); !ok {
				return false
			}
		} else if _, ok := v.(string); !ok {
			return false
		}
		if n.matches(v) {
			return false
		}
	}
	return true
}

// wildcardMatch matches s against a pattern where * is any run of
// characters and \* a literal star (\\ a backslash).
func wildcardMatch(pattern, s string) bool {
	// Split into literal segments separated by unescaped *.
	var segs []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern) && (pattern[i+1] == '*' || pattern[i+1] == '\\'):
			cur.WriteByte(pattern[i+1])
			i++
		case pattern[i] == '*':
			segs = append(segs, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(pattern[i])
		}
	}
	segs = append(segs, cur.String())
	if len(segs) == 1 {
		return s == segs[0]
	}
	if !strings.HasPrefix(s, segs[0]) {
		return false
	}
	s = s[len(segs[0]):]
	last := segs[len(segs)-1]
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+len(seg):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(p string) string {
	if p == "" {
		return "the pattern"
	}
	return p
}
