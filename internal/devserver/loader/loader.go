// Package loader reads a synthesized cloud assembly (cdk.out) into what
// the local runner (internal/devserver) serves: the REST APIs with their
// routes, stages and gateway responses, the Lambda functions and their
// built code, the S3 buckets and the edge upload endpoints. It resolves
// references from the parsed templates (internal/assembly), never from
// their text, and lists what it does not emulate.
package loader

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/streamgate/streamgate/internal/assembly"
	"github.com/streamgate/streamgate/internal/edge"
)

// Assembly is what the runner serves from a cloud assembly.
type Assembly struct {
	Dir       string
	APIs      []*API
	Functions map[string]*Function // by stack/logical id
	Buckets   map[string]*Bucket   // by stack/logical id
	Edges     []*EdgeEndpoint
	// Rules are the EventBridge rules with an event pattern, and Queues
	// the SQS queues (by stack/logical id), targets and dead-letter queues.
	Rules  []*Rule
	Queues map[string]*Queue
	// Unsupported lists template features the runner does not emulate, to be
	// reported once at start-up.
	Unsupported []string

	outputs map[string]stackRef // stack/output name -> value
	exports map[string]stackRef // export name -> value
}

// API is one REST API with its stage.
type API struct {
	Stack        string
	LogicalID    string
	Name         string
	Stage        string
	EndpointType string // REGIONAL, EDGE or PRIVATE
	BinaryTypes  []string
	Routes       []*Route
	WebACL       bool
	// WAF is the web ACL associated with the stage, evaluated before the
	// guards; nil: none (or one defined in another stack).
	WAF *WebACL
	// GatewayResponses are the headers API Gateway adds to its own error
	// answers, by response type (DEFAULT_4XX, MISSING_AUTHENTICATION_TOKEN, ...).
	GatewayResponses map[string]*GatewayResponse
	// ThrottleRate and ThrottleBurst are the stage's throttling (the
	// MethodSettings of every method, "/*" "*"); 0: none set.
	ThrottleRate  float64
	ThrottleBurst int
	// StageVariables are the stage's Variables (those with a literal
	// value), which reach Lambda proxy events as stageVariables.
	StageVariables map[string]string
	// APIKeySource is where API Gateway reads a request's API key: HEADER
	// (x-api-key, the default) or AUTHORIZER (a Lambda authorizer's
	// usageIdentifierKey).
	APIKeySource string
	// UsagePlans are the usage plans with a stage of this API.
	UsagePlans []*UsagePlan
}

// GatewayResponse is an AWS::ApiGateway::GatewayResponse.
type GatewayResponse struct {
	Status int // 0: the status of the error itself
	// Headers by name: a quoted literal ('https://app.example.com') or a
	// request header (method.request.header.Origin).
	Headers map[string]string
}

// Route is one method of an API.
type Route struct {
	API           *API
	Method        string // GET, ..., ANY
	Path          string // /jobs/{id}/progress
	Resource      string // the resource path as API Gateway names it
	Integration   string // AWS_PROXY, HTTP_PROXY, MOCK, AWS, HTTP
	Stream        bool   // ResponseTransferMode STREAM
	TimeoutMillis int
	Function      *Function // AWS_PROXY
	HTTPURL       string    // HTTP_PROXY
	MockStatus    int
	MockHeaders   map[string]string
	// MockOrigins are the further origins a CORS preflight answers with
	// their own name (aws-cdk's response template for several allowed
	// origins sets Access-Control-Allow-Origin to the request's Origin when
	// it is one of them).
	MockOrigins   []string
	Authorization string // AWS_IAM, COGNITO_USER_POOLS, CUSTOM, NONE
	// Authorizer is the method's authorizer (CUSTOM, COGNITO_USER_POOLS).
	Authorizer *Authorizer
	// AuthorizationScopes are the OAuth scopes a Cognito access token must
	// have one of (AuthorizationScopes of the method).
	AuthorizationScopes []string
	// APIKeyRequired: the method needs an API key of one of the API's
	// usage plans (ApiKeyRequired).
	APIKeyRequired bool
	// Mapping is a MOCK, AWS or HTTP integration's parameter and template
	// mapping; nil for the proxy integrations.
	Mapping *Mapping
}

