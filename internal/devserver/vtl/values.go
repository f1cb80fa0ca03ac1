package vtl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Map is an ordered map, as the Java LinkedHashMap API Gateway hands a
// template for a JSON object or $input.params(): keySet() and #foreach
// keep the keys' order.
type Map struct {
	keys []string
	vals map[string]any
}

// NewMap is an empty Map.
func NewMap() *Map { return &Map{vals: map[string]any{}} }

// MapOf is a Map of m's entries, keys sorted.
func MapOf(m map[string]string) *Map {
	out := NewMap()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Put(k, m[k])
	}
	return out
}

// Put sets key to v and returns the previous value (Java's Map.put).
func (m *Map) Put(key string, v any) any {
	old, ok := m.vals[key]
	if !ok {
		m.keys = append(m.keys, key)
	}
	m.vals[key] = v
	return old
}

// Get is key's value, nil when absent.
func (m *Map) Get(key string) any { return m.vals[key] }

// Has reports whether key is set.
func (m *Map) Has(key string) bool { _, ok := m.vals[key]; return ok }

// Keys are the keys in insertion order.
func (m *Map) Keys() []string { return m.keys }

func (m *Map) remove(key string) any {
	old, ok := m.vals[key]
	if !ok {
		return nil
	}
	delete(m.vals, key)
	for i, k := range m.keys {
		if k == key {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
	return old
}

// List is a mutable list (Java's ArrayList), so that $list.add() changes
// the list every reference to it sees.
type List struct{ items []any }

// parseJSON reads JSON into the values templates see: *Map, *List,
// string, int64 (integers), float64, bool, nil.
func parseJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := decodeValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: data after the value")
	}
	return v, nil
}

func decodeValue(d *json.Decoder, depth int) (any, error) {
	if depth > 1000 {
		return nil, fmt.Errorf("JSON nested deeper than 1000")
	}
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			m := NewMap()
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				m.Put(kt.(string), v)
			}
			_, err := d.Token()
			return m, err
		case '[':
			l := &List{}
			for d.More() {
				v, err := decodeValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, v)
			}
			_, err := d.Token()
			return l, err
		}
		return nil, fmt.Errorf("invalid JSON")
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		return f, err
	default:
		return x, nil // string, bool, nil
	}
}

// toJSON writes v as JSON, keeping map order.
func toJSON(w *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case *Map:
		w.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				w.WriteByte(',')
			}
			b, _ := json.Marshal(k)
			w.Write(b)
			w.WriteByte(':')
			toJSON(w, x.vals[k])
		}
		w.WriteByte('}')
	case *List:
		w.WriteByte('[')
		for i, it := range x.items {
			if i > 0 {
				w.WriteByte(',')
			}
			toJSON(w, it)
		}
		w.WriteByte(']')
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			w.WriteString("null")
			return
		}
		w.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case int64, bool:
		fmt.Fprint(w, x)
	default:
		b, _ := json.Marshal(toString(x))
		w.Write(b)
	}
}

// toString renders a value as Java's toString would: "1.0" for a double,
// "[a, b]" for a list, "{a=1, b=2}" for a map.
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e7 {
			return strconv.FormatFloat(x, 'f', 1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case *List:
		parts := make([]string, len(x.items))
		for i, it := range x.items {
			parts[i] = toString(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *Map:
		parts := make([]string, len(x.keys))
		for i, k := range x.keys {
			parts[i] = k + "=" + toString(x.vals[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true // Velocity 1.7: any other non-null value
}

func number(v any) (float64, bool, bool) { // value, isInt, ok
	switch x := v.(type) {
	case int64:
		return float64(x), true, true
	case float64:
		return x, false, true
	}
	return 0, false, false
}

func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, _, ok := number(a); ok {
		if y, _, ok := number(b); ok {
			return x == y
		}
	}
	if x, ok := a.(bool); ok {
		if y, ok := b.(bool); ok {
			return x == y
		}
	}
	// Velocity compares other values of different classes by toString.
	return toString(a) == toString(b)
}
