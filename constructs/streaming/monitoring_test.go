package streaming_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/monitoring"
	"github.com/streamgate/streamgate/constructs/streaming"
	"github.com/streamgate/streamgate/internal/cdktest"
)

var monitored *synthed

// monitoredStack: Monitoring with defaults on an API with a streaming Go
// route, a buffered Go route, a streaming HTTP route and a web ACL.
func monitoredStack(t *testing.T) *synthed {
	if monitored == nil {
		stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("Monitored"), nil)
		api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
			Monitoring:         &monitoring.MonitorProps{},
			MaxRequestBodySize: awscdk.Size_Kibibytes(jsii.Number(8)),
			Routes: &[]*streaming.RouteProps{
				{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(handler)},
				{Method: jsii.String("POST"), Path: jsii.String("/jobs"), Entry: jsii.String(handler), TransferMode: awsapigateway.ResponseTransferMode_BUFFERED},
				{Method: jsii.String("GET"), Path: jsii.String("/legacy/{id}"), HttpUrl: jsii.String("https://legacy.example.com/{id}")},
			},
		})
		monitored = synth(t, stack, api)
	}
	return monitored
}

func alarmsByDescription(s *synthed) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, a := range s.ofType("AWS::CloudWatch::Alarm") {
		out[a["AlarmDescription"].(string)] = a
	}
	return out
}

func TestMonitoringAlarmsPerRouteAndStage(t *testing.T) {
	s := monitoredStack(t)
	alarms := alarmsByDescription(s)
	topic := s.logicalID(s.api.Monitor.Topic)
	for d, a := range alarms {
		for _, actions := range []string{"AlarmActions", "OKActions"} {
			want(t, d+" "+actions, a[actions], []map[string]string{{"Ref": topic}})
		}
	}
	name := "Monitored-Api"
	for desc, exp := range map[string]map[string]any{
		name + ": more than 5% of requests answered 5xx in 5 minutes":                          {"MetricName": "5XXError", "Statistic": "Average", "Threshold": 0.05},
		name + ": more than 25% of requests answered 4xx in 5 minutes":                         {"MetricName": "4XXError", "Threshold": 0.25},
		name + ": p99 latency above 13 minutes 30 seconds":                                     {"MetricName": "Latency", "ExtendedStatistic": "p99", "Threshold": 810000},
		name + " GET /records: more than 5% of requests answered 5xx in 5 minutes":             {"MetricName": "5XXError", "Threshold": 0.05},
		name + " GET /records: p90 time to first byte above 2 seconds":                         {"MetricName": "TimeToFirstContent", "Namespace": "Streamgate/" + name, "ExtendedStatistic": "p90", "Threshold": 2000},
		name + " GET /records: the handler failed (Lambda Errors)":                             {"MetricName": "Errors", "Threshold": 0},
		name + " GET /records: the handler was throttled (Lambda Throttles)":                   {"MetricName": "Throttles", "Threshold": 0},
		name + " GET /records: an invocation ran past 80% of the handler's 15 minutes timeout": {"MetricName": "Duration", "Statistic": "Maximum", "Threshold": 720000},
		name + " POST /jobs: an invocation ran past 80% of the handler's 29 seconds timeout":   {"Threshold": 23200},
		name + " GET /legacy/{id}: p90 time to first byte above 2 seconds":                     {"Threshold": 2000},
		name + ": the web ACL blocked more than 100 requests in 5 minutes":                     {"MetricName": "BlockedRequests", "Namespace": "AWS/WAFV2", "Threshold": 100},
	} {
		a, ok := alarms[desc]
		if !ok {
			t.Errorf("no alarm %q", desc)
			continue
		}
		for k, v := range exp {
			want(t, desc+" "+k, a[k], v)
		}
	}
	if _, ok := alarms[name+" POST /jobs: p90 time to first byte above 2 seconds"]; ok {
		t.Error("a buffered route has a time-to-first-content alarm")
	}
	if n := len(alarms); n != 15 {
		t.Errorf("%d alarms, want 15 (3 stage, 1 web ACL, 5+4+2 routes)", n)
	}
	dims := js(alarms[name+" GET /records: more than 5% of requests answered 5xx in 5 minutes"]["Dimensions"])
	for _, d := range []string{`"Name":"Method","Value":"GET"`, `"Name":"Resource","Value":"/records"`, `"Name":"Stage","Value":"prod"`, `"Name":"ApiName","Value":"Monitored-Api"`} {
		if !strings.Contains(dims, d) {
			t.Errorf("route alarm dimensions lack %s: %s", d, dims)
		}
	}
}

