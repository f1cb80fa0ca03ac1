package vtl

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Template is a parsed mapping template.
type Template struct {
	src   string
	nodes []node
}

// Parse reads a template. A directive outside the subset is a
// *SyntaxError that names it.
func Parse(src string) (*Template, error) {
	nodes, err := parse(src)
	if err != nil {
		return nil, err
	}
	return &Template{src: src, nodes: nodes}, nil
}

// Object is a value with properties and methods of its own: $input,
// $util, $foreach.
type Object interface {
	Property(name string) (any, bool)
	Call(method string, args []any) (any, error)
}

// UnsupportedError is a template that calls a method outside the subset;
// the gateway answers 500 rather than guess.
type UnsupportedError struct{ Feature string }

func (e *UnsupportedError) Error() string {
	return e.Feature + " is not in the VTL subset the runner emulates"
}

// Limits on one evaluation, so that a template cannot hold the runner:
// API Gateway has its own (a foreach over more than 1,000 items fails),
// these are only a backstop.
const (
	maxSteps  = 1_000_000
	maxOutput = 10 << 20
)

// Execute renders the template with the variables vars ("input", "util",
// "context", "stageVariables"): *Map, *List, Object, string, int64,
// float64, bool.
func (t *Template) Execute(vars map[string]any) (string, error) {
	e := &evaluator{vars: vars}
	if e.vars == nil {
		e.vars = map[string]any{}
	}
	err := e.run(t.nodes)
	if errors.Is(err, errBreak) {
		err = nil
	}
	return e.out.String(), err
}

var (
	errBreak   = errors.New("#break")
	errTooMuch = errors.New("the template did too much work (a runaway loop?)")
)

type evaluator struct {
	vars  map[string]any
	out   strings.Builder
	steps int
}

func (e *evaluator) step() error {
	e.steps++
	if e.steps > maxSteps || e.out.Len() > maxOutput {
		return errTooMuch
	}
	return nil
}

func (e *evaluator) run(nodes []node) error {
	for _, n := range nodes {
		if err := e.step(); err != nil {
			return err
		}
		switch x := n.(type) {
		case *text:
			e.out.WriteString(x.s)
		case *ref:
			v, err := e.ref(x)
			if err != nil {
				return err
			}
			switch {
			case v != nil:
				e.out.WriteString(toString(v))
			case !x.quiet:
				e.out.WriteString(x.raw) // Velocity shows a null reference as written
			}
		case *setNode:
			if err := e.set(x); err != nil {
				return err
			}
		case *ifNode:
			done := false
			for i, c := range x.conds {
				v, err := e.eval(c)
				if err != nil {
					return err
				}
				if truthy(v) {
					if err := e.run(x.bodies[i]); err != nil {
						return err
					}
					done = true
					break
				}
			}
			if !done {
				if err := e.run(x.els); err != nil {
					return err
				}
			}
		case *foreachNode:
			if err := e.foreach(x); err != nil {
				return err
			}
		case breakNode:
			return errBreak
		}
	}
	return nil
}

