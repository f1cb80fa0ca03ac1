// Package propcheck holds the validation and default helpers the streamgate
// constructs share: problems collected across all props and reported at
// once, and checks that leave unresolved Tokens alone.
package propcheck

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/lambda/presign"
)

// Problems collects every invalid prop of a construct so that synth reports
// them all at once instead of one per run.
type Problems struct {
	construct string // e.g. `StreamingRestApi "Team/Streams"`
	list      []string
}

// NewProblems starts a collection for a construct of constructType that is
// about to be created in scope with id. The construct is named by its path
// (the id under its scope), which is what users find in the tree; an id that
// cannot be a construct id is the first problem.
func NewProblems(constructType string, scope constructs.IConstruct, id *string) *Problems {
	p := &Problems{construct: constructName(constructType, scope, id)}
	switch {
	case scope == nil:
		p.Add("scope", "nil", "the stack or construct to create it in", "pass a scope, e.g. the stack")
	case id == nil:
		p.Add("id", "nil", "a construct id unique within its scope, e.g. jsii.String(\"Api\")", "pass an id")
	default:
		p.CheckId("id", *id)
	}
	return p
}

// constructName names a construct of constructType made in scope with id
// by its path (`StreamingRestApi "Team/Streams"`), as users find it in the
// tree.
func constructName(constructType string, scope constructs.IConstruct, id *string) string {
	if id == nil && scope != nil {
		return fmt.Sprintf("%s (no id) in %q", constructType, *scope.Node().Path())
	}
	path := ""
	if id != nil {
		path = *id
	}
	if scope != nil {
		if sp := *scope.Node().Path(); sp != "" {
			path = sp + "/" + path
		}
	}
	return fmt.Sprintf("%s %q", constructType, path)
}

// NewNamedProblems starts a collection for something that is not a
// construct, such as a profile: name is how messages call it.
func NewNamedProblems(name string) *Problems { return &Problems{construct: name} }

var constructID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// CheckId records a problem when v cannot be an id that ends up in resource
// names, logical ids and metric names: letters, digits, - and _, starting
// with a letter or digit, at most 128 characters. Tokens are not checked.
func (p *Problems) CheckId(prop, v string) {
	if strings.Contains(v, "${Token[") {
		return
	}
	if !constructID.MatchString(v) || len(v) > 128 {
		p.Add(prop, fmt.Sprintf("%q", v), "1 to 128 letters, digits, ., - and _, starting with a letter or digit (it becomes part of resource and metric names)",
			"use an id like \"Uploads\" or \"team-api\"")
	}
}

// CheckUnique records a problem when scope already has a child named id,
// which CDK would otherwise refuse with a jsii panic and a goroutine trace.
func (p *Problems) CheckUnique(scope constructs.IConstruct, id *string) {
	if scope == nil || id == nil || scope.Node().TryFindChild(id) == nil {
		return
	}
	where := *scope.Node().Path()
	if where == "" {
		where = "the app"
	}
	p.Add("id", fmt.Sprintf("%q", *id), fmt.Sprintf("an id no other construct in %s has (it has a child %q already)", where, *id),
		"give one of the two another id, e.g. \""+*id+"2\"")
}

// Add records that prop has value, says what is allowed and how to fix it.
func (p *Problems) Add(prop, value, allowed, fix string) {
	p.list = append(p.list, fmt.Sprintf("%s is %s; allowed: %s. Fix: %s.", prop, value, allowed, fix))
}

// Addf records a problem in free form, for those that are not one prop's value.
func (p *Problems) Addf(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// Len is the number of problems recorded.
func (p *Problems) Len() int { return len(p.list) }

// Err is nil when nothing was recorded, else one error listing every problem.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	noun := "prop"
	if len(p.list) > 1 {
		noun = "props"
	}
	return fmt.Errorf("%s has %d invalid %s:\n  - %s", p.construct, len(p.list), noun, strings.Join(p.list, "\n  - "))
}

// PanicEnv is the environment variable that, set to 1, makes Fail panic
// outside tests too (to recover the error in a program of your own).
const PanicEnv = "STREAMGATE_PANIC"

