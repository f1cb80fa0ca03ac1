package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/edgeupload"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/constructs/wafsize"
)

// Misuses are the mistakes Misuse can make, by name.
var Misuses = []string{"props", "build", "entry-empty", "entry-app", "entry-missing", "token-seconds", "associate-nil", "nil-id", "metric-prefix", "waf-log-group", "edge-region"}

// Misuse defines a stack "TeamFail" with one mistake a team could make.
func Misuse(app awscdk.App, name string) {
	stack := awscdk.NewStack(app, jsii.String("TeamFail"), nil)
	route := func(entry string) *streaming.RouteProps {
		return &streaming.RouteProps{Method: jsii.String("GET"), Path: jsii.String("/x"), Entry: jsii.String(entry)}
	}
	api := func(p *streaming.StreamingRestApiProps) { streaming.NewStreamingRestApi(stack, jsii.String("Api"), p) }
	limit := awscdk.Size_Kibibytes(jsii.Number(8))
	switch name {
	case "props":
		api(&streaming.StreamingRestApiProps{IntegrationTimeout: awscdk.Duration_Minutes(jsii.Number(16)), Routes: &[]*streaming.RouteProps{route("./handlers/hello")}})
	case "build": // handlers/broken is written by the test: it does not compile
		api(&streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{route("./handlers/broken")}})
	case "entry-empty":
		api(&streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{route("")}})
	case "entry-app":
		api(&streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{route(".")}})
	case "entry-missing":
		api(&streaming.StreamingRestApiProps{Routes: &[]*streaming.RouteProps{route("./handlers/nosuch")}})
	case "token-seconds":
		p := awscdk.NewCfnParameter(stack, jsii.String("Timeout"), &awscdk.CfnParameterProps{Type: jsii.String("Number")})
		api(&streaming.StreamingRestApiProps{IntegrationTimeout: awscdk.Duration_Seconds(p.ValueAsNumber()), Routes: &[]*streaming.RouteProps{route("./handlers/hello")}})
	case "associate-nil":
		wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Acl"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: limit}).Associate(nil)
	case "nil-id":
		uploads.NewPresignedUploadApi(stack, nil, nil)
	case "metric-prefix":
		wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Acl"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: limit, MetricPrefix: jsii.String("team acl")})
	case "waf-log-group":
		logs := awslogs.NewLogGroup(stack, jsii.String("WafLogs"), &awslogs.LogGroupProps{LogGroupName: jsii.String("team-waf")})
		wafsize.NewSizeLimitedWebAcl(stack, jsii.String("Acl"), &wafsize.SizeLimitedWebAclProps{MaxBodySize: limit, LogGroup: logs})
	case "edge-region": // Redirect mode needs the stack's region; TeamFail has none
		edgeupload.NewEdgeUploadEndpoint(stack, jsii.String("Partners"), nil)
	default:
		panic(fmt.Sprintf("TEAMAPP_FAIL=%q: no such misuse; allowed: %v", name, Misuses))
	}
}