func TestMonitoringTimeToFirstContentMetricFilter(t *testing.T) {
	s := monitoredStack(t)
	filters := s.ofType("AWS::Logs::MetricFilter")
	if len(filters) != 1 {
		t.Fatalf("%d metric filters", len(filters))
	}
	f := filters[0]
	pattern := js(f["FilterPattern"])
	for _, w := range []string{`$.apiId = \"`, `$.responseTransferMode = \"STREAMED\"`, `$.timeToFirstContent != \"-\"`} {
		if !strings.Contains(pattern, w) {
			t.Errorf("filter pattern lacks %s: %s", w, pattern)
		}
	}
	want(t, "log group", f["LogGroupName"], map[string]string{"Ref": s.logicalID(s.api.AccessLogGroup)})
	want(t, "transformation", f["MetricTransformations"], []map[string]any{{"MetricName": "TimeToFirstContent", "MetricNamespace": "Streamgate/Monitored-Api",
		"MetricValue": "$.timeToFirstContent", "Unit": "Milliseconds",
		"Dimensions": []map[string]string{{"Key": "Method", "Value": "$.httpMethod"}, {"Key": "Resource", "Value": "$.resourcePath"}}}})
	format := js(s.props(t, s.api.Stage)["AccessLogSetting"])
	if !strings.Contains(format, `\"apiId\":\"$context.apiId\"`) {
		t.Errorf("the access log lacks apiId: %s", format)
	}
	if len(s.ofType("AWS::CloudWatch::Dashboard")) != 1 {
		t.Error("no dashboard")
	}
	topic := s.props(t, s.api.Monitor.Topic)
	if topic["KmsMasterKeyId"] == nil {
		t.Error("the alarm topic is not encrypted")
	}
	if !strings.Contains(js(s.ofType("AWS::SNS::TopicPolicy")), `"aws:SecureTransport":"false"`) {
		t.Error("the alarm topic takes requests without TLS")
	}
}

func TestMonitoringTeamTopicAndThresholds(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(false), jsii.String("TeamTopic"), nil)
	topic := awssns.NewTopic(stack, jsii.String("Ops"), nil)
	api := streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
		Monitoring: &monitoring.MonitorProps{AlarmTopic: topic, TimeToFirstContent: awscdk.Duration_Millis(jsii.Number(300)), ServerErrorRate: jsii.Number(0.01),
			Dashboard: jsii.Bool(false)},
		Routes: &[]*streaming.RouteProps{{Method: jsii.String("GET"), Path: jsii.String("/records"), Entry: jsii.String(handler)}},
	})
	s := synth(t, stack, api)
	if n := len(s.ofType("AWS::SNS::Topic")); n != 1 {
		t.Errorf("%d topics, want the team's only", n)
	}
	if n := len(s.ofType("AWS::CloudWatch::Dashboard")); n != 0 {
		t.Errorf("%d dashboards with Dashboard false", n)
	}
	alarms := alarmsByDescription(s)
	var ttfb map[string]any
	for d, a := range alarms {
		if strings.HasPrefix(d, "TeamTopic-Api GET /records: p90 time to first byte above 300") {
			ttfb = a
		}
	}
	if ttfb == nil || ttfb["Threshold"] != 300.0 {
		t.Errorf("time-to-first-content alarm: %v", ttfb)
	}
	if a := alarms["TeamTopic-Api: more than 1% of requests answered 5xx in 5 minutes"]; a == nil {
		t.Errorf("no 1%% stage alarm among %d", len(alarms))
	}
}

func TestFailsMonitoringMisuse(t *testing.T) {
	failsWith(t, &streaming.StreamingRestApiProps{Monitoring: &monitoring.MonitorProps{ServerErrorRate: jsii.Number(5), TimeToFirstContent: awscdk.Duration_Minutes(jsii.Number(20))}},
		"Monitoring.ServerErrorRate is 5; allowed: a share above 0 and at most 1", "Monitoring.TimeToFirstContent is 20 minutes; allowed: more than 0 and at most 15 minutes")
	existing := awsapigateway.NewRestApi(stack(), jsii.String("Existing"), nil)
	existing.Root().AddMethod(jsii.String("GET"), nil, nil)
	failsWith(t, &streaming.StreamingRestApiProps{ExistingRestApi: existing, Monitoring: &monitoring.MonitorProps{}},
		"Monitoring is set together with ExistingRestApi")
}

// TestMonitoringOffChangesNothing: without Monitoring the access log has no
// apiId and there are no alarms (the golden snapshots pin the rest).
func TestMonitoringOffChangesNothing(t *testing.T) {
	s := defaultStack(t)
	if n := len(s.ofType("AWS::CloudWatch::Alarm")); n != 0 {
		t.Errorf("%d alarms without Monitoring", n)
	}
	if strings.Contains(js(s.props(t, s.api.Stage)["AccessLogSetting"]), "apiId") {
		t.Error("apiId in the default access log")
	}
}
