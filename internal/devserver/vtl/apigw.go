package vtl

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Input is $input: the payload a template maps (the method request's body
// in a request template, the integration's response body in a response
// template) and the method request's parameters.
//
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#input-variable-reference
type Input struct {
	Body []byte
	// Path, Query and Header are the method request's parameters, as
	// $input.params() returns them (path, querystring, header).
	Path, Query, Header *Map

	parsed   any
	parseErr error
	done     bool
}

// Vars are the variables of a template: $input, $util, $context and
// $stageVariables.
func Vars(in *Input, context, stageVariables *Map) map[string]any {
	if context == nil {
		context = NewMap()
	}
	if stageVariables == nil {
		stageVariables = NewMap()
	}
	return map[string]any{"input": in, "util": util{}, "context": context, "stageVariables": stageVariables}
}

func (in *Input) root() (any, error) {
	if !in.done {
		in.done = true
		if len(strings.TrimSpace(string(in.Body))) == 0 {
			in.parsed = NewMap() // an empty payload is {} to $input.json('$')
		} else {
			in.parsed, in.parseErr = parseJSON(in.Body)
		}
	}
	return in.parsed, in.parseErr
}

func (in *Input) params() *Map {
	m := NewMap()
	for _, p := range []struct {
		name string
		m    *Map
	}{{"path", in.Path}, {"querystring", in.Query}, {"header", in.Header}} {
		if p.m == nil {
			p.m = NewMap()
		}
		m.Put(p.name, p.m)
	}
	return m
}

// Property: $input.body.
func (in *Input) Property(name string) (any, bool) {
	if name == "body" {
		return string(in.Body), true
	}
	return nil, false
}

// Call: $input.json(x), $input.path(x), $input.params(), $input.params(x).
func (in *Input) Call(method string, args []any) (any, error) {
	switch method {
	case "body", "getBody":
		return string(in.Body), nil
	case "params":
		if len(args) == 0 {
			return in.params(), nil
		}
		// The named parameter from the path, the query string or the
		// headers, in that order; "" when there is none.
		name := toString(args[0])
		for _, m := range []*Map{in.Path, in.Query} {
			if m != nil && m.Has(name) {
				return m.Get(name), nil
			}
		}
		if in.Header != nil {
			for _, k := range in.Header.keys {
				if strings.EqualFold(k, name) {
					return in.Header.vals[k], nil
				}
			}
		}
		return "", nil
	case "json", "path":
		if len(args) != 1 {
			return nil, fmt.Errorf("$input.%s wants one JSONPath", method)
		}
		root, err := in.root()
		if err != nil {
			return nil, fmt.Errorf("$input.%s(%q): the payload is not JSON: %v", method, toString(args[0]), err)
		}
		v, found, err := jsonPath(root, toString(args[0]))
		if err != nil {
			return nil, err
		}
		if method == "path" {
			return v, nil
		}
		if !found {
			return "", nil
		}
		var b strings.Builder
		toJSON(&b, v)
		return b.String(), nil
	}
	return nil, &UnsupportedError{"$input." + method + "()"}
}

// jsonPath selects from v with the subset of JSONPath templates use: $,
// .name, ['name'], [0], [*] and .* (a list of every child).
func jsonPath(v any, path string) (any, bool, error) {
	if !strings.HasPrefix(path, "$") {
		return nil, false, fmt.Errorf("JSONPath %q: want $ first", path)
	}
	rest := path[1:]
	wild := false
	cur := []any{v}
	for rest != "" {
		var st pathStep
		var err error
		if st, rest, err = nextStep(path, rest); err != nil {
			return nil, false, err
		}
		cur = st.apply(cur)
		wild = wild || st.star
	}
	if wild {
		return &List{items: cur}, true, nil
	}
	if len(cur) == 0 {
		return nil, false, nil
	}
	return cur[0], true, nil
}

// pathStep is one step of a JSONPath: a name, an index (negative from the
// end), or * (every child).
type pathStep struct {
	key         string
	idx         int
	star, isIdx bool
}

// nextStep reads the step rest starts with, of path.
func nextStep(path, rest string) (st pathStep, after string, err error) {
	switch {
	case strings.HasPrefix(rest, ".."):
		return st, "", &UnsupportedError{fmt.Sprintf("JSONPath deep scan (..) in %q", path)}
	case strings.HasPrefix(rest, ".*"):
		st.star = true
		return st, rest[2:], nil
	case rest[0] == '.':
		i := 1
		for i < len(rest) && rest[i] != '.' && rest[i] != '[' {
			i++
		}
		if st.key = rest[1:i]; st.key == "" {
			return st, "", fmt.Errorf("JSONPath %q: empty name", path)
		}
		return st, rest[i:], nil
	case strings.HasPrefix(rest, "['") || strings.HasPrefix(rest, `["`):
		q := rest[1]
		end := strings.IndexByte(rest[2:], q)
		if end < 0 || !strings.HasPrefix(rest[2+end+1:], "]") {
			return st, "", fmt.Errorf("JSONPath %q: unclosed [", path)
		}
		st.key = rest[2 : 2+end]
		return st, rest[2+end+2:], nil
	case strings.HasPrefix(rest, "[*]"):
		st.star = true
		return st, rest[3:], nil
	case rest[0] == '[':
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return st, "", fmt.Errorf("JSONPath %q: unclosed [", path)
		}
		n, err := strconv.Atoi(strings.TrimSpace(rest[1:end]))
		if err != nil {
			return st, "", &UnsupportedError{fmt.Sprintf("JSONPath %q (only names, indexes and * are)", path)}
		}
		st.idx, st.isIdx = n, true
		return st, rest[end+1:], nil
	}
	return st, "", fmt.Errorf("JSONPath %q: unexpected %q", path, rest)
}