func (e *evaluator) foreach(n *foreachNode) error {
	v, err := e.eval(n.iter)
	if err != nil {
		return err
	}
	var items []any
	switch x := v.(type) {
	case nil:
		return nil
	case *List:
		items = x.items
	case *Map: // Velocity iterates a map's values
		for _, k := range x.keys {
			items = append(items, x.vals[k])
		}
	default:
		items = []any{x}
	}
	saved, had := e.vars[n.v]
	savedFE, hadFE := e.vars["foreach"]
	defer func() {
		restore(e.vars, n.v, saved, had)
		restore(e.vars, "foreach", savedFE, hadFE)
		delete(e.vars, "velocityCount")
		delete(e.vars, "velocityHasNext")
	}()
	items = append([]any(nil), items...) // the body may change the list
	for i, it := range items {
		e.vars[n.v] = it
		e.vars["foreach"] = &loopState{i, len(items)}
		e.vars["velocityCount"] = int64(i + 1)
		e.vars["velocityHasNext"] = i+1 < len(items)
		err := e.run(n.body)
		if errors.Is(err, errBreak) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func restore(m map[string]any, k string, v any, had bool) {
	if had {
		m[k] = v
	} else {
		delete(m, k)
	}
}

// loopState is $foreach.
type loopState struct{ i, n int }

func (l *loopState) Property(name string) (any, bool) {
	switch name {
	case "hasNext":
		return l.i+1 < l.n, true
	case "index":
		return int64(l.i), true
	case "count":
		return int64(l.i + 1), true
	case "first":
		return l.i == 0, true
	case "last":
		return l.i+1 == l.n, true
	}
	return nil, false
}

func (l *loopState) Call(m string, args []any) (any, error) {
	if v, ok := l.Property(strings.TrimPrefix(strings.TrimPrefix(m, "get"), "is")); ok && len(args) == 0 {
		return v, nil
	}
	if len(m) > 3 && strings.HasPrefix(m, "get") {
		if v, ok := l.Property(strings.ToLower(m[3:4]) + m[4:]); ok {
			return v, nil
		}
	}
	return nil, &UnsupportedError{"$foreach." + m + "()"}
}

func (e *evaluator) set(s *setNode) error {
	v, err := e.eval(s.rhs)
	if err != nil {
		return err
	}
	if v == nil {
		return nil // Velocity 1.7 leaves the target as it was
	}
	if len(s.lhs.access) == 0 {
		e.vars[s.lhs.root] = v
		return nil
	}
	// $a.b.c = v: find $a.b, then set its c.
	target := &ref{root: s.lhs.root, access: s.lhs.access[:len(s.lhs.access)-1]}
	obj, err := e.ref(target)
	if err != nil {
		return err
	}
	last := s.lhs.access[len(s.lhs.access)-1]
	switch x := obj.(type) {
	case *Map:
		if last.index != nil {
			k, err := e.eval(last.index)
			if err != nil {
				return err
			}
			x.Put(toString(k), v)
			return nil
		}
		x.Put(last.name, v)
		return nil
	case *List:
		if last.index != nil {
			k, err := e.eval(last.index)
			if err != nil {
				return err
			}
			if i, ok := index(k, len(x.items)); ok {
				x.items[i] = v
			}
			return nil
		}
	}
	return nil // nothing to set on: Velocity logs and goes on
}

func (e *evaluator) ref(r *ref) (any, error) {
	v := e.vars[r.root]
	for _, a := range r.access {
		if v == nil {
			return nil, nil
		}
		var err error
		switch {
		case a.index != nil:
			k, err := e.eval(a.index)
			if err != nil {
				return nil, err
			}
			v = indexValue(v, k)
		case a.call:
			args := make([]any, len(a.args))
			for i, ae := range a.args {
				if args[i], err = e.eval(ae); err != nil {
					return nil, err
				}
			}
			if v, err = call(v, a.name, args); err != nil {
				return nil, err
			}
		default:
			v = property(v, a.name)
		}
	}
	return v, nil
}

func index(k any, n int) (int, bool) {
	f, isInt, ok := number(k)
	if !ok || !isInt {
		return 0, false
	}
	i := int(f)
	if i < 0 {
		i += n // Velocity 2: $list[-1] is the last item
	}
	return i, i >= 0 && i < n
}

func indexValue(v, k any) any {
	switch x := v.(type) {
	case *List:
		if i, ok := index(k, len(x.items)); ok {
			return x.items[i]
		}
	case *Map:
		return x.Get(toString(k))
	case Object:
		p, _ := x.Property(toString(k))
		return p
	}
	return nil
}

// property is $v.name: a map's entry, an object's property, or a getter
// (Velocity tries get<Name>() and is<Name>()).
func property(v any, name string) any {
	switch x := v.(type) {
	case *Map:
		return x.Get(name)
	case Object:
		if p, ok := x.Property(name); ok {
			return p
		}
	case string:
		if name == "empty" {
			return x == ""
		}
		if name == "bytes" {
			return nil
		}
	case *List:
		if name == "empty" {
			return len(x.items) == 0
		}
	}
	return nil
}

// Methods is every method the subset has, by receiver kind: Check reports
// calls of any other.
var Methods = map[string][]string{
	"string": {"length", "size", "isEmpty", "substring", "replace", "replaceAll", "replaceFirst", "toLowerCase", "toUpperCase", "trim", "contains",
		"startsWith", "endsWith", "indexOf", "lastIndexOf", "equals", "equalsIgnoreCase", "split", "matches", "charAt", "concat", "toString"},
	"map":    {"get", "containsKey", "keySet", "values", "size", "isEmpty", "put", "remove", "toString", "entrySet"},
	"list":   {"get", "size", "isEmpty", "contains", "add", "indexOf", "toString", "remove"},
	"number": {"toString", "intValue", "longValue", "doubleValue", "equals"},
	"input":  {"body", "json", "path", "params"},
	"util":   {"escapeJavaScript", "parseJson", "urlEncode", "urlDecode", "base64Encode", "base64Decode"},
}

func argString(args []any, i int) string {
	if i < len(args) {
		return toString(args[i])
	}
	return ""
}

func argInt(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	f, _, ok := number(args[i])
	if !ok || f > math.MaxInt32 || f < math.MinInt32 {
		return 0, false
	}
	return int(f), true
}

// call calls method m of v, as Java's (or the Object's own) method of
// that name; one the runner does not have is an UnsupportedError.
func call(v any, m string, args []any) (any, error) {
	switch x := v.(type) {
	case Object:
		return x.Call(m, args)
	case string:
		return stringMethod(x, m, args)
	case *Map:
		return mapMethod(x, m, args)
	case *List:
		return listMethod(x, m, args)
	case int64, float64:
		return numberMethod(x, m, args)
	case bool:
		if m == "toString" {
			return toString(x), nil
		}
		if m == "equals" {
			return len(args) == 1 && equal(x, args[0]), nil
		}
	}
	return nil, &UnsupportedError{fmt.Sprintf("method %s() on %T", m, v)}
}

// mapMethod calls a java.util.Map method.
func mapMethod(x *Map, m string, args []any) (any, error) {
	switch m {
	case "get":
		return x.Get(argString(args, 0)), nil
	case "containsKey":
		return x.Has(argString(args, 0)), nil
	case "keySet":
		l := &List{}
		for _, k := range x.keys {
			l.items = append(l.items, k)
		}
		return l, nil
	case "values":
		l := &List{}
		for _, k := range x.keys {
			l.items = append(l.items, x.vals[k])
		}
		return l, nil
	case "entrySet":
		l := &List{}
		for _, k := range x.keys {
			en := NewMap()
			en.Put("key", k)
			en.Put("value", x.vals[k])
			l.items = append(l.items, en)
		}
		return l, nil
	case "size":
		return int64(len(x.keys)), nil
	case "isEmpty":
		return len(x.keys) == 0, nil
	case "put":
		if len(args) == 2 {
			return x.Put(argString(args, 0), args[1]), nil
		}
	case "remove":
		return x.remove(argString(args, 0)), nil
	case "toString":
		return toString(x), nil
	}
	return nil, &UnsupportedError{fmt.Sprintf("map method %s()", m)}
}

// listMethod calls a java.util.List method.
func listMethod(x *List, m string, args []any) (any, error) {
	switch m {
	case "get":
		i, ok := argInt(args, 0)
		if !ok || i < 0 || i >= len(x.items) {
			return nil, nil
		}
		return x.items[i], nil
	case "size":
		return int64(len(x.items)), nil
	case "isEmpty":
		return len(x.items) == 0, nil
	case "contains":
		return x.indexOf(args) >= 0, nil
	case "indexOf":
		return int64(x.indexOf(args)), nil
	case "add":
		if len(args) == 1 && len(x.items) < maxSteps {
			x.items = append(x.items, args[0])
			return true, nil
		}
	case "remove":
		if i, ok := argInt(args, 0); ok && i >= 0 && i < len(x.items) {
			old := x.items[i]
			x.items = append(x.items[:i:i], x.items[i+1:]...)
			return old, nil
		}
		return nil, nil
	case "toString":
		return toString(x), nil
	}
	return nil, &UnsupportedError{fmt.Sprintf("list method %s()", m)}
}

// indexOf is the index of the one argument in the list, or -1.
func (x *List) indexOf(args []any) int {
	for i, it := range x.items {
		if len(args) == 1 && equal(it, args[0]) {
			return i
		}
	}
	return -1
}

// numberMethod calls a java.lang.Number method.
func numberMethod(x any, m string, args []any) (any, error) {
	switch m {
	case "toString":
		return toString(x), nil
	case "intValue", "longValue":
		f, _, _ := number(x)
		return int64(f), nil
	case "doubleValue":
		f, _, _ := number(x)
		return f, nil
	case "equals":
		return len(args) == 1 && equal(x, args[0]), nil
	}
	return nil, &UnsupportedError{fmt.Sprintf("number method %s()", m)}
}

// stringMethod calls a java.lang.String method; indexes count characters,
// as Java's do (UTF-16 units: the same for text without surrogates).
func stringMethod(s, m string, args []any) (any, error) {
	a0 := argString(args, 0)
	switch m {
	case "length", "size":
		return int64(utf8.RuneCountInString(s)), nil
	case "isEmpty":
		return s == "", nil
	case "substring":
		return substring(s, args)
	case "replace":
		return strings.ReplaceAll(s, a0, argString(args, 1)), nil
	case "replaceAll", "replaceFirst", "matches", "split":
		return regexMethod(s, m, args)
	case "toLowerCase":
		return strings.ToLower(s), nil
	case "toUpperCase":
		return strings.ToUpper(s), nil
	case "trim":
		return strings.TrimSpace(s), nil
	case "contains":
		return strings.Contains(s, a0), nil
	case "startsWith":
		return strings.HasPrefix(s, a0), nil
	case "endsWith":
		return strings.HasSuffix(s, a0), nil
	case "indexOf":
		return runeIndex(s, strings.Index(s, a0)), nil
	case "lastIndexOf":
		return runeIndex(s, strings.LastIndex(s, a0)), nil
	case "equals":
		return len(args) == 1 && args[0] != nil && s == toString(args[0]), nil
	case "equalsIgnoreCase":
		return len(args) == 1 && args[0] != nil && strings.EqualFold(s, toString(args[0])), nil
	case "charAt":
		r := []rune(s)
		i, ok := argInt(args, 0)
		if !ok || i < 0 || i >= len(r) {
			return nil, fmt.Errorf("charAt(%v): index out of range", args)
		}
		return string(r[i]), nil
	case "concat":
		return s + a0, nil
	case "toString":
		return s, nil
	}
	return nil, &UnsupportedError{fmt.Sprintf("string method %s()", m)}
}

// runeIndex is byte index i of s in characters; -1 stays -1.
func runeIndex(s string, i int) int64 {
	if i < 0 {
		return -1
	}
	return int64(utf8.RuneCountInString(s[:i]))
}

// substring is s.substring(from[, to]); Java throws
// StringIndexOutOfBoundsException out of range, and the template fails.
func substring(s string, args []any) (any, error) {
	r := []rune(s)
	from, ok := argInt(args, 0)
	to := len(r)
	if len(args) > 1 {
		var ok2 bool
		to, ok2 = argInt(args, 1)
		ok = ok && ok2
	}
	if !ok || from < 0 || to > len(r) || from > to {
		return nil, fmt.Errorf("substring(%v): index out of range for a string of %d characters", args, len(r))
	}
	return string(r[from:to]), nil
}

// regexMethod is replaceAll, replaceFirst, matches (the whole string, as
// Java's) or split (trailing empty strings dropped, as Java's) with the
// first argument as the regular expression.
func regexMethod(s, m string, args []any) (any, error) {
	a0 := argString(args, 0)
	re, err := regexp.Compile(a0)
	if err != nil {
		return nil, fmt.Errorf("%s(%q): %v", m, a0, err)
	}
	switch m {
	case "replaceAll":
		return re.ReplaceAllString(s, javaReplacement(argString(args, 1))), nil
	case "replaceFirst":
		done := false
		return re.ReplaceAllStringFunc(s, func(match string) string {
			if done {
				return match
			}
			done = true
			return re.ReplaceAllString(match, javaReplacement(argString(args, 1)))
		}), nil
	case "matches":
		full, err := regexp.Compile(`^(?:` + a0 + `)$`)
		return err == nil && full.MatchString(s), nil
	}
	parts := re.Split(s, -1)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	l := &List{}
	for _, p := range parts {
		l.items = append(l.items, p)
	}
	return l, nil
}

// javaReplacement turns Java's $1 group references into Go's ${1}.
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case r[i] == '$' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9':
			b.WriteString("${" + string(r[i+1]) + "}")
			i++
		case r[i] == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(r[i])
		}
	}
	return b.String()
}

