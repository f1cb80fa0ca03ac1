// Package monitoring defines the alarms, the time-to-first-content metric and
// the dashboard that StreamingRestApi and PresignedUploadApi create with
// their Monitoring prop (off by default: alarms, custom metrics and
// dashboards are billed):
//
//	streaming.NewStreamingRestApi(stack, jsii.String("Api"), &streaming.StreamingRestApiProps{
//		Monitoring: &monitoring.MonitorProps{AlarmTopic: opsTopic, TimeToFirstContent: awscdk.Duration_Millis(jsii.Number(500))},
//	})
//
// Per route: the share of 5xx answers (API Gateway's per-method metrics),
// the handler's errors, throttles and a duration close to its timeout, and
// the p90 time to first content. Per stage: 4xx and 5xx shares and p99
// latency; per web ACL: blocked requests. Every alarm notifies the topic on
// ALARM and OK.
//
// The time to first content is API Gateway's name for how long the
// integration took to send its first bytes: it comes from the stage's JSON
// access log ($context.integration.timeToFirstContent), and a metric filter
// publishes it per method and resource as the custom metric
// TimeToFirstContent (namespace "Streamgate/<api name>"), which the
// dashboard shows as p50, p90 and p99.
package monitoring

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/internal/propcheck"
)

// Defaults of Props, and the names of the custom metric.
const (
	// DefaultServerErrorRate is the 5xx share that raises route and stage alarms.
	DefaultServerErrorRate = 0.05
	// DefaultClientErrorRate is the 4xx share that raises the stage alarm.
	DefaultClientErrorRate = 0.25
	// DefaultTimeToFirstContentMillis is the p90 time to first content that raises a
	// streaming route's alarm.
	DefaultTimeToFirstContentMillis = 2000
	// DefaultDurationShare is the share of a handler's timeout that raises
	// its duration alarm.
	DefaultDurationShare = 0.8
	// DefaultWafBlockedRequests is how many blocked requests in 5 minutes
	// raise the web ACL's alarm.
	DefaultWafBlockedRequests = 100
	// DefaultLatencyShare is the share of the integration timeout that the
	// stage's p99 latency alarm uses when Latency is unset.
	DefaultLatencyShare = 0.9
	// TimeToFirstContentMetric is the custom metric's name.
	TimeToFirstContentMetric = "TimeToFirstContent"
	// TimeToFirstContentNamespacePrefix starts its namespace, followed by the API name.
	TimeToFirstContentNamespacePrefix = "Streamgate/"
)

// MonitorProps configure monitoring.
type MonitorProps struct {
	// ApiName is the API's name, which the metrics of API Gateway carry and
	// the custom metric's namespace ends in. StreamingRestApi sets it;
	// required when you create a Monitor yourself.
	ApiName *string
	// StageName is the stage the alarms watch. StreamingRestApi sets it;
	// required when you create a Monitor yourself.
	StageName *string
	// AlarmTopic is notified when an alarm goes to ALARM and back to OK.
	// Default: a new SNS topic, TLS only, encrypted with a key of its own
	// that CloudWatch may use.
	AlarmTopic awssns.ITopic
	// ServerErrorRate is the share of requests answered 5xx (per route and
	// per stage, over 5 minutes) that raises an alarm, above 0 and at most
	// 1. Default: 0.05.
	ServerErrorRate *float64
	// ClientErrorRate is the share of requests answered 4xx on the stage
	// that raises an alarm. Default: 0.25.
	ClientErrorRate *float64
	// TimeToFirstContent raises a route's alarm when its p90 time to first
	// content over 5 minutes is above it. Default: 2 seconds.
	TimeToFirstContent awscdk.Duration
	// Latency raises the stage's alarm when its p99 latency is above it.
	// Default: 90% of the API's integration timeout.
	Latency awscdk.Duration
	// DurationShare raises a handler's alarm when its longest invocation
	// over 5 minutes passes this share of its timeout (0 to 1). Default: 0.8.
	DurationShare *float64
	// WafBlockedRequests raises the web ACL's alarm when it blocks more
	// requests than this in 5 minutes. Default: 100.
	WafBlockedRequests *float64
	// Dashboard creates a CloudWatch dashboard. Default: true.
	Dashboard *bool
}

// Validate reports what is wrong with p, one error per problem
// (errors.Join), nil when nothing is; prop names p in the messages
// ("Monitoring"). Values known only at deploy time are not checked.
func (p *MonitorProps) Validate(prop string) error {
	problems := propcheck.NewNamedProblems(prop)
	p.validate(problems, prop)
	return problems.Joined()
}

