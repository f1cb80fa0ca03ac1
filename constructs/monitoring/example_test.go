package monitoring_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/monitoring"
)

// Alarms and a dashboard for an API's stage. StreamingRestApi makes this
// Monitor itself from Props.Monitoring; create one yourself for an API
// made elsewhere.
func ExampleNewMonitor() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Ops"), nil)

	m := monitoring.NewMonitor(stack, jsii.String("Orders"), &monitoring.MonitorProps{
		ApiName:            jsii.String("orders"),
		StageName:          jsii.String("prod"),
		TimeToFirstContent: awscdk.Duration_Millis(jsii.Number(500)),
		Dashboard:          jsii.Bool(false),
	})
	m.Stage(awscdk.Duration_Seconds(jsii.Number(29)))
	m.Route("GET", "/orders", awsapigateway.ResponseTransferMode_STREAM, nil, awscdk.Duration_Minutes(jsii.Number(15)))
	for _, a := range m.Alarms {
		fmt.Println(*a.Node().Id())
	}

	// Output:
	// Stage5xx
	// Stage4xx
	// StageLatency
	// Route15xx
	// Route1TimeToFirstByte
}
