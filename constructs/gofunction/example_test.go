package gofunction_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// A Go function built from its package path, with the library's defaults:
// arm64, provided.al2023, a log group of its own and a role without
// wildcards.
func ExampleNewGoFunction() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Workers"), nil)

	fn := gofunction.NewGoFunction(stack, jsii.String("Records"), &gofunction.GoFunctionProps{
		Entry:       jsii.String("github.com/streamgate/streamgate/examples/demo/records"),
		Timeout:     awscdk.Duration_Minutes(jsii.Number(5)),
		Environment: &map[string]*string{"PAGE_SIZE": jsii.String("100")},
	})
	fmt.Println(*fn.Function.Runtime().Name(), *fn.Function.Architecture().Name(), *fn.Function.Node().Path(), fn.LogGroup != nil)

	// Output: provided.al2023 arm64 Workers/Records true
}
