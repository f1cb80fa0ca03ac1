// Package corsvtl writes the API Gateway mapping-template (VTL) lines that
// name the caller's origin in Access-Control-Allow-Origin when it is one of
// several allowed origins, which a static header mapping cannot do. The
// constructs put them in integration responses; the local runner's tests
// run the same lines. It imports neither the CDK nor the AWS SDK.
package corsvtl

import (
	"fmt"
	"strings"
)

// AllowOrigin is the VTL that sets the answer's Access-Control-Allow-Origin
// to the request's Origin header when that is one of origins (exact
// matches; "*" among them matches any origin, for answers that allow
// credentials, where a literal "*" is not allowed), and sets nothing for
// any other origin, whose page the browser then keeps from reading the
// answer. (aws-cdk's own preflight for several origins answers those with
// its first origin instead, to the same effect.) The lines end with a
// newline and print nothing, so they go in front of a response template.
//
// "$!origin" is "" when the header is absent (null): the lower-case name,
// as HTTP/2 clients send it, is tried next.
func AllowOrigin(origins []string) string {
	conds := make([]string, len(origins))
	for i, o := range origins {
		if o == "*" {
			conds = []string{`"$!origin" != ""`}
			break
		}
		conds[i] = fmt.Sprintf("$origin == %q", o)
	}
	return `#set($origin = $input.params().header.get("Origin"))` + "\n" +
		`#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end` + "\n" +
		"#if(" + strings.Join(conds, " || ") + ")#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end\n"
}