func (e *evaluator) eval(x expr) (any, error) {
	if err := e.step(); err != nil {
		return nil, err
	}
	switch n := x.(type) {
	case *literal:
		return n.v, nil
	case *ref:
		return e.ref(n)
	case *interp:
		sub := &evaluator{vars: e.vars, steps: e.steps}
		err := sub.run(n.nodes)
		e.steps = sub.steps
		return sub.out.String(), err
	case *listExpr:
		return e.list(n)
	case *rangeExpr:
		return e.rangeList(n)
	case *mapExpr:
		return e.mapOf(n)
	case *unary:
		return e.unary(n)
	case *binary:
		return e.binary(n)
	}
	return nil, fmt.Errorf("unknown expression %T", x)
}

// list evaluates [a, b, ...].
func (e *evaluator) list(n *listExpr) (any, error) {
	l := &List{}
	for _, it := range n.items {
		v, err := e.eval(it)
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, v)
	}
	return l, nil
}

// rangeList evaluates [from..to], counting down when to is below from;
// null when a bound is not a number.
func (e *evaluator) rangeList(n *rangeExpr) (any, error) {
	from, err := e.eval(n.from)
	if err != nil {
		return nil, err
	}
	to, err := e.eval(n.to)
	if err != nil {
		return nil, err
	}
	a, _, ok1 := number(from)
	b, _, ok2 := number(to)
	if !ok1 || !ok2 {
		return nil, nil
	}
	if math.Abs(b-a) > 100_000 {
		return nil, fmt.Errorf("range [%v..%v] is too long", a, b)
	}
	l := &List{}
	step := int64(1)
	if b < a {
		step = -1
	}
	for i := int64(a); ; i += step {
		l.items = append(l.items, i)
		if i == int64(b) {
			break
		}
	}
	return l, nil
}