// Function is a Lambda function and its built code.
type Function struct {
	Stack       string
	LogicalID   string
	Description string
	AssetDir    string // holds bootstrap, or a Node.js or Python handler's code
	Arch        string // arm64 or x86_64
	Timeout     int    // seconds
	MemoryMB    int
	Env         map[string]string
	// Reserved is the template's ReservedConcurrentExecutions; -1 when unset.
	Reserved int
	// Runtime and Handler as the template names them ("provided.al2023",
	// "bootstrap"; "nodejs22.x", "index.handler"; "python3.13",
	// "index.handler").
	Runtime, Handler string
	// EnvRefs are variables whose value refers to another resource (a
	// bucket's Ref, a key's ARN): the runner resolves those it emulates.
	EnvRefs map[string]string // name -> logical id
	// What Lambda does with an asynchronous invocation that fails
	// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html):
	// AsyncRetries more attempts (EventInvokeConfig MaximumRetryAttempts,
	// default 2) while the event is younger than AsyncMaxAgeSec (default 6
	// hours), then the DeadLetterQueue (DeadLetterConfig) and the
	// OnFailureQueue (an on-failure destination).
	AsyncRetries, AsyncMaxAgeSec    int
	DeadLetterQueue, OnFailureQueue *Queue
}

// NodeRuntimes are the Node.js managed runtimes the runner runs, with AWS's
// Runtime Interface Client for Node.js.
var NodeRuntimes = []string{"nodejs20.x", "nodejs22.x", "nodejs24.x"}

// Node reports whether fn runs on a Node.js managed runtime the runner runs.
func (fn *Function) Node() bool { return slices.Contains(NodeRuntimes, fn.Runtime) }

// PythonRuntimes are the Python managed runtimes the runner runs, with AWS's
// Runtime Interface Client for Python.
var PythonRuntimes = []string{"python3.11", "python3.12", "python3.13", "python3.14"}

// Python reports whether fn runs on a Python managed runtime the runner runs.
func (fn *Function) Python() bool { return slices.Contains(PythonRuntimes, fn.Runtime) }

// notRunnable says why the runner cannot run fn, a function without code
// it found.
func notRunnable(fn *Function) string {
	const runs = "the runner runs a bootstrap, or a handler on nodejs20.x to nodejs24.x or python3.11 to python3.14"
	if fn.Runtime != "" && !strings.HasPrefix(fn.Runtime, "provided") && !fn.Managed() {
		return fmt.Sprintf("is on %s, which the runner does not run (%s)", fn.Runtime, runs)
	}
	return fmt.Sprintf("has no code the runner can run (%s; was it bundled?)", runs)
}

// Managed reports whether fn runs on a managed runtime (Node.js, Python)
// from its asset folder, rather than as a bootstrap.
func (fn *Function) Managed() bool { return fn.Node() || fn.Python() }

// Bucket is an S3 bucket of the template, emulated by the local S3 server.
type Bucket struct {
	Stack     string
	LogicalID string
	Name      string // the local bucket name
	// CorsRules are the bucket's CORS rules (CorsConfiguration.CorsRules).
	CorsRules []CorsRule
	// EventBridge: the bucket sends its events to EventBridge
	// (NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled).
	EventBridge bool
}

// CorsRule is one rule of a bucket's CORS configuration.
type CorsRule struct {
	AllowedOrigins, AllowedMethods, AllowedHeaders, ExposedHeaders []string
	MaxAge                                                         int // seconds; 0 when not set
}

// CorsOrigins are the origins of the bucket's CORS rules.
func (b *Bucket) CorsOrigins() []string {
	var out []string
	for _, r := range b.CorsRules {
		out = append(out, r.AllowedOrigins...)
	}
	return out
}

type cfnResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	Metadata   map[string]any `json:"Metadata"`
}

