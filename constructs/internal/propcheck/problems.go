// Package propcheck checks the props of the streamgate constructs before
// anything is built, and stops synth with every problem at once:
//
//   - Problems collects what is wrong with a construct's props (prop, value,
//     what is allowed, the fix) and reports them in one error (problems.go);
//     its checks of shared prop kinds (ids, timeouts, days, media types, key
//     prefixes, CORS) skip unresolved Tokens (checks.go, cors.go);
//   - Fail and Guard stop synth with that error: a clean message and exit
//     status 1, or a panic in tests (guard.go);
//   - Resolved, Millis, Human, Bytes and Quote read values that may be
//     Tokens and write them for messages (format.go).
package propcheck

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
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

// Check stops synth (Fail) when p holds any problem.
func (p *Problems) Check() {
	if err := p.Err(); err != nil {
		Fail(err)
	}
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
