package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// The syntax tree of a template.
type (
	node interface{}
	// text is literal output.
	text struct{ s string }
	// ref is a reference ($a.b.c(1)[0]) in text or in an expression.
	ref struct {
		raw    string // as written, rendered when the value is null
		quiet  bool   // $!a
		root   string
		access []accessor
	}
	accessor struct {
		name  string // property or method
		call  bool
		args  []expr
		index expr // $a[0]; name and call unset
	}
	setNode struct {
		lhs *ref
		rhs expr
	}
	ifNode struct {
		conds  []expr
		bodies [][]node
		els    []node
	}
	foreachNode struct {
		v    string
		iter expr
		body []node
	}
	breakNode struct{}
)

// Expressions.
type (
	expr      interface{}
	literal   struct{ v any }
	interp    struct{ nodes []node } // "double-quoted $interpolated"
	listExpr  struct{ items []expr }
	rangeExpr struct{ from, to expr }
	mapExpr   struct{ keys, vals []expr }
	unary     struct {
		op string
		x  expr
	}
	binary struct {
		op   string
		l, r expr
	}
)

// SyntaxError is a template that cannot be parsed, or that uses a
// directive outside the subset (#macro, #parse, #include, #evaluate,
// #define, #stop).
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("VTL at byte %d: %s", e.Offset, e.Msg) }

type parser struct {
	src   string
	pos   int
	depth int
}

// maxDepth bounds nesting (blocks, parentheses, string interpolation), so
// that a hostile template cannot exhaust the stack.
const maxDepth = 200

func (p *parser) fail(format string, args ...any) {
	panic(&SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)})
}

func parse(src string) (nodes []node, err error) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			err = se
		}
	}()
	nodes, end := p.block(false)
	if end != "" {
		p.fail("#%s without an opening #if or #foreach", end)
	}
	return nodes, nil
}

// block parses nodes up to a closing directive (#end, #else, #elseif),
// which it returns, or to the end of the input ("").
func (p *parser) block(inner bool) ([]node, string) {
	p.depth++
	if p.depth > maxDepth {
		p.fail("nesting deeper than %d", maxDepth)
	}
	defer func() { p.depth-- }()
	b := &blockNodes{}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '$' || p.src[p.pos+1] == '#'):
			p.escaped(b)
		case c == '$':
			if r := p.tryRef(); r != nil {
				b.flush()
				b.out = append(b.out, r)
				continue
			}
			b.buf.WriteByte('$')
			p.pos++
		case c == '#':
			if end := p.hash(b, inner); end != "" {
				return b.out, end
			}
		default:
			b.buf.WriteByte(c)
			p.pos++
		}
	}
	b.flush()
	return b.out, ""
}

// blockNodes are a block's nodes so far, and the text not yet a node.
type blockNodes struct {
	out []node
	buf strings.Builder
}

func (b *blockNodes) flush() {
	if b.buf.Len() > 0 {
		b.out = append(b.out, &text{b.buf.String()})
		b.buf.Reset()
	}
}

// escaped reads \$ref, which renders "$ref", or \#directive, which renders
// "#directive"; a backslash before anything else is text.
func (p *parser) escaped(b *blockNodes) {
	start := p.pos
	p.pos++
	if p.src[p.pos] == '$' {
		if r := p.tryRef(); r != nil {
			b.buf.WriteString(r.raw)
			return
		}
	} else if name := p.directiveName(p.pos); name != "" {
		b.buf.WriteString(p.src[p.pos : p.pos+1+len(name)])
		p.pos += 1 + len(name)
		return
	}
	b.buf.WriteString(p.src[start:p.pos])
}

// hash reads what starts with #: a comment, unparsed text, a directive,
// or a # of the text. It returns the name of a closing directive (#end,
// #else, #elseif), which ends the block.
func (p *parser) hash(b *blockNodes, inner bool) (end string) {
	if p.skipComment(b) {
		return ""
	}
	start := p.pos
	name := p.directiveName(p.pos + 1)
	if name == "" {
		b.buf.WriteByte('#')
		p.pos++
		return ""
	}
	braced := p.src[p.pos+1] == '{'
	p.pos += 1 + len(name)
	if braced {
		name = name[1 : len(name)-1]
	}
	return p.directive(b, name, start, inner)
}

