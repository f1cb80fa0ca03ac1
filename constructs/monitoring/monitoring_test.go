package monitoring_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// TestNewMonitorNeedsTheAPIAndStage: a Monitor made outside
// StreamingRestApi names what it lacks, and checks its other props too.
func TestNewMonitorNeedsTheAPIAndStage(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Ops"), nil)
	msg := cdktest.PanicMessage(t, func() {
		monitoring.NewMonitor(stack, jsii.String("Orders"), &monitoring.MonitorProps{ServerErrorRate: jsii.Number(5)})
	})
	for _, want := range []string{`Monitor "Ops/Orders" has 3 invalid props`,
		"ApiName is unset; allowed: the REST API's name, which API Gateway's metrics carry. Fix: set ApiName.",
		"StageName is unset; allowed: the name of the stage the alarms watch. Fix: set StageName.",
		"ServerErrorRate is 5; allowed: a share above 0 and at most 1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

// TestRouteAlarmsFollowTheTransferMode: a STREAM route gets the time to
// first content alarm, a BUFFERED one does not, and a mode that is neither
// (the zero value included) stops synth naming the argument.
func TestRouteAlarmsFollowTheTransferMode(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Ops"), nil)
	m := monitoring.NewMonitor(stack, jsii.String("Orders"), &monitoring.MonitorProps{
		ApiName: jsii.String("orders"), StageName: jsii.String("prod"), Dashboard: jsii.Bool(false),
	})
	m.Route("GET", "/orders", awsapigateway.ResponseTransferMode_STREAM, nil, nil)
	m.Route("POST", "/orders", awsapigateway.ResponseTransferMode_BUFFERED, nil, nil)
	var ids []string
	for _, a := range m.Alarms {
		ids = append(ids, *a.Node().Id())
	}
	if got, want := strings.Join(ids, " "), "Route15xx Route1TimeToFirstByte Route25xx"; got != want {
		t.Errorf("alarms %q, want %q", got, want)
	}
	msg := cdktest.PanicMessage(t, func() { m.Route("GET", "/other", "", nil, nil) })
	if want := `Monitor "Ops/Orders": Route("GET", "/other") has 1 invalid prop:` + "\n" +
		`  - mode is ""; allowed: awsapigateway.ResponseTransferMode_STREAM or ResponseTransferMode_BUFFERED`; !strings.Contains(msg, want) {
		t.Errorf("message %q lacks %q", msg, want)
	}
}