// Load reads the cloud assembly in dir.
func Load(dir string) (*Assembly, error) {
	m, err := assembly.ReadManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w (run `make synth` first)", dir, err)
	}
	a := &Assembly{Dir: dir, Functions: map[string]*Function{}, Buckets: map[string]*Bucket{}, Queues: map[string]*Queue{},
		outputs: map[string]stackRef{}, exports: map[string]stackRef{}}
	templates := m.Templates(dir)
	stacks := slices.Sorted(maps.Keys(templates))
	nested, err := readNestedTemplates(dir, m)
	if err != nil {
		return nil, err
	}
	// Two passes: the functions, buckets and outputs of every stack first,
	// so that a route can use a function of another stack (a cross-stack
	// reference: Fn::ImportValue of its export, or Fn::GetStackOutput).
	all := map[string]map[string]cfnResource{}
	for _, stack := range stacks {
		if all[stack], err = a.loadTemplate(stack, templates[stack], nested); err != nil {
			return nil, err
		}
	}
	for _, stack := range stacks {
		if err := a.loadStack(stack, all[stack]); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// loadTemplate reads a stack's template (its nested stacks' resources
// inlined, nested.go): its functions, buckets and queues, and its outputs
// and exports. It returns the resources, for loadStack.
func (a *Assembly) loadTemplate(stack, file string, nested *nestedTemplates) (map[string]cfnResource, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var t struct {
		Resources map[string]cfnResource `json:"Resources"`
		Outputs   map[string]struct {
			Value  any            `json:"Value"`
			Export map[string]any `json:"Export"`
		} `json:"Outputs"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	res, err := a.inlineNested(nested, stack, t.Resources, 0)
	if err != nil {
		return nil, err
	}
	if err := a.loadFunctions(stack, res); err != nil {
		return nil, err
	}
	for name, o := range t.Outputs {
		target := stackRef{stack: stack, value: o.Value}
		a.outputs[stack+"/"+name] = target
		if e := str(o.Export["Name"]); e != "" {
			a.exports[e] = target
		}
	}
	return res, nil
}

// stackRef is an output's value in its stack.
type stackRef struct {
	stack string
	value any
}

func (a *Assembly) loadFunctions(stack string, res map[string]cfnResource) error {
	for id, r := range res {
		switch r.Type {
		case "AWS::S3::Bucket":
			b := &Bucket{Stack: stack, LogicalID: id, Name: localBucketName(stack, id)}
			for _, rule := range list(assembly.Get(r.Properties, "CorsConfiguration", "CorsRules")) {
				rm, _ := rule.(map[string]any)
				maxAge, _ := rm["MaxAge"].(float64)
				b.CorsRules = append(b.CorsRules, CorsRule{AllowedOrigins: strs(rm["AllowedOrigins"]), AllowedMethods: strs(rm["AllowedMethods"]),
					AllowedHeaders: strs(rm["AllowedHeaders"]), ExposedHeaders: strs(rm["ExposedHeaders"]), MaxAge: int(maxAge)})
			}
			b.EventBridge, _ = assembly.Get(r.Properties, "NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled").(bool)
			a.Buckets[stack+"/"+id] = b
		case "AWS::SQS::Queue":
			a.loadQueue(stack, id, r)
		case "AWS::Lambda::Function":
			fn, err := a.loadFunction(stack, id, r)
			if err != nil {
				return err
			}
			a.Functions[stack+"/"+id] = fn
		}
	}
	return nil
}

// crossStackFunction finds the function a cross-stack reference in v
// names: Fn::ImportValue of an export, or Fn::GetStackOutput, whose value
// is the function's Fn::GetAtt Arn in its own stack.
func (a *Assembly) crossStackFunction(v any) *Function {
	var found *Function
	assembly.Walk(v, func(x map[string]any) bool {
		var ref *stackRef
		if imp, ok := x["Fn::ImportValue"]; ok {
			if r, ok := a.exports[str(imp)]; ok {
				ref = &r
			}
		}
		if out, ok := x["Fn::GetStackOutput"].(map[string]any); ok {
			if r, ok := a.outputs[str(out["StackName"])+"/"+str(out["OutputName"])]; ok {
				ref = &r
			}
		}
		if ref == nil {
			return true
		}
		if id := assembly.GetAtt(ref.value); id != "" && a.Functions[ref.stack+"/"+id] != nil {
			found = a.Functions[ref.stack+"/"+id]
		}
		return false
	})
	return found
}

// loadStack reads a stack's APIs (their stages, gateway responses, web
// ACLs, methods and usage plans), authorizers, rules, edge endpoints and
// asynchronous invocation settings. Its resources are read in logical id
// order, for a stable order of routes and notices.
func (a *Assembly) loadStack(stack string, res map[string]cfnResource) error {
	ids := slices.Sorted(maps.Keys(res))
	a.loadAsync(stack, res, ids)
	apis, authorizers, acls := a.loadStackResources(stack, ids, res)
	a.noteAlarms(stack, ids, res)
	ofType(ids, res, "AWS::ApiGateway::Stage", func(id string, r cfnResource) {
		if api := apis[assembly.Ref(r.Properties["RestApiId"])]; api != nil && api.Stage == "" {
			a.loadStage(stack, id, r, api)
		}
	})
	ofType(ids, res, "AWS::ApiGateway::GatewayResponse", func(id string, r cfnResource) {
		if api := apis[assembly.Ref(r.Properties["RestApiId"])]; api != nil {
			loadGatewayResponse(r, api)
		}
	})
	if err := a.loadWebACLs(stack, ids, acls, res, apis); err != nil {
		return err
	}
	if err := a.loadMethods(stack, ids, res, apis, authorizers); err != nil {
		return err
	}
	a.loadUsagePlans(stack, res, apis)
	a.addAPIs(apis)
	return nil
}

// noteAlarms lists a stack's CloudWatch alarms in one notice: the runner
// keeps no metrics to raise them on.
func (a *Assembly) noteAlarms(stack string, ids []string, res map[string]cfnResource) {
	var alarms []string
	for _, id := range ids {
		if t := res[id].Type; t == "AWS::CloudWatch::Alarm" || t == "AWS::CloudWatch::CompositeAlarm" {
			alarms = append(alarms, id)
		}
	}
	if len(alarms) == 0 {
		return
	}
	named := strings.Join(alarms[:min(len(alarms), 3)], ", ")
	if len(alarms) > 3 {
		named += ", …"
	}
	a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: %d CloudWatch alarms (%s): not emulated (the runner keeps no metrics; its log and /_streamgate/requests show each request)",
		stack, len(alarms), named))
}

// ofType calls f with each resource of type typ, in the order of ids.
func ofType(ids []string, res map[string]cfnResource, typ string, f func(id string, r cfnResource)) {
	for _, id := range ids {
		if r := res[id]; r.Type == typ {
			f(id, r)
		}
	}
}

// loadStackResources reads the resources that stand on their own: the
// APIs and authorizers (by logical id), the rules and edge endpoints; it
// lists the web ACLs, which loadWebACLs reads with their associations,
// and notes the custom domains the runner does not serve.
func (a *Assembly) loadStackResources(stack string, ids []string, res map[string]cfnResource) (apis map[string]*API, authorizers map[string]*Authorizer, acls []string) {
	apis, authorizers = map[string]*API{}, map[string]*Authorizer{}
	for _, id := range ids {
		r := res[id]
		switch r.Type {
		case "AWS::ApiGateway::RestApi":
			apis[id] = a.loadRestAPI(stack, id, r)
		case "AWS::ApiGateway::Authorizer":
			authorizers[id] = a.loadAuthorizer(stack, id, r)
		case "AWS::WAFv2::WebACL":
			acls = append(acls, id)
		case "AWS::Events::Rule":
			a.loadRule(stack, id, r)
		case "AWS::CloudFront::Distribution":
			a.loadEdge(stack, id, r)
		case "AWS::ApiGateway::DomainName":
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: custom domain %s (the APIs are served on 127.0.0.1 ports)", stack, id, str(r.Properties["DomainName"])))
		}
	}
	return apis, authorizers, acls
}

// loadRestAPI reads an AWS::ApiGateway::RestApi: EDGE and the HEADER API
// key source unless it says otherwise.
func (a *Assembly) loadRestAPI(stack, id string, r cfnResource) *API {
	api := &API{Stack: stack, LogicalID: id, Name: str(r.Properties["Name"]), EndpointType: "EDGE", APIKeySource: "HEADER"}
	if src := str(r.Properties["ApiKeySourceType"]); src != "" {
		api.APIKeySource = src
	}
	if types := list(assembly.Get(r.Properties, "EndpointConfiguration", "Types")); len(types) > 0 {
		api.EndpointType = str(types[0])
	}
	for _, t := range list(r.Properties["BinaryMediaTypes"]) {
		api.BinaryTypes = append(api.BinaryTypes, str(t))
	}
	if _, ok := r.Properties["MinimumCompressionSize"]; ok {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: MinimumCompressionSize (responses are not compressed locally)", stack, id))
	}
	return api
}

// loadStage reads an API's stage: its name, its literal variables and the
// throttling its method settings give every method ("/*" "*"); the
// throttling of one method is not emulated.
func (a *Assembly) loadStage(stack, id string, r cfnResource, api *API) {
	api.Stage = str(r.Properties["StageName"])
	if vars, ok := r.Properties["Variables"].(map[string]any); ok {
		for k, v := range vars {
			if s, ok := v.(string); ok {
				if api.StageVariables == nil {
					api.StageVariables = map[string]string{}
				}
				api.StageVariables[k] = s
			}
		}
	}
	for _, m := range list(r.Properties["MethodSettings"]) {
		ms, _ := m.(map[string]any)
		if str(ms["HttpMethod"]) != "*" || str(ms["ResourcePath"]) != "/*" {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: throttling of one method (%s %s): the stage's applies", stack, id, str(ms["HttpMethod"]), str(ms["ResourcePath"])))
			continue
		}
		if rate, ok := ms["ThrottlingRateLimit"].(float64); ok {
			api.ThrottleRate = rate
		}
		if burst, ok := ms["ThrottlingBurstLimit"].(float64); ok {
			api.ThrottleBurst = int(burst)
		}
	}
}

// loadGatewayResponse reads an AWS::ApiGateway::GatewayResponse into its
// API's, by response type.
func loadGatewayResponse(r cfnResource, api *API) {
	gr := &GatewayResponse{Headers: map[string]string{}}
	gr.Status, _ = strconv.Atoi(str(r.Properties["StatusCode"]))
	if params, ok := r.Properties["ResponseParameters"].(map[string]any); ok {
		for k, v := range params {
			if name, ok := strings.CutPrefix(k, "gatewayresponse.header."); ok {
				gr.Headers[name] = str(v)
			}
		}
	}
	if api.GatewayResponses == nil {
		api.GatewayResponses = map[string]*GatewayResponse{}
	}
	api.GatewayResponses[str(r.Properties["ResponseType"])] = gr
}

// loadMethods reads each AWS::ApiGateway::Method into a route of its API,
// with its authorizer, scopes and API key requirement; a method of an API
// defined elsewhere, or one the runner cannot serve, is noted.
func (a *Assembly) loadMethods(stack string, ids []string, res map[string]cfnResource, apis map[string]*API, authorizers map[string]*Authorizer) error {
	for _, id := range ids {
		r := res[id]
		if r.Type != "AWS::ApiGateway::Method" {
			continue
		}
		api := apis[assembly.Ref(r.Properties["RestApiId"])]
		if api == nil {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: a method of an API defined elsewhere", stack, id))
			continue
		}
		route, err := a.loadRoute(stack, id, r, res, api)
		if err != nil {
			return err
		}
		if route != nil {
			route.Authorizer = authorizers[assembly.Ref(r.Properties["AuthorizerId"])]
			route.AuthorizationScopes = strs(r.Properties["AuthorizationScopes"])
			route.APIKeyRequired, _ = r.Properties["ApiKeyRequired"].(bool)
			api.Routes = append(api.Routes, route)
		}
	}
	return nil
}

// addAPIs adds the stack's APIs in logical id order: the stage "prod"
// when the template has none, their web ACL's notice, their routes sorted
// by path, then method.
func (a *Assembly) addAPIs(apis map[string]*API) {
	for _, id := range slices.Sorted(maps.Keys(apis)) {
		api := apis[id]
		if api.Stage == "" {
			api.Stage = "prod"
		}
		if acl := api.WAF; acl != nil {
			a.Unsupported = append(a.Unsupported, acl.Describe(api))
		}
		sort.Slice(api.Routes, func(i, j int) bool {
			ri, rj := api.Routes[i], api.Routes[j]
			return ri.Path < rj.Path || ri.Path == rj.Path && ri.Method < rj.Method
		})
		a.APIs = append(a.APIs, api)
	}
}

func (a *Assembly) loadFunction(stack, id string, r cfnResource) (*Function, error) {
	fn := &Function{Stack: stack, LogicalID: id, Description: str(r.Properties["Description"]), Arch: "x86_64",
		Timeout: 3, MemoryMB: 128, Reserved: -1, Env: map[string]string{}, EnvRefs: map[string]string{},
		AsyncRetries: 2, AsyncMaxAgeSec: 21600}
	if n, ok := r.Properties["ReservedConcurrentExecutions"].(float64); ok {
		fn.Reserved = int(n)
	}
	if arch := list(r.Properties["Architectures"]); len(arch) > 0 {
		fn.Arch = str(arch[0])
	}
	if t, ok := r.Properties["Timeout"].(float64); ok {
		fn.Timeout = int(t)
	}
	if m, ok := r.Properties["MemorySize"].(float64); ok {
		fn.MemoryMB = int(m)
	}
	if vars, ok := assembly.Get(r.Properties, "Environment", "Variables").(map[string]any); ok {
		for k, v := range vars {
			switch x := v.(type) {
			case string:
				fn.Env[k] = x
			case float64, bool:
				fn.Env[k] = fmt.Sprint(x)
			default:
				if target := assembly.Ref(v); target != "" {
					fn.EnvRefs[k] = target
				} else if target := assembly.GetAtt(v); target != "" {
					fn.EnvRefs[k] = target
				}
			}
		}
	}
	fn.Runtime, fn.Handler = str(r.Properties["Runtime"]), str(r.Properties["Handler"])
	key := str(assembly.Get(r.Properties, "Code", "S3Key"))
	if hash, ok := strings.CutSuffix(key, ".zip"); ok {
		dir := filepath.Join(a.Dir, "asset."+hash)
		switch {
		case fn.Managed():
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				fn.AssetDir = dir
			}
		default:
			if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err == nil {
				fn.AssetDir = dir
			}
		}
	}
	return fn, nil
}

// loadRoute reads a method: its full path (walking the resource parents),
// its integration and authorization.
func (a *Assembly) loadRoute(stack, id string, r cfnResource, res map[string]cfnResource, api *API) (*Route, error) {
	method := str(r.Properties["HttpMethod"])
	path := resourcePath(r.Properties["ResourceId"], res)
	route := &Route{API: api, Method: method, Path: path, Resource: path, Authorization: str(r.Properties["AuthorizationType"])}
	integ, _ := r.Properties["Integration"].(map[string]any)
	route.Integration = str(integ["Type"])
	route.Stream = str(integ["ResponseTransferMode"]) == "STREAM"
	route.TimeoutMillis = 29000
	if ms, ok := integ["TimeoutInMillis"].(float64); ok {
		route.TimeoutMillis = int(ms)
	}
	where := fmt.Sprintf("%s/%s (%s %s)", stack, id, method, path)
	switch route.Integration {
	case "AWS_PROXY":
		uri, _ := json.Marshal(integ["Uri"])
		route.Function = a.uriFunction(stack, integ["Uri"])
		if route.Function == nil {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: Lambda integration with %s (not a function of this assembly)", where, uri))
			return nil, nil
		}
		if route.Function.AssetDir == "" {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: function %s %s", where, route.Function.LogicalID, notRunnable(route.Function)))
			return nil, nil
		}
	case "HTTP_PROXY":
		route.HTTPURL = str(integ["Uri"])
		if route.HTTPURL == "" {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: HTTP proxy to a URL known only at deploy time", where))
			return nil, nil
		}
	case "MOCK":
		loadMock(route, integ)
		route.Mapping = a.loadMapping(stack, integ, where)
	case "AWS", "HTTP":
		route.Mapping = a.loadMapping(stack, integ, where)
	default:
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: %s integration (not emulated)", where, route.Integration))
		return nil, nil
	}
	return route, nil
}

// loadMock reads a MOCK integration's first integration response: its
// status and literal headers, and the further origins aws-cdk's CORS
// preflight template answers with their own name.
func loadMock(route *Route, integ map[string]any) {
	route.MockStatus, route.MockHeaders = 200, map[string]string{}
	resps := list(integ["IntegrationResponses"])
	if len(resps) == 0 {
		return
	}
	first, _ := resps[0].(map[string]any)
	if s, err := strconv.Atoi(str(first["StatusCode"])); err == nil {
		route.MockStatus = s
	}
	if params, ok := first["ResponseParameters"].(map[string]any); ok {
		for k, v := range params {
			name := strings.TrimPrefix(k, "method.response.header.")
			if s := str(v); strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'") && len(s) >= 2 {
				route.MockHeaders[name] = s[1 : len(s)-1]
			}
		}
	}
	if first["ResponseTemplates"] != nil {
		tmpl := str(assembly.Get(first, "ResponseTemplates", "application/json"))
		if strings.Contains(tmpl, "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)") {
			for _, m := range corsTemplateOrigin.FindAllStringSubmatch(tmpl, -1) {
				route.MockOrigins = append(route.MockOrigins, m[1])
			}
		}
	}
}

// corsTemplateOrigin finds the origins in aws-cdk's preflight template for
// several origins (aws-apigateway lib/resource.ts, addCorsPreflight):
// #if($origin == "https://a" || $origin == "https://b").
var corsTemplateOrigin = regexp.MustCompile(`\$origin == "([^"]*)"`)

// resourcePath walks an AWS::ApiGateway::Resource chain to "/a/{b}/c".
func resourcePath(id any, res map[string]cfnResource) string {
	var parts []string
	for depth := 0; depth < 64; depth++ {
		target := assembly.Ref(id)
		r, ok := res[target]
		if !ok || r.Type != "AWS::ApiGateway::Resource" {
			break // the root resource (Fn::GetAtt RestApi.RootResourceId)
		}
		parts = append([]string{str(r.Properties["PathPart"])}, parts...)
		id = r.Properties["ParentId"]
	}
	return "/" + strings.Join(parts, "/")
}

// localBucketName is a valid S3 bucket name for a template bucket.
func localBucketName(stack, id string) string {
	n := strings.ToLower(stack + "-" + id)
	var b strings.Builder
	for _, r := range n {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.Trim(s, "-")
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// strs are the strings of a template list (what is not a string, such as
// an unresolved reference, is left out).
func strs(v any) []string {
	var out []string
	for _, x := range list(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// EdgeEndpoint is an EdgeUploadEndpoint of the template.
type EdgeEndpoint struct {
	Stack     string
	LogicalID string // the distribution
	Mode      string // REDIRECT or THROUGH
	Config    edge.Config
	Bucket    *Bucket // the origin bucket, emulated by the runner's S3
}

// loadEdge reads a distribution made by EdgeUploadEndpoint; others are
// reported as not emulated.
func (a *Assembly) loadEdge(stack, id string, r cfnResource) {
	meta, ok := r.Metadata[edge.MetadataKey].(map[string]any)
	if !ok {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: CloudFront distribution (not served locally)", stack, id))
		return
	}
	e := &EdgeEndpoint{Stack: stack, LogicalID: id, Mode: str(meta["mode"])}
	b, _ := json.Marshal(meta["config"])
	if err := json.Unmarshal(b, &e.Config); err != nil {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: edge upload endpoint with unreadable metadata: %v", stack, id, err))
		return
	}
	origins := list(assembly.Get(r.Properties, "DistributionConfig", "Origins"))
	if len(origins) > 0 {
		if ga, ok := assembly.Get(origins[0], "DomainName", "Fn::GetAtt").([]any); ok && len(ga) > 0 {
			e.Bucket = a.Buckets[stack+"/"+str(ga[0])]
		}
	}
	if e.Bucket == nil {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: edge upload endpoint into a bucket outside the template (not served locally)", stack, id))
		return
	}
	a.Edges = append(a.Edges, e)
}

// loadWebACLs reads the web ACLs associated with the APIs' stages
// (AWS::WAFv2::WebACLAssociation) and says, one line per ACL, what the
// runner evaluates of each.
func (a *Assembly) loadWebACLs(stack string, ids, acls []string, res map[string]cfnResource, apis map[string]*API) error {
	loaded := map[string]*WebACL{}
	associated := map[string]bool{}
	for _, id := range ids {
		r := res[id]
		if r.Type != "AWS::WAFv2::WebACLAssociation" {
			continue
		}
		refs := assembly.References(r.Properties["ResourceArn"])
		aclID := assembly.GetAtt(r.Properties["WebACLArn"])
		for _, apiID := range slices.Sorted(maps.Keys(apis)) {
			api := apis[apiID]
			if !refs[apiID] {
				continue
			}
			api.WebACL = true
			if res[aclID].Type != "AWS::WAFv2::WebACL" {
				a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: WAF web ACL of another stack or account on %s/%s: not evaluated locally", stack, id, stack, apiID))
				continue
			}
			acl := loaded[aclID]
			if acl == nil {
				var err error
				if acl, err = loadWebACL(stack, aclID, res); err != nil {
					return err
				}
				loaded[aclID] = acl
			}
			if api.WAF != nil && api.WAF != acl {
				// A resource takes one web ACL
				// (https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html).
				a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: a second WAF web ACL (%s) on %s/%s, whose stage takes one: %s is evaluated", stack, id, aclID, stack, apiID, api.WAF.LogicalID))
				continue
			}
			api.WAF = acl
			associated[aclID] = true
		}
	}
	for _, id := range acls {
		if !associated[id] {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: WAF web ACL associated with no API of this stack: not evaluated locally", stack, id))
		}
	}
	return nil
}