// skipComment passes over a ## line comment or a #* block comment *#,
// or copies #[[ unparsed text ]]# as it is; false when none starts here.
func (p *parser) skipComment(b *blockNodes) bool {
	switch rest := p.src[p.pos:]; {
	case strings.HasPrefix(rest, "##"):
		end := strings.IndexByte(rest, '\n')
		if end < 0 {
			p.pos = len(p.src)
		} else {
			p.pos += end + 1
		}
	case strings.HasPrefix(rest, "#*"):
		end := strings.Index(p.src[p.pos+2:], "*#")
		if end < 0 {
			p.fail("#* comment without *#")
		}
		p.pos += 2 + end + 2
	case strings.HasPrefix(rest, "#[["):
		end := strings.Index(p.src[p.pos+3:], "]]#")
		if end < 0 {
			p.fail("#[[ without ]]#")
		}
		b.buf.WriteString(p.src[p.pos+3 : p.pos+3+end])
		p.pos += 3 + end + 3
	default:
		return false
	}
	return true
}

// directive reads the arguments and body of directive name (its # at
// start) into the block; a closing directive is returned, and one outside
// the subset is an error.
func (p *parser) directive(b *blockNodes, name string, start int, inner bool) (end string) {
	switch name {
	case "end", "else", "elseif":
		if !inner {
			p.pos = start
			p.fail("#%s without an opening #if or #foreach", name)
		}
		b.flush()
		b.out = p.gobble(b.out, start)
		return name
	case "set":
		lhs, rhs := p.setArgs()
		b.flush()
		b.out = append(p.gobble(b.out, start), &setNode{lhs, rhs})
	case "if":
		cond := p.parenExpr()
		b.flush()
		b.out = p.gobble(b.out, start)
		b.out = append(b.out, p.ifRest(cond))
	case "foreach":
		n := p.foreachArgs()
		b.flush()
		b.out = p.gobble(b.out, start)
		body, end := p.block(true)
		if end != "end" {
			p.fail("#foreach without #end")
		}
		n.body = body
		b.out = append(b.out, n)
	case "break":
		b.flush()
		b.out = append(p.gobble(b.out, start), breakNode{})
	default:
		p.pos = start
		p.fail("directive #%s is not in the VTL subset the runner emulates", name)
	}
	return ""
}

// directives Velocity knows: the subset, and those the runner refuses.
var directives = []string{"elseif", "else", "end", "set", "if", "foreach", "break", "stop", "macro", "parse", "include", "evaluate", "define"}

// directiveName is the directive at i ("set", "{set}"), or "".
func (p *parser) directiveName(i int) string {
	rest := p.src[i:]
	for _, d := range directives {
		if strings.HasPrefix(rest, "{"+d+"}") {
			return "{" + d + "}"
		}
		if strings.HasPrefix(rest, d) {
			after := rest[len(d):]
			if after != "" && isIdent(after[0]) {
				continue // #settings, #endpoint: text
			}
			if (d == "set" || d == "if" || d == "elseif" || d == "foreach" || d == "macro" || d == "parse" || d == "include" ||
				d == "evaluate" || d == "define") && !strings.HasPrefix(strings.TrimLeft(after, " \t"), "(") {
				continue
			}
			return d
		}
	}
	return ""
}

// gobble drops a directive's line when the directive is alone on it
// (Velocity 2's "lines" space gobbling): the indentation before it (the
// tail of out's last text) and the rest of the line after it.
func (p *parser) gobble(out []node, start int) []node {
	lineStart := strings.LastIndexByte(p.src[:start], '\n') + 1
	if strings.TrimLeft(p.src[lineStart:start], " \t") != "" {
		return out
	}
	rest := p.src[p.pos:]
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '\r') {
		i++
	}
	if i < len(rest) && rest[i] != '\n' {
		return out
	}
	if i < len(rest) {
		i++
	}
	p.pos += i
	if n := start - lineStart; n > 0 && len(out) > 0 {
		if t, ok := out[len(out)-1].(*text); ok && len(t.s) >= n {
			t.s = t.s[:len(t.s)-n]
			if t.s == "" {
				out = out[:len(out)-1]
			}
		}
	}
	return out
}

func (p *parser) ifRest(cond expr) *ifNode {
	n := &ifNode{}
	for {
		body, end := p.block(true)
		n.conds = append(n.conds, cond)
		n.bodies = append(n.bodies, body)
		switch end {
		case "end":
			return n
		case "elseif":
			cond = p.parenExpr()
		case "else":
			els, end := p.block(true)
			if end != "end" {
				p.fail("#else without #end")
			}
			n.els = els
			return n
		default:
			p.fail("#if without #end")
		}
	}
}

func (p *parser) setArgs() (*ref, expr) {
	p.spaces()
	p.expect("(")
	p.spaces()
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		p.fail("#set wants a $reference on the left")
	}
	lhs := p.tryRef()
	if lhs == nil || lhs.quiet {
		p.fail("#set wants a $reference on the left")
	}
	for _, a := range lhs.access {
		if a.call {
			p.fail("#set cannot assign to a method call")
		}
	}
	p.spaces()
	p.expect("=")
	rhs := p.expr()
	p.spaces()
	p.expect(")")
	return lhs, rhs
}