// apply is what the step selects from each of cur: a map's value by name
// or all of them, a list's element by index or all of them.
func (st pathStep) apply(cur []any) []any {
	var next []any
	for _, c := range cur {
		switch x := c.(type) {
		case *Map:
			switch {
			case st.star:
				for _, k := range x.keys {
					next = append(next, x.vals[k])
				}
			case st.key != "" && x.Has(st.key):
				next = append(next, x.vals[st.key])
			}
		case *List:
			switch {
			case st.star:
				next = append(next, x.items...)
			case st.isIdx && st.idx >= 0 && st.idx < len(x.items):
				next = append(next, x.items[st.idx])
			case st.isIdx && st.idx < 0 && -st.idx <= len(x.items):
				next = append(next, x.items[len(x.items)+st.idx])
			}
		}
	}
	return next
}

// util is $util.
//
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#util-template-reference
type util struct{}

func (util) Property(string) (any, bool) { return nil, false }

func (util) Call(method string, args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("$util.%s wants one argument", method)
	}
	s := toString(args[0])
	switch method {
	case "escapeJavaScript":
		return EscapeJavaScript(s), nil
	case "parseJson":
		v, err := parseJSON([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("$util.parseJson: %v", err)
		}
		return v, nil
	case "urlEncode":
		return URLEncode(s), nil
	case "urlDecode":
		return URLDecode(s)
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("$util.base64Decode: %v", err)
		}
		return string(b), nil
	}
	return nil, &UnsupportedError{"$util." + method + "()"}
}

// EscapeJavaScript escapes s by JavaScript string rules, as Apache Commons
// Lang's StringEscapeUtils.escapeJavaScript does (AWS documents that ' then
// becomes \', which JSON does not allow).
func EscapeJavaScript(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			switch {
			case r < 32:
				fmt.Fprintf(&b, `\u%04X`, r)
			case r > 0x7f && r <= 0xffff:
				fmt.Fprintf(&b, `\u%04X`, r)
			case r > 0xffff: // a surrogate pair in Java's UTF-16
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04X\u%04X`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// URLEncode is Java's URLEncoder.encode(s, "UTF-8"):
// application/x-www-form-urlencoded, a space as +, and a-z A-Z 0-9 . - * _
// kept.
func URLEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// URLDecode is Java's URLDecoder.decode(s, "UTF-8").
func URLDecode(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", fmt.Errorf("$util.urlDecode: incomplete escape at %d", i)
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("$util.urlDecode: bad escape %q", s[i:i+3])
			}
			b = append(b, byte(n))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}

// ParseJSON reads JSON into the values templates see (*Map, *List,
// string, int64, float64, bool, nil): a requestContext becomes $context.
func ParseJSON(b []byte) (any, error) { return parseJSON(b) }

// Select is the text of what path selects in a JSON body, as a response
// parameter integration.response.body.<JSONPath> maps it: a string as it
// is, anything else as JSON; found is false when nothing matches.
func Select(body []byte, path string) (_ string, found bool, _ error) {
	root, err := (&Input{Body: body}).root()
	if err != nil {
		return "", false, err
	}
	v, found, err := jsonPath(root, path)
	if err != nil || !found {
		return "", false, err
	}
	if s, ok := v.(string); ok {
		return s, true, nil
	}
	var b strings.Builder
	toJSON(&b, v)
	return b.String(), true, nil
}
