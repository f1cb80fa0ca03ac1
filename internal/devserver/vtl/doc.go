// Package vtl renders API Gateway mapping templates: the subset of Apache
// Velocity (VTL 1.7) and of API Gateway's $input, $util, $context and
// $stageVariables that request and response templates use, so that the
// local runner can run MOCK, AWS and HTTP integrations as API Gateway does.
//
//	package example
//
//	import "github.com/streamgate/streamgate/internal/devserver/vtl"
//
//	// ids renders {"ids": [...]} from a body like {"photos": [{"id": 1}]}.
//	func ids(body []byte) (string, error) {
//		t, err := vtl.Parse(`#set($root = $input.path('$'))
//	{"ids": [#foreach($p in $root.photos)"$p.id"#if($foreach.hasNext),#end#end]}`)
//		if err != nil {
//			return "", err
//		}
//		return t.Execute(vtl.Vars(&vtl.Input{Body: body}, nil, nil))
//	}
//
// The subset: references ($a, ${a}, $!a, $a.b, $a.m(x), $a[0]); #set,
// #if/#elseif/#else, #foreach (with $foreach.hasNext, .index, .count) and
// #break; string ('…', interpolated "…"), number, boolean, list, range and
// map literals; the operators || && ! == != < > <= >= + - * / % and their
// word forms; ## and #* *# comments and #[[ ]]# text; the methods of
// Methods. A directive outside it (#macro, #parse, #include, #evaluate,
// #define, #stop) is a *SyntaxError from Parse, an unknown method is listed
// by Check before any request and is an *UnsupportedError when run: the
// runner refuses such a template rather than render it differently from
// API Gateway.
//
// As in Velocity 1.7, a null reference renders as written ("$a.b"), $!a
// as nothing, and #set with a null value leaves its target unchanged. A
// directive alone on its line takes the line with it (Velocity 2's
// "lines" gobbling), so templates' JSON keeps its shape.
//
// References: the mapping template reference,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html,
// and Apache Velocity's, https://velocity.apache.org/engine/1.7/user-guide.html.
package vtl