func (p *parser) foreachArgs() *foreachNode {
	p.spaces()
	p.expect("(")
	p.spaces()
	r := p.tryRef()
	if r == nil || len(r.access) > 0 {
		p.fail("#foreach wants a plain $variable")
	}
	p.spaces()
	p.expect("in")
	iter := p.expr()
	p.spaces()
	p.expect(")")
	return &foreachNode{v: r.root, iter: iter}
}

func (p *parser) parenExpr() expr {
	p.spaces()
	p.expect("(")
	e := p.expr()
	p.spaces()
	p.expect(")")
	return e
}

func (p *parser) expect(s string) {
	if !strings.HasPrefix(p.src[p.pos:], s) {
		got := p.src[p.pos:min(len(p.src), p.pos+10)]
		p.fail("want %q, found %q", s, got)
	}
	p.pos += len(s)
}

func (p *parser) spaces() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isIdent: Velocity 1.7's identifier characters, hyphen included, which
// $context.responseOverride.header.Access-Control-Allow-Origin needs.
func isIdent(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '-' }

func (p *parser) ident() string {
	start := p.pos
	if p.pos >= len(p.src) || !isLetter(p.src[p.pos]) {
		return ""
	}
	for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// tryRef parses a reference at '$', or leaves pos and returns nil when the
// '$' starts none ("$5", "$ ").
func (p *parser) tryRef() *ref {
	start := p.pos
	p.pos++
	r := &ref{}
	if p.pos < len(p.src) && p.src[p.pos] == '!' {
		r.quiet = true
		p.pos++
	}
	formal := p.pos < len(p.src) && p.src[p.pos] == '{'
	if formal {
		p.pos++
	}
	if r.root = p.ident(); r.root == "" {
		p.pos = start
		return nil
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		p.fail("nesting deeper than %d", maxDepth)
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '.' && p.pos+1 < len(p.src) && isLetter(p.src[p.pos+1]) {
			p.pos++
			a := accessor{name: p.ident()}
			if p.pos < len(p.src) && p.src[p.pos] == '(' {
				a.call = true
				a.args = p.args(')')
			}
			r.access = append(r.access, a)
			continue
		}
		if c == '[' {
			save := p.pos
			p.pos++
			p.spaces()
			if p.pos < len(p.src) && p.src[p.pos] == ']' {
				p.pos = save
				break
			}
			idx := p.expr()
			p.spaces()
			p.expect("]")
			r.access = append(r.access, accessor{index: idx})
			continue
		}
		break
	}
	if formal {
		p.expect("}")
	}
	r.raw = p.src[start:p.pos]
	return r
}

// args parses "(a, b)" from the '('.
func (p *parser) args(close byte) []expr {
	p.pos++
	var out []expr
	p.spaces()
	if p.pos < len(p.src) && p.src[p.pos] == close {
		p.pos++
		return out
	}
	for {
		out = append(out, p.expr())
		p.spaces()
		if p.pos >= len(p.src) {
			p.fail("unclosed %q", string(close))
		}
		if p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		p.expect(string(close))
		return out
	}
}

// Expression grammar, loosest first: || and && then comparisons, then
// + -, then * / %, then unary ! and -.
var levels = [][]string{
	{"||", "or"},
	{"&&", "and"},
	{"==", "!=", "eq", "ne"},
	{"<=", ">=", "<", ">", "le", "ge", "lt", "gt"},
	{"+", "-"},
	{"*", "/", "%"},
}

var wordOps = map[string]string{"or": "||", "and": "&&", "eq": "==", "ne": "!=", "le": "<=", "ge": ">=", "lt": "<", "gt": ">", "not": "!"}

func (p *parser) expr() expr {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		p.fail("nesting deeper than %d", maxDepth)
	}
	return p.level(0)
}

func (p *parser) level(i int) expr {
	if i == len(levels) {
		return p.unaryExpr()
	}
	l := p.level(i + 1)
	for {
		p.spaces()
		op := p.operator(levels[i])
		if op == "" {
			return l
		}
		r := p.level(i + 1)
		if w, ok := wordOps[op]; ok {
			op = w
		}
		l = &binary{op: op, l: l, r: r}
	}
}

func (p *parser) operator(ops []string) string {
	rest := p.src[p.pos:]
	for _, op := range ops {
		if !strings.HasPrefix(rest, op) {
			continue
		}
		after := rest[len(op):]
		if isLetter(op[0]) && after != "" && isIdent(after[0]) {
			continue // "order", not "or"
		}
		if (op == "<" || op == ">") && strings.HasPrefix(after, "=") {
			continue
		}
		p.pos += len(op)
		return op
	}
	return ""
}

