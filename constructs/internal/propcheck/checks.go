package propcheck

import (
	"fmt"
	"math"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/lambda/presign/contract"
)

// CheckLambdaTimeout records a problem when d cannot be a Lambda function's
// timeout: outside 1 second..15 minutes, or a Token in another unit than
// seconds (a function's Timeout is in seconds, and CDK cannot convert a
// Token). Nil is fine (a default applies).
func (p *Problems) CheckLambdaTimeout(prop string, d awscdk.Duration) {
	if d == nil {
		return
	}
	if *d.IsUnresolved() {
		if unit := *d.UnitLabel(); unit != "seconds" {
			p.Add(prop, "a Token in "+unit, "a literal duration, or a Token in seconds (a function's Timeout is in seconds, and a Token cannot be converted at synth time)",
				"pass awscdk.Duration_Seconds(token)")
		}
		return
	}
	if s := *d.ToMilliseconds(nil) / 1000; s < 1 || s > 900 {
		p.Add(prop, Human(d), "1 second to 15 minutes (Lambda's limits)", "set a timeout in that range")
	}
}

// WholeDays is d, or def days when d is nil, recording a problem when d is
// not a whole number of days (S3 lifecycle rules count days). A Token
// passes unchecked.
func (p *Problems) WholeDays(prop string, d awscdk.Duration, def float64) awscdk.Duration {
	if d == nil {
		return awscdk.Duration_Days(jsii.Number(def))
	}
	ms, ok := Millis(d)
	if !ok {
		return d
	}
	if n := ms / 86_400_000; n < 1 || n != math.Trunc(n) {
		p.Add(prop, Human(d), "whole days, at least 1 (S3 lifecycle rules count days)", "use awscdk.Duration_Days")
	}
	return d
}

// MediaTypes is types lower-cased, or defaults when types is nil,
// recording a problem for an empty list and for every entry that is not an
// exact type/subtype (no wildcard, no parameters).
func (p *Problems) MediaTypes(prop string, types *[]*string, defaults []string) []string {
	if types == nil {
		return defaults
	}
	if len(*types) == 0 {
		p.Add(prop, "an empty list", "one or more media types such as \"image/png\"", "list the types clients may upload, or leave it unset for the defaults")
	}
	var out []string
	for i, t := range *types {
		v := ""
		if t != nil {
			v = strings.ToLower(strings.TrimSpace(*t))
		}
		parts := strings.Split(v, "/")
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" || strings.ContainsAny(v, "*;, ") {
			p.Add(fmt.Sprintf("%s[%d]", prop, i), fmt.Sprintf("%q", v), "an exact media type, type/subtype, without wildcards or parameters", "write it like \"image/png\"")
			continue
		}
		out = append(out, v)
	}
	return out
}

// KeyPrefix is v, the S3 key prefix of prop ("KeyPrefix"), or def when v is
// nil; a prefix the upload handler would refuse (presign.ValidPrefix) is a
// problem.
func (p *Problems) KeyPrefix(prop string, v *string, def string) string {
	if v == nil {
		return def
	}
	if !contract.ValidPrefix(*v) {
		p.Add(prop, fmt.Sprintf("%q", *v), `"/"-terminated segments of letters, digits and !-_.*'(), no leading "/", no "." or ".." segments, at most 256 bytes`,
			`write it like "incoming/" or "teams/video/"`)
	}
	return *v
}
