package propcheck

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
)

// PanicEnv is the environment variable that, set to 1, makes Fail panic
// outside tests too (to recover the error in a program of your own).
const PanicEnv = "STREAMGATE_PANIC"

// Fail stops synth with err, which names the construct, the prop and the
// fix. In tests (and with STREAMGATE_PANIC=1) it panics, so that the test
// can recover it. Otherwise it prints "Error: " and the message to standard
// error and exits with status 1: a panic would bury the message under a
// goroutine trace (the runtime cannot be told to print less than its
// default), and `cdk synth` shows the user the program's output as is.
//
// testing.Testing is what tells a test binary apart: the go command marks
// the binaries it links for tests. The import costs a CDK app nothing at
// run time (since Go 1.13 the testing flags are registered only by a test
// binary's main), and the alternatives (a ".test" suffix on os.Args[0], a
// lookup of the "test.v" flag) are the guesses testing.Testing replaced.
func Fail(err error) {
	if testing.Testing() || os.Getenv(PanicEnv) == "1" {
		panic(failure{err})
	}
	fmt.Fprintf(os.Stderr, "\nError: %v\n\n", err)
	os.Exit(1)
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