func (p *MonitorProps) validate(problems *propcheck.Problems, prop string) {
	if p == nil {
		return
	}
	if prop != "" {
		prop += "."
	}
	share := func(name string, v *float64) {
		if v != nil && propcheck.Resolved(v) && (*v <= 0 || *v > 1) {
			problems.Add(prop+name, fmt.Sprint(*v), "a share above 0 and at most 1 (0.05 is 5%)", "set a share, e.g. jsii.Number(0.05)")
		}
	}
	share("ServerErrorRate", p.ServerErrorRate)
	share("ClientErrorRate", p.ClientErrorRate)
	share("DurationShare", p.DurationShare)
	for _, d := range []struct {
		name string
		v    awscdk.Duration
	}{{"TimeToFirstContent", p.TimeToFirstContent}, {"Latency", p.Latency}} {
		if ms, ok := propcheck.Millis(d.v); ok && (ms <= 0 || ms > 15*60*1000) {
			problems.Add(prop+d.name, propcheck.Human(d.v), "more than 0 and at most 15 minutes", "set a duration in that range")
		}
	}
	if v := p.WafBlockedRequests; v != nil && propcheck.Resolved(v) && *v < 1 {
		problems.Add(prop+"WafBlockedRequests", fmt.Sprint(*v), "at least 1 request", "set a count")
	}
}

// Monitor holds the alarms and the dashboard of one API.
type Monitor struct {
	constructs.Construct
	// Topic is notified by every alarm.
	Topic awssns.ITopic
	// TopicKey encrypts Topic when the monitor created it; nil when
	// Props.AlarmTopic was given.
	TopicKey awskms.Key
	// Dashboard shows the API's metrics; nil with Dashboard false.
	Dashboard awscloudwatch.Dashboard
	// Alarms are every alarm, in the order they were made.
	Alarms []awscloudwatch.Alarm

	props     MonitorProps
	apiName   *string
	stage     *string
	namespace string
	action    awscloudwatch.IAlarmAction
	n         int
	functions map[string]bool // handlers alarmed already, by path
}

// ToString is the construct's path.
func (m *Monitor) ToString() *string { return m.Node().Path() }

// NewMonitor creates the monitor of the API p.ApiName's stage p.StageName
// (StreamingRestApi creates one as "Monitoring" with Props.Monitoring);
// the stage's alarms are created by Stage, a route's by Route. Invalid
// props stop synth with every problem listed.
func NewMonitor(scope constructs.Construct, id *string, p *MonitorProps) *Monitor {
	defer propcheck.Guard("Monitor", scope, id)
	problems := propcheck.NewProblems("Monitor", scope, id)
	problems.CheckUnique(scope, id)
	if p == nil {
		p = &MonitorProps{}
	}
	for _, f := range []struct {
		name, allowed string
		v             *string
	}{{"ApiName", "the REST API's name, which API Gateway's metrics carry", p.ApiName}, {"StageName", "the name of the stage the alarms watch", p.StageName}} {
		if f.v == nil {
			problems.Add(f.name, "unset", f.allowed, "set "+f.name)
		}
	}
	p.validate(problems, "")
	problems.Check()
	apiName, stage := p.ApiName, p.StageName
	m := &Monitor{props: *p, apiName: apiName, stage: stage, namespace: TimeToFirstContentNamespacePrefix + *apiName, functions: map[string]bool{}}
	constructs.NewConstruct_Override(m, scope, id)
	m.Topic = p.AlarmTopic
	if m.Topic == nil {
		key := awskms.NewKey(m, jsii.String("TopicKey"), &awskms.KeyProps{
			Description:       jsii.String("streamgate: encrypts the alarm topic of " + *scope.Node().Path()),
			EnableKeyRotation: jsii.Bool(true),
		})
		// CloudWatch alarms cannot publish to a topic encrypted with the
		// AWS managed SNS key: this key lets them, for this account only.
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CloudWatchAlarmsOfThisAccount"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()}},
		}), jsii.Bool(true))
		m.TopicKey = key
		m.Topic = awssns.NewTopic(m, jsii.String("Alarms"), &awssns.TopicProps{
			DisplayName: jsii.String("streamgate alarms: " + *apiName),
			MasterKey:   key,
			EnforceSSL:  jsii.Bool(true),
		})
	}
	m.action = awscloudwatchactions.NewSnsAction(m.Topic)
	if p.Dashboard == nil || *p.Dashboard {
		name := *apiName
		if !propcheck.Resolved(apiName) { // a Token API name: the construct path instead
			name = strings.ReplaceAll(*scope.Node().Path(), "/", "-")
		}
		m.Dashboard = awscloudwatch.NewDashboard(m, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
			DashboardName: jsii.String(dashboardName(name)),
		})
	}
	return m
}