func (p *parser) unaryExpr() expr {
	p.spaces()
	if p.pos < len(p.src) && p.src[p.pos] == '!' && !strings.HasPrefix(p.src[p.pos:], "!=") {
		p.pos++
		return &unary{op: "!", x: p.nested(p.unaryExpr)}
	}
	if strings.HasPrefix(p.src[p.pos:], "not") && (len(p.src) == p.pos+3 || !isIdent(p.src[p.pos+3])) {
		p.pos += 3
		return &unary{op: "!", x: p.nested(p.unaryExpr)}
	}
	if p.pos < len(p.src) && p.src[p.pos] == '-' && (p.pos+1 >= len(p.src) || p.src[p.pos+1] < '0' || p.src[p.pos+1] > '9') {
		p.pos++
		return &unary{op: "-", x: p.nested(p.unaryExpr)}
	}
	return p.primary()
}

func (p *parser) nested(f func() expr) expr {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		p.fail("nesting deeper than %d", maxDepth)
	}
	return f()
}

func (p *parser) primary() expr {
	p.spaces()
	if p.pos >= len(p.src) {
		p.fail("unexpected end of template in an expression")
	}
	c := p.src[p.pos]
	switch {
	case c == '(':
		p.pos++
		e := p.expr()
		p.spaces()
		p.expect(")")
		return e
	case c == '$':
		if r := p.tryRef(); r != nil {
			return r
		}
	case c == '\'':
		end := strings.IndexByte(p.src[p.pos+1:], '\'')
		if end < 0 {
			p.fail("unclosed '")
		}
		s := p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return &literal{s}
	case c == '"':
		return p.dquoted()
	case c == '[':
		return p.listOrRange()
	case c == '{':
		return p.mapLiteral()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	for _, k := range keywords {
		if end := p.pos + len(k.word); strings.HasPrefix(p.src[p.pos:], k.word) && (len(p.src) == end || !isIdent(p.src[end])) {
			p.pos = end
			return &literal{k.v}
		}
	}
	p.fail("unexpected %q in an expression", p.src[p.pos:min(len(p.src), p.pos+10)])
	return nil
}

// keywords are the literals true, false and null.
var keywords = []struct {
	word string
	v    any
}{{"true", true}, {"false", false}, {"null", nil}}

// listOrRange reads [a, b, ...] or [from..to].
func (p *parser) listOrRange() expr {
	save := p.pos
	p.pos++
	p.spaces()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return &listExpr{}
	}
	first := p.expr()
	p.spaces()
	if strings.HasPrefix(p.src[p.pos:], "..") {
		p.pos += 2
		to := p.expr()
		p.spaces()
		p.expect("]")
		return &rangeExpr{first, to}
	}
	p.pos = save
	return &listExpr{p.args(']')}
}

// mapLiteral reads {k: v, ...}.
func (p *parser) mapLiteral() expr {
	p.pos++
	m := &mapExpr{}
	p.spaces()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return m
	}
	for {
		k := p.expr()
		p.spaces()
		p.expect(":")
		v := p.expr()
		m.keys, m.vals = append(m.keys, k), append(m.vals, v)
		p.spaces()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		p.expect("}")
		return m
	}
}

// number reads an integer (int64) or a decimal (float64), with its sign.
func (p *parser) number() expr {
	digits := func() {
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	start := p.pos
	p.pos++
	digits()
	isFloat := false
	if p.pos+1 < len(p.src) && p.src[p.pos] == '.' && p.src[p.pos+1] >= '0' && p.src[p.pos+1] <= '9' {
		isFloat = true
		p.pos++
		digits()
	}
	num := p.src[start:p.pos]
	if isFloat {
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			p.fail("number %q", num)
		}
		return &literal{f}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		p.fail("number %q", num)
	}
	return &literal{n}
}

// dquoted parses a double-quoted string, whose $references are rendered
// (Velocity's interpolation).
func (p *parser) dquoted() expr {
	start := p.pos + 1
	end := start
	for end < len(p.src) && p.src[end] != '"' {
		end++
	}
	if end >= len(p.src) {
		p.fail("unclosed \"")
	}
	s := p.src[start:end]
	p.pos = end + 1
	if !strings.ContainsAny(s, "$#") {
		return &literal{s}
	}
	sub := &parser{src: s, depth: p.depth + 1}
	if sub.depth > maxDepth {
		p.fail("nesting deeper than %d", maxDepth)
	}
	nodes, stop := sub.block(false)
	if stop != "" {
		p.fail("#%s in a string", stop)
	}
	return &interp{nodes}
}