// mapOf evaluates {k: v, ...}; keys become strings.
func (e *evaluator) mapOf(n *mapExpr) (any, error) {
	m := NewMap()
	for i := range n.keys {
		k, err := e.eval(n.keys[i])
		if err != nil {
			return nil, err
		}
		v, err := e.eval(n.vals[i])
		if err != nil {
			return nil, err
		}
		m.Put(toString(k), v)
	}
	return m, nil
}

// unary evaluates !x and -x (null for a negated non-number).
func (e *evaluator) unary(n *unary) (any, error) {
	v, err := e.eval(n.x)
	if err != nil {
		return nil, err
	}
	if n.op == "!" {
		return !truthy(v), nil
	}
	switch f := v.(type) {
	case int64:
		return -f, nil
	case float64:
		return -f, nil
	}
	return nil, nil
}

// binary evaluates l op r; && and || short-circuit.
func (e *evaluator) binary(n *binary) (any, error) {
	l, err := e.eval(n.l)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := e.eval(n.r)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := e.eval(n.r)
		return truthy(r), err
	}
	r, err := e.eval(n.r)
	if err != nil {
		return nil, err
	}
	return binop(n.op, l, r)
}

func binop(op string, l, r any) (any, error) {
	switch op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", ">", "<=", ">=":
		return compare(op, l, r), nil
	}
	a, aInt, okA := number(l)
	b, bInt, okB := number(r)
	if op == "+" && (!okA || !okB) {
		if l == nil || r == nil {
			return nil, nil
		}
		return toString(l) + toString(r), nil
	}
	if !okA || !okB {
		return nil, nil // Velocity: arithmetic on a non-number is null
	}
	if aInt && bInt {
		if v, ok := arithmetic(op, int64(a), int64(b), func(x, y int64) int64 { return x % y }); ok {
			return v, nil
		}
	}
	if v, ok := arithmetic(op, a, b, math.Mod); ok {
		return v, nil
	}
	return nil, fmt.Errorf("operator %s", op)
}