// dashboardName is name made of what dashboard names allow.
func dashboardName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	s := b.String()
	if len(s) > 255 {
		s = s[:255]
	}
	return s
}

func or(v *float64, def float64) float64 {
	if v != nil {
		return *v
	}
	return def
}

func (m *Monitor) alarm(id, description string, metric awscloudwatch.IMetric, threshold float64) awscloudwatch.Alarm {
	a := awscloudwatch.NewAlarm(m, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription:   jsii.String(description),
	})
	a.AddAlarmAction(m.action)
	a.AddOkAction(m.action)
	m.Alarms = append(m.Alarms, a)
	return a
}

func (m *Monitor) apiMetric(name, statistic string, dims map[string]*string) awscloudwatch.Metric {
	d := map[string]*string{"ApiName": m.apiName, "Stage": m.stage}
	for k, v := range dims {
		d[k] = v
	}
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/ApiGateway"), MetricName: jsii.String(name), DimensionsMap: &d,
		Statistic: jsii.String(statistic), Period: awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

// Stage creates the stage's alarms: 4xx and 5xx shares, and p99 latency
// above Latency (default: 90% of timeout).
func (m *Monitor) Stage(timeout awscdk.Duration) {
	latency := m.props.Latency
	if latency == nil {
		if ms, ok := propcheck.Millis(timeout); ok {
			latency = awscdk.Duration_Millis(jsii.Number(ms * DefaultLatencyShare))
		} else {
			latency = awscdk.Duration_Minutes(jsii.Number(13.5))
		}
	}
	serverRate, clientRate := or(m.props.ServerErrorRate, DefaultServerErrorRate), or(m.props.ClientErrorRate, DefaultClientErrorRate)
	m.alarm("Stage5xx", fmt.Sprintf("%s: more than %g%% of requests answered 5xx in 5 minutes", *m.apiName, serverRate*100),
		m.apiMetric("5XXError", "Average", nil), serverRate)
	m.alarm("Stage4xx", fmt.Sprintf("%s: more than %g%% of requests answered 4xx in 5 minutes", *m.apiName, clientRate*100),
		m.apiMetric("4XXError", "Average", nil), clientRate)
	m.alarm("StageLatency", fmt.Sprintf("%s: p99 latency above %s", *m.apiName, propcheck.Human(latency)),
		m.apiMetric("Latency", "p99", nil), *latency.ToMilliseconds(nil))
	if m.Dashboard != nil {
		m.Dashboard.AddWidgets(
			graph(*m.apiName+": requests and errors", m.apiMetric("Count", "Sum", nil), m.apiMetric("4XXError", "Sum", nil), m.apiMetric("5XXError", "Sum", nil)),
			graph(*m.apiName+": latency", m.apiMetric("Latency", "p50", nil), m.apiMetric("Latency", "p90", nil), m.apiMetric("Latency", "p99", nil)),
		)
	}
}

func graph(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.GraphWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String(title), Left: &metrics, Width: jsii.Number(12)})
}

// TimeToFirstContent creates the metric filter on the stage's access log
// group that publishes each streamed request's time to first content, per
// method and resource, for the API with id apiId (RestApi.RestApiId()).
func (m *Monitor) TimeToFirstContent(logs awslogs.ILogGroup, apiId *string) {
	awslogs.NewMetricFilter(m, jsii.String("TimeToFirstContentFilter"), &awslogs.MetricFilterProps{
		LogGroup: logs,
		FilterPattern: awslogs.FilterPattern_All(
			awslogs.FilterPattern_StringValue(jsii.String("$.apiId"), jsii.String("="), apiId),
			awslogs.FilterPattern_StringValue(jsii.String("$.responseTransferMode"), jsii.String("="), jsii.String("STREAMED")),
			awslogs.FilterPattern_StringValue(jsii.String("$.timeToFirstContent"), jsii.String("!="), jsii.String("-")),
		),
		MetricNamespace: jsii.String(m.namespace),
		MetricName:      jsii.String(TimeToFirstContentMetric),
		MetricValue:     jsii.String("$.timeToFirstContent"),
		Dimensions:      &map[string]*string{"Method": jsii.String("$.httpMethod"), "Resource": jsii.String("$.resourcePath")},
		Unit:            awscloudwatch.Unit_MILLISECONDS,
	})
}

