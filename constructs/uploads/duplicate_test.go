package uploads_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/constructs/wafsize"
	"github.com/streamgate/streamgate/internal/cdktest"
)

// TestDuplicateIdsAreCleanErrors: a second construct with an id its scope
// has already stops synth with an error that names the id and the fix,
// not a jsii panic with a goroutine trace; no construct is half made.
func TestDuplicateIdsAreCleanErrors(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Dup"), nil)
	uploads.NewPresignedUploadApi(stack, jsii.String("Taken"), nil)
	for name, create := range map[string]func(){
		"StreamingRestApi": func() {
			streaming.NewStreamingRestApi(stack, jsii.String("Taken"), &streaming.StreamingRestApiProps{
				Routes: &[]*streaming.RouteProps{{Method: jsii.String("GET"), Path: jsii.String("/r"), Entry: jsii.String(uploads.HandlerEntry)}},
			})
		},
		"PresignedUploadApi": func() { uploads.NewPresignedUploadApi(stack, jsii.String("Taken"), nil) },
		"SizeLimitedWebAcl":  func() { wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Taken"), nil) },
		"gofunction.GoFunction": func() {
			gofunction.NewGoFunction(stack, jsii.String("Taken"), &gofunction.GoFunctionProps{Entry: jsii.String(uploads.HandlerEntry)})
		},
	} {
		msg := cdktest.PanicMessage(t, create)
		if !strings.Contains(msg, name+` "Dup/Taken"`) || !strings.Contains(msg, `id is "Taken"`) || !strings.Contains(msg, `has a child "Taken" already`) ||
			strings.Contains(msg, "goroutine") || strings.Contains(msg, "There is already a Construct") {
			t.Errorf("%s: %s", name, msg)
		}
	}
}
