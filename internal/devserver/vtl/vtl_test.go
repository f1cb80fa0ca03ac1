package vtl

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func render(t *testing.T, src string, in *Input, ctx *Map) string {
	t.Helper()
	tm, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	if in == nil {
		in = &Input{}
	}
	out, err := tm.Execute(Vars(in, ctx, MapOf(map[string]string{"env": "dev"})))
	if err != nil {
		t.Fatalf("Execute(%q): %v", src, err)
	}
	return out
}

func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("mismatch:\n got %s\nwant %s", got, want)
	}
}

// TestFeatures: one line per feature of the subset.
func TestFeatures(t *testing.T) {
	body := `{"a":{"b":[10,20,{"c":"x"}]},"s":"Hello","n":2.5,"t":true,"name with space":1}`
	in := &Input{Body: []byte(body), Path: MapOf(map[string]string{"id": "42"}), Query: MapOf(map[string]string{"q": "find", "id": "q-id"}),
		Header: MapOf(map[string]string{"Content-Type": "text/plain", "Origin": "https://a.example", "X-Quote": "it's \"q\"/\u00e9\n"})}
	ctx := NewMap()
	ctx.Put("requestId", "req-1")
	id := NewMap()
	id.Put("sourceIp", "127.0.0.1")
	ctx.Put("identity", id)
	for _, tc := range []struct{ name, src, want string }{
		{"text", "plain {json}", "plain {json}"},
		{"reference", "$context.requestId", "req-1"},
		{"formal", "${context.requestId}x", "req-1x"},
		{"nested property", "$context.identity.sourceIp", "127.0.0.1"},
		{"null renders as written", "[$nothing.here]", "[$nothing.here]"},
		{"quiet null", "[$!nothing]", "[]"},
		{"quiet formal", "[$!{nothing}]", "[]"},
		{"dollar not a reference", "$5 and $ and $(", "$5 and $ and $("},
		{"escaped reference", `\$context`, "$context"},
		{"set", `#set($x = "v")$x`, "v"},
		{"set interpolates", `#set($x = "id=$input.params('id')")$x`, "id=42"},
		{"single quotes are literal", `#set($x = '$input')$x`, "$input"},
		{"set null keeps the old value", `#set($x = 1)#set($x = $nothing)$x`, "1"},
		{"set a map entry", `#set($m = {})#set($m.k = "v")$m.k`, "v"},
		{"if", `#if($input.params('id') == "42")yes#else no#end`, "yes"},
		{"elseif", `#if(1 > 2)a#elseif(2 >= 2)b#else c#end`, "b"},
		{"braced directives", `#{if}(true)a#{else}b#{end}`, "a"},
		{"logic", `#if(!false && (true || false) and not false)ok#end`, "ok"},
		{"word comparisons", `#if(1 lt 2 && 2 eq 2 && 3 ne 2 && 3 ge 3)ok#end`, "ok"},
		{"null is false", `#if($nothing)a#{else}b#end`, "b"},
		{"empty string is true (1.7)", `#if("")a#end`, "a"},
		{"arithmetic", `#set($x = 7 / 2 + 3 * 2 - 10 % 4)$x`, "7"},
		{"float arithmetic", `#set($x = 1.5 * 2)$x`, "3.0"},
		{"string concatenation", `#set($x = "a" + 1)$x`, "a1"},
		{"foreach list", `#foreach($i in [1, 2, 3])$i#if($foreach.hasNext),#end#end`, "1,2,3"},
		{"foreach range", `#foreach($i in [1..3])$foreach.index:$foreach.count:$velocityCount #end`, "0:1:1 1:2:2 2:3:3 "},
		{"foreach map values", `#foreach($v in {"a": 1, "b": 2})$v#end`, "12"},
		{"break", `#foreach($i in [1..5])#if($i == 3)#break#end$i#end`, "12"},
		{"loop variable restored", `#set($i = "out")#foreach($i in [1])#end$i`, "out"},
		{"line comment", "a## comment\nb", "ab"},
		{"block comment", "a#* x\ny *#b", "ab"},
		{"doc comment", "a#** x *#b", "ab"},
		{"unparsed", "#[[$not #if]]#", "$not #if"},
		{"hash not a directive", "#hash #settings #1", "#hash #settings #1"},
		{"directive line gobbled", "{\n  #set($a = 1)\n  \"a\": $a\n}", "{\n  \"a\": 1\n}"},
		{"string methods", `$input.params('q').length() $input.params('q').substring(1, 3) $input.params('q').toUpperCase() $input.params('q').replace("i", "o")`, "4 in FIND fond"},
		{"more string methods", `$input.params('q').contains("in") $input.params('q').startsWith("f") $input.params('q').indexOf("d") $input.params('q').matches("f.*")`, "true true 3 true"},
		{"split", `$input.params('q').split("n").size()`, "2"},
		{"replaceAll with groups", `#set($s = "a-b")$s.replaceAll("(\w)-(\w)", "$2-$1")`, "b-a"},
		{"map methods", `#set($m = {"a": 1})$m.size() $m.containsKey("a") $m.keySet() $m.get("a")`, "1 true [a] 1"},
		{"map put", `#set($m = {})#set($old = $m.put("k", "v"))$m`, "{k=v}"},
		{"list methods", `#set($l = [])#set($ok = $l.add("x"))$l.size() $l.get(0) $l[0] $l.contains("x") $l`, "1 x x true [x]"},
		{"negative index", `#set($l = [1, 2, 3])$l[-1]`, "3"},
		{"input body", "$input.body", body},
		{"input json", `$input.json('$.a.b')`, `[10,20,{"c":"x"}]`},
		{"input json string", `$input.json('$.s')`, `"Hello"`},
		{"input json bracket", `$input.json("$['name with space']")`, `1`},
		{"input path", `$input.path('$.a.b[2].c') $input.path('$.a.b').size() $input.path('$.n') $input.path('$.t')`, "x 3 2.5 true"},
		{"input path wildcard", `$input.path('$.a.b[*]').size()`, "3"},
		{"input path map", `$input.path('$.a.b[2]')`, "{c=x}"},
		{"input path missing", `[$!input.path('$.missing')]`, "[]"},
		{"params by name: path first", `$input.params('id')`, "42"},
		{"params header any case", `$input.params('content-type')`, "text/plain"},
		{"params missing", `[$input.params('nope')]`, "[]"},
		{"params map", `$input.params().header.get('Origin') $input.params().querystring.q`, "https://a.example find"},
		{"stage variables", `$stageVariables.env`, "dev"},
		{"util escapeJavaScript", `$util.escapeJavaScript($input.params('X-Quote'))`, `it\'s \"q\"\/\u00E9\n`},
		{"util base64", `$util.base64Encode("hi?") $util.base64Decode("aGk/")`, "aGk/ hi?"},
		{"util url", `$util.urlEncode("a b&c*~") $util.urlDecode("a+b%26c")`, "a+b%26c*%7E a b&c"},
		{"util parseJson", `#set($o = $util.parseJson('{"k":[1,{"x":"y"}]}'))$o.k[1].x $o.k.size()`, "y 2"},
		{"hyphen in names (1.7)", `#set($context.responseOverride = {})#set($context.responseOverride.Access-Control = "v")$context.responseOverride.Access-Control`, "v"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.src, in, ctx); got != tc.want {
				t.Errorf("%s\n got %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

// TestOutsideTheSubset: what the runner does not emulate is named, at
// parse time or by Check, and fails when run; never rendered differently.
func TestOutsideTheSubset(t *testing.T) {
	for _, src := range []string{`#macro(m)x#end`, `#parse("other.vm")`, `#include("x")`, `#evaluate("x")`, `#define($b)x#end`, `#stop()`} {
		_, err := Parse(src)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "not in the VTL subset") {
			t.Errorf("Parse(%q): %v, want a SyntaxError naming the directive", src, err)
		}
	}
	for _, tc := range []struct{ src, check string }{
		{`$util.toJson($input.body)`, "$util.toJson()"},
		{`$input.body.hashCode()`, "method hashCode()"},
		{`#set($x = $input.params().header.getClass())`, "method getClass()"},
	} {
		tm, err := Parse(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := tm.Check(); len(got) != 1 || got[0] != tc.check {
			t.Errorf("Check(%q) = %v, want [%s]", tc.src, got, tc.check)
		}
		_, err = tm.Execute(Vars(&Input{Body: []byte("{}")}, nil, nil))
		var ue *UnsupportedError
		if !errors.As(err, &ue) {
			t.Errorf("Execute(%q): %v, want an UnsupportedError", tc.src, err)
		}
	}
	for _, src := range []string{`#if(true)`, `#end`, `#set($a = )`, `${a`, `#foreach($a [1])#end`, `#* open`, `#set($a = "x)`} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q): no error", src)
		}
	}
	if _, err := Parse(`$input.json('$..a')`); err != nil {
		t.Fatal(err)
	}
	tm, _ := Parse(`$input.json('$..a')`)
	if _, err := tm.Execute(Vars(&Input{Body: []byte(`{"a":1}`)}, nil, nil)); err == nil || !strings.Contains(err.Error(), "deep scan") {
		t.Errorf("JSONPath deep scan: %v", err)
	}
}

// TestRunawayTemplatesStop: a loop that never ends is an error, not a hung
// request.
func TestRunawayTemplatesStop(t *testing.T) {
	tm, err := Parse(`#set($l = [1])#foreach($i in $l)#set($ok = $l.add($i))#end`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Execute(nil); err != nil {
		t.Errorf("a loop over a copy ends: %v", err)
	}
	tm, _ = Parse(`#foreach($i in [1..100000])#foreach($j in [1..100000])x#end#end`)
	if _, err := tm.Execute(nil); !errors.Is(err, errTooMuch) {
		t.Errorf("10^10 iterations: %v", err)
	}
}

// The photo album example of "Example data models and mapping templates
// for API Gateway",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-develop-models-mapping-examples.html
// (and https://docs.aws.amazon.com/apigateway/latest/developerguide/example-photos.html).
const photosInput = `{
  "photos": {
    "page": 1, "pages": "1234", "perpage": 100, "total": "123398",
    "photo": [
      {"id": "12345678901", "owner": "23456789@A12", "photographer_first_name": "Saanvi", "photographer_last_name": "Sarkar",
       "secret": "abc123d456", "server": "1234", "farm": 1, "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
      {"id": "23456789012", "owner": "34567890@B23", "photographer_first_name": "Richard", "photographer_last_name": "Roe",
       "secret": "bcd234e567", "server": "2345", "farm": 2, "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}
    ]
  }
}`

func TestAWSPhotoAlbumExample(t *testing.T) {
	tmpl := `#set($inputRoot = $input.path('$'))
{
  "photos": [
#foreach($elem in $inputRoot.photos.photo)
    {
      "id": "$elem.id",
      "photographedBy": "$elem.photographer_first_name $elem.photographer_last_name",
      "title": "$elem.title",
      "ispublic": $elem.ispublic,
      "isfriend": $elem.isfriend,
      "isfamily": $elem.isfamily
    }#if($foreach.hasNext),#end
		
#end
  ]
}`
	got := render(t, tmpl, &Input{Body: []byte(photosInput)}, nil)
	sameJSON(t, got, `{"photos": [
	  {"id": "12345678901", "photographedBy": "Saanvi Sarkar", "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
	  {"id": "23456789012", "photographedBy": "Richard Roe", "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}]}`)
}

// The PetStore example's integration response template (the mapping
// template examples of the developer guide, above): numbers, floats
// included, render as JSON numbers.
func TestAWSPetStoreExample(t *testing.T) {
	pets := `[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]`
	tmpl := `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "number": $elem.id,
    "class": "$elem.type",
    "salesPrice": $elem.price
  }#if($foreach.hasNext),#end

#end
]`
	got := render(t, tmpl, &Input{Body: []byte(pets)}, nil)
	sameJSON(t, got, `[{"number": 1, "class": "dog", "salesPrice": 249.99}, {"number": 2, "class": "cat", "salesPrice": 124.99},
	  {"number": 3, "class": "fish", "salesPrice": 0.99}]`)
	// The reference page's $input examples on the same payload shape.
	in := &Input{Body: []byte(`{"pets": ` + pets + `}`)}
	if got := render(t, `$input.path('$.pets').size()`, in, nil); got != "3" {
		t.Errorf("$input.path('$.pets').size() = %q", got)
	}
	sameJSON(t, render(t, `$input.json('$.pets[0]')`, in, nil), `{"id": 1, "type": "dog", "price": 249.99}`)
}

// Example 2 of "Examples using variables for mapping template
// transformations",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-variable-examples.html:
// every request parameter through $input.params().
func TestAWSAllParamsExample(t *testing.T) {
	tmpl := `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}`
	in := &Input{Path: MapOf(map[string]string{"petId": "5"}), Query: MapOf(map[string]string{"type": "dog", "page": "2"}),
		Header: MapOf(map[string]string{"User-Agent": `curl/8 "x"`})}
	sameJSON(t, render(t, tmpl, in, nil), `{"params": {"path": {"petId": "5"}, "querystring": {"page": "2", "type": "dog"}, "header": {"User-Agent": "curl/8 \"x\""}}}`)
}

// Example 1 of the same page: $context variables into the payload.
func TestAWSContextExample(t *testing.T) {
	ctx := NewMap()
	for k, v := range map[string]string{"stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg", "resourcePath": "/", "httpMethod": "GET"} {
		ctx.Put(k, v)
	}
	id := NewMap()
	id.Put("sourceIp", "192.0.2.1")
	id.Put("userAgent", "curl/7.84.0")
	ctx.Put("identity", id)
	tmpl := `{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "resource_path" : "$context.resourcePath",
    "http_method" : "$context.httpMethod",
    "source_ip" : "$context.identity.sourceIp",
    "user-agent" : "$context.identity.userAgent"
}`
	sameJSON(t, render(t, tmpl, nil, ctx), `{"stage": "prod", "request_id": "abcdefg-000-000-0000-abcdefg", "resource_path": "/",
	  "http_method": "GET", "source_ip": "192.0.2.1", "user-agent": "curl/7.84.0"}`)
}

// TestCDKCorsTemplate: aws-cdk's preflight response template for several
// origins (aws-apigateway lib/resource.ts) sets a response header through
// $context.responseOverride.
func TestCDKCorsTemplate(t *testing.T) {
	tmpl := `#set($origin = $input.params().header.get("Origin"))
#if($origin == "") #set($origin = $input.params().header.get("origin")) #end
#if($origin == "http://localhost:5173" || $origin == "https://b.example")
  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)
#end`
	for origin, want := range map[string]any{"https://b.example": "https://b.example", "https://c.example": nil} {
		ctx := NewMap()
		ro := NewMap()
		ro.Put("header", NewMap())
		ctx.Put("responseOverride", ro)
		out := render(t, tmpl, &Input{Header: MapOf(map[string]string{"Origin": origin})}, ctx)
		if got := ro.Get("header").(*Map).Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("Origin %s: override %v, want %v", origin, got, want)
		}
		if strings.TrimSpace(out) != "" {
			t.Errorf("output %q, want only whitespace", out)
		}
	}
}