func (m *Monitor) firstContent(method, path, statistic string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(m.namespace), MetricName: jsii.String(TimeToFirstContentMetric),
		DimensionsMap: &map[string]*string{"Method": jsii.String(method), "Resource": jsii.String(path)},
		Statistic:     jsii.String(statistic), Period: awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

// Route creates a route's alarms: its 5xx share, the p90 time to first
// content when mode is awsapigateway.ResponseTransferMode_STREAM (the
// route's RouteProps.TransferMode; BUFFERED answers have no first content
// of their own), and for a Lambda route (fn not nil) the handler's errors,
// throttles and a duration close to timeout (when known), once per handler.
// Another mode stops synth with the problem.
func (m *Monitor) Route(method, path string, mode awsapigateway.ResponseTransferMode, fn awslambda.IFunction, timeout awscdk.Duration) {
	if mode != awsapigateway.ResponseTransferMode_STREAM && mode != awsapigateway.ResponseTransferMode_BUFFERED {
		problems := propcheck.NewNamedProblems(fmt.Sprintf("Monitor %q: Route(%q, %q)", *m.Node().Path(), method, path))
		problems.Add("mode", fmt.Sprintf("%q", mode), "awsapigateway.ResponseTransferMode_STREAM or ResponseTransferMode_BUFFERED, the route's transfer mode",
			"pass the mode the route's integration has (RouteProps.TransferMode; STREAM unless you chose BUFFERED)")
		problems.Check()
	}
	m.n++
	id := fmt.Sprintf("Route%d", m.n)
	route := method + " " + path
	dims := map[string]*string{"Method": jsii.String(method), "Resource": jsii.String(path)}
	serverRate := or(m.props.ServerErrorRate, DefaultServerErrorRate)
	m.alarm(id+"5xx", fmt.Sprintf("%s %s: more than %g%% of requests answered 5xx in 5 minutes", *m.apiName, route, serverRate*100),
		m.apiMetric("5XXError", "Average", dims), serverRate)
	widgets := []awscloudwatch.IWidget{}
	if mode == awsapigateway.ResponseTransferMode_STREAM {
		threshold := m.props.TimeToFirstContent
		if threshold == nil {
			threshold = awscdk.Duration_Millis(jsii.Number(DefaultTimeToFirstContentMillis))
		}
		// The alarm's id, its description and the widget's title say "first
		// byte", as they did when the first stacks were deployed: they are
		// template text, and an id names the alarm resource.
		m.alarm(id+"TimeToFirstByte", fmt.Sprintf("%s %s: p90 time to first byte above %s", *m.apiName, route, propcheck.Human(threshold)),
			m.firstContent(method, path, "p90"), *threshold.ToMilliseconds(nil))
		widgets = append(widgets, graph(route+": time to first byte (ms)", m.firstContent(method, path, "p50"), m.firstContent(method, path, "p90"), m.firstContent(method, path, "p99")))
	}
	if fn != nil && !m.functions[*fn.Node().Path()] {
		m.functions[*fn.Node().Path()] = true // one set of alarms per handler, whatever its routes
		five := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")}
		m.alarm(id+"Errors", fmt.Sprintf("%s %s: the handler failed (Lambda Errors)", *m.apiName, route), fn.MetricErrors(five), 0)
		m.alarm(id+"Throttles", fmt.Sprintf("%s %s: the handler was throttled (Lambda Throttles)", *m.apiName, route), fn.MetricThrottles(five), 0)
		var duration awscloudwatch.Metric
		if ms, ok := propcheck.Millis(timeout); ok {
			share := or(m.props.DurationShare, DefaultDurationShare)
			duration = fn.MetricDuration(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")})
			m.alarm(id+"Duration", fmt.Sprintf("%s %s: an invocation ran past %g%% of the handler's %s timeout", *m.apiName, route, share*100, propcheck.Human(timeout)),
				duration, ms*share)
		}
		handler := []awscloudwatch.IMetric{fn.MetricErrors(five), fn.MetricThrottles(five)}
		widgets = append(widgets, graph(route+": handler errors and throttles", handler...))
		if duration != nil {
			widgets = append(widgets, graph(route+": handler duration (max)", duration))
		}
	}
	if m.Dashboard != nil && len(widgets) > 0 {
		m.Dashboard.AddWidgets(widgets...)
	}
}

// WebAcl creates the alarm on a web ACL's blocked requests; metricName is
// the ACL's metric name (its visibility config).
func (m *Monitor) WebAcl(metricName string) {
	metric := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/WAFV2"), MetricName: jsii.String("BlockedRequests"),
		DimensionsMap: &map[string]*string{"WebACL": jsii.String(metricName), "Region": awscdk.Aws_REGION(), "Rule": jsii.String("ALL")},
		Statistic:     jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5)),
	})
	limit := or(m.props.WafBlockedRequests, DefaultWafBlockedRequests)
	m.alarm("WafBlocked", fmt.Sprintf("%s: the web ACL blocked more than %g requests in 5 minutes", *m.apiName, limit), metric, limit)
	if m.Dashboard != nil {
		m.Dashboard.AddWidgets(graph(*m.apiName+": requests blocked by the web ACL", metric))
	}
}