// Fail stops synth with err, which names the construct, the prop and the
// fix. In tests (and with STREAMGATE_PANIC=1) it panics, so that the test
// can recover it. Otherwise it prints "Error: " and the message to standard
// error and exits with status 1: a panic would bury the message under a
// goroutine trace (the runtime cannot be told to print less than its
// default), and `cdk synth` shows the user the program's output as is.
func Fail(err error) {
	if testing.Testing() || os.Getenv(PanicEnv) == "1" {
		panic(failure{err})
	}
	fmt.Fprintf(os.Stderr, "\nError: %v\n\n", err)
	os.Exit(1)
}

// Check stops synth (Fail) when p holds any problem.
func (p *Problems) Check() {
	if err := p.Err(); err != nil {
		Fail(err)
	}
}

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

// Resolved reports whether v is known at synth time (not a Token).
func Resolved(v any) bool {
	if v == nil {
		return false
	}
	return !*awscdk.Token_IsUnresolved(v)
}

// Millis is d in milliseconds and whether it is known at synth time.
func Millis(d awscdk.Duration) (float64, bool) {
	if d == nil || *d.IsUnresolved() {
		return 0, false
	}
	return *d.ToMilliseconds(nil), true
}

// Human is d as "15 minutes", for messages.
func Human(d awscdk.Duration) string {
	if d == nil {
		return "unset"
	}
	if *d.IsUnresolved() {
		return "a Token"
	}
	return *d.ToHumanString()
}

// Bytes is n as "6 GiB (6442450944 bytes)", for messages.
func Bytes(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift {
			return fmt.Sprintf("%s %s (%d bytes)", strconv.FormatFloat(float64(n)/float64(int64(1)<<u.shift), 'f', -1, 64), u.name, n)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// Quote is s quoted for messages, or "unset".
func Quote(s *string) string {
	if s == nil {
		return "unset"
	}
	return fmt.Sprintf("%q", *s)
}

// Joined is nil when nothing was recorded, else the problems as one error
// each, joined (errors.Join): what a props type's Validate method returns,
// for a construct to merge with AddErr.
func (p *Problems) Joined() error {
	errs := make([]error, len(p.list))
	for i, m := range p.list {
		errs[i] = errors.New(m)
	}
	return errors.Join(errs...)
}

// AddErr records err, one problem per error it joins (see Joined).
func (p *Problems) AddErr(err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			p.AddErr(e)
		}
		return
	}
	msg := err.Error()
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	p.list = append(p.list, msg)
}

// failure is what Fail panics with, so that Guard lets it through.
type failure struct{ error }

func (f failure) Unwrap() error { return f.error }

// Guard, deferred first in a construct's New function, turns an error that
// aws-cdk raises through jsii while the construct is made (a value of a
// prop that streamgate passes on, such as RestApiProps or CORS) into Fail's
// clean error that names the construct, instead of a panic with a goroutine
// trace. Its own Fail and Go runtime errors (a bug) pass through.
func Guard(constructType string, scope constructs.IConstruct, id *string) {
	r := recover()
	if r == nil {
		return
	}
	err, ok := r.(error)
	var rt runtime.Error
	if _, ours := r.(failure); ours || !ok || errors.As(err, &rt) {
		panic(r)
	}
	msg := strings.TrimSpace(err.Error())
	if i := strings.Index(msg, "\n    at "); i > 0 { // the JavaScript stack, if any
		msg = msg[:i]
	}
	Fail(fmt.Errorf("%s: aws-cdk refused a value while creating it: %s\nFix: correct the prop it names (passed on to aws-cdk as is); "+
		"set %s=1 to see where it was raised", constructName(constructType, scope, id), strings.TrimSuffix(msg, "."), PanicEnv))
}

// KeyPrefix is v, the S3 key prefix of prop ("KeyPrefix"), or def when v is
// nil; a prefix the upload handler would refuse (presign.ValidPrefix) is a
// problem.
func (p *Problems) KeyPrefix(prop string, v *string, def string) string {
	if v == nil {
		return def
	}
	if !presign.ValidPrefix(*v) {
		p.Add(prop, fmt.Sprintf("%q", *v), `"/"-terminated segments of letters, digits and !-_.*'(), no leading "/", no "." or ".." segments, at most 256 bytes`,
			`write it like "incoming/" or "teams/video/"`)
	}
	return *v
}