// compare is l op r: numbers by value, other values (not null) by their
// text; false with a null.
func compare(op string, l, r any) bool {
	a, _, okA := number(l)
	b, _, okB := number(r)
	var c int
	switch {
	case okA && okB:
		c = compareFloat(a, b)
	case l != nil && r != nil:
		c = strings.Compare(toString(l), toString(r))
	default:
		return false
	}
	return map[string]bool{"<": c < 0, ">": c > 0, "<=": c <= 0, ">=": c >= 0}[op]
}

// arithmetic is a op b, in integers or in floats (mod is their %); ok is
// false for an operator it does not know. Velocity logs a division by
// zero and yields null.
func arithmetic[T int64 | float64](op string, a, b T, mod func(a, b T) T) (v any, ok bool) {
	switch op {
	case "+":
		return a + b, true
	case "-":
		return a - b, true
	case "*":
		return a * b, true
	case "/", "%":
		if b == 0 {
			return nil, true
		}
		if op == "/" {
			return a / b, true
		}
		return mod(a, b), true
	}
	return nil, false
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Check lists what the template uses outside the subset that can be known
// without running it: calls of methods no receiver in the subset has, and
// $util functions API Gateway does not have (or the runner lacks).
func (t *Template) Check() []string {
	c := &checker{known: map[string]bool{}, util: map[string]bool{}, found: map[string]bool{}}
	for kind, ms := range Methods {
		if kind == "util" {
			continue
		}
		for _, m := range ms {
			c.known[m] = true
		}
	}
	for _, m := range []string{"hasNext", "getHasNext", "getIndex", "getCount", "isFirst", "isLast", "getFirst", "getLast"} {
		c.known[m] = true
	}
	for _, m := range Methods["util"] {
		c.util[m] = true
	}
	c.walk(t.nodes)
	return slices.Sorted(maps.Keys(c.found))
}

// checker walks a template for Check: the methods the subset knows (on
// any receiver, and $util's), and what it found outside them.
type checker struct {
	known, util, found map[string]bool
}

func (c *checker) walk(nodes []node) {
	for _, n := range nodes {
		switch x := n.(type) {
		case *ref:
			c.walkRef(x)
		case *setNode:
			c.walkRef(x.lhs)
			c.walkExpr(x.rhs)
		case *ifNode:
			for i, cond := range x.conds {
				c.walkExpr(cond)
				c.walk(x.bodies[i])
			}
			c.walk(x.els)
		case *foreachNode:
			c.walkExpr(x.iter)
			c.walk(x.body)
		}
	}
}

func (c *checker) walkExpr(x expr) {
	switch n := x.(type) {
	case *ref:
		c.walkRef(n)
	case *interp:
		c.walk(n.nodes)
	case *listExpr:
		for _, it := range n.items {
			c.walkExpr(it)
		}
	case *rangeExpr:
		c.walkExpr(n.from)
		c.walkExpr(n.to)
	case *mapExpr:
		for i := range n.keys {
			c.walkExpr(n.keys[i])
			c.walkExpr(n.vals[i])
		}
	case *unary:
		c.walkExpr(n.x)
	case *binary:
		c.walkExpr(n.l)
		c.walkExpr(n.r)
	}
}

// walkRef checks the calls of a reference: $util's functions by name,
// others against every receiver's methods.
func (c *checker) walkRef(r *ref) {
	for i, a := range r.access {
		if a.index != nil {
			c.walkExpr(a.index)
		}
		for _, ae := range a.args {
			c.walkExpr(ae)
		}
		if !a.call {
			continue
		}
		if i == 0 && r.root == "util" {
			if !c.util[a.name] {
				c.found["$util."+a.name+"()"] = true
			}
			continue
		}
		if !c.known[a.name] {
			c.found["method "+a.name+"()"] = true
		}
	}
}
