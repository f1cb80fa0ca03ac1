package streaming

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/internal/propcheck"
)

// Limits a StreamingRestApi checks before it adds a route, from
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
// and https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html.
const (
	// MaxStackResources is CloudFormation's quota of resources in one
	// stack's template: 500. The context key StackResourceLimitContext,
	// which aws-cdk's own check at synth reads too, overrides it (0: no
	// check).
	MaxStackResources = 500
	// StackResourceLimitContext is aws-cdk's context key for the
	// resource limit of a stack ("@aws-cdk/core:stackResourceLimit").
	StackResourceLimitContext = "@aws-cdk/core:stackResourceLimit"
	// MaxTemplateBytes is the largest template CloudFormation accepts (from
	// S3): 1,000,000 bytes.
	MaxTemplateBytes = 1_000_000
	// MaxMethodScopedRoutes is how many routes of one API a shared function
	// (RouteProps.Function) may serve with aws-cdk's permissions scoped to
	// each method, two Lambda permissions per route (one under the
	// compliance profile): twelve routes keep them under about 10 KB of
	// the function's 20 KB resource policy. From the next route on, the
	// function has one permission for the whole API instead (aws-cdk's
	// ScopePermissionToMethod false), and its per-method ones are removed.
	MaxMethodScopedRoutes = 12
)

// cost is a number of CloudFormation resources by type.
type cost map[string]int

func (c cost) total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func (c cost) add(o cost) {
	for k, v := range o {
		c[k] += v
	}
}

// String is "AWS::Lambda::Function (61), AWS::IAM::Role (61)": most first,
// then by type.
func (c cost) String() string {
	kinds := make([]string, 0, len(c))
	for k, v := range c {
		if v != 0 {
			kinds = append(kinds, k)
		}
	}
	sort.Slice(kinds, func(i, j int) bool {
		if c[kinds[i]] != c[kinds[j]] {
			return c[kinds[i]] > c[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s (%d)", k, c[k])
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Template bytes of a resource of each type the routes add (aws-cdk
// indents templates by one space): the largest of 30 monitored streaming
// routes, rounded up; other types count defaultResourceBytes.
var resourceBytes = map[string]int{
	"AWS::Lambda::Function":     1250,
	"AWS::IAM::Role":            550,
	"AWS::IAM::Policy":          1250, // 2,330 for the first, with the X-Ray statement
	"AWS::Logs::LogGroup":       210,
	"AWS::ApiGateway::Resource": 290,
	"AWS::ApiGateway::Method":   1400,
	"AWS::Lambda::Permission":   850,
	"AWS::CloudWatch::Alarm":    1020,
}

const (
	defaultResourceBytes = 1000
	// routeBytes is what a route adds to resources that exist already:
	// the deployment's DependsOn on its method and resource.
	routeBytes = 100
	// dashboardRouteBytes is what a monitored route adds to the
	// dashboard's body (its graphs).
	dashboardRouteBytes = 1800
)

func (c cost) bytes() int {
	n := 0
	for k, v := range c {
		b, ok := resourceBytes[k]
		if !ok {
			b = defaultResourceBytes
		}
		n += v * b
	}
	return n
}

// routePlan is what adding a route creates, decided before anything is.
type routePlan struct {
	adds cost
	// bytes is what the route adds to the template besides adds' resources.
	bytes int
	// fnKey is the shared function's path; "" for a function of the
	// route's own or an HTTP route.
	fnKey string
	// apiScoped: the route's function is invoked under one permission for
	// the whole API instead of two for its method.
	apiScoped bool
	// autoMethodScoped: the route's per-method permissions are removed if
	// its function later gets an API-wide permission.
	autoMethodScoped bool
	// dropMethodScoped: this route gives its function the API-wide
	// permission, and the automatic per-method ones of earlier routes go.
	dropMethodScoped bool
	// alarms is how many of adds' resources are the monitor's alarms,
	// which stay in the API's stack.
	alarms int
	// room is the nested stack the route goes into; nil: the API's stack.
	room *nestedRoom
	// pending is how many resources the route adds to the API's stack
	// when it is built.
	pending int
}

// planner is the state that decides what a route adds: the paths that have
// resources already, the functions' routes and permissions. Routes are
// planned before they are built, so that a route that would not fit stops
// synth before any handler is built.
type planner struct {
	api         cost            // what the planned routes add, by type, in every stack
	home        cost            // what they add to the API's stack
	bytes       int             // what they add to the API's stack besides home's resources, in template bytes
	stack       int             // resources in the API's stack, counted or planned
	pending     int             // resources of the API's stack planned, not yet built
	perStack    int             // RoutesPerStack; -1: automatic
	homeRoutes  int             // routes in the API's stack
	nested      []*nestedRoom   // the nested stacks that hold routes, in order
	quotaWarned bool            // the API passed API Gateway's resource quota
	paths       map[string]bool // resource paths the routes created
	preflights  map[string]bool // paths given an OPTIONS method (ExistingRestApi)
	autoRoutes  map[string]int  // routes with automatic scoping per shared function
	apiWide     map[string]bool // shared functions with an API-wide permission
	monitored   map[string]bool // functions with alarms
}

func newPlanner(perStack *float64) *planner {
	n := -1
	if perStack != nil {
		n = int(*perStack)
	}
	return &planner{api: cost{}, home: cost{}, perStack: n, paths: map[string]bool{"/": true}, preflights: map[string]bool{},
		autoRoutes: map[string]int{}, apiWide: map[string]bool{}, monitored: map[string]bool{}}
}

// planRoute decides what r adds and records it as planned.
func (a *StreamingRestApi) planRoute(r *RouteProps) routePlan {
	pl := a.planner
	rp := routePlan{adds: cost{}, bytes: routeBytes}
	path := *r.Path
	rp.adds["AWS::ApiGateway::Method"]++
	newPaths := 0
	for i := 1; i <= len(path); i++ {
		if (i == len(path) || path[i] == '/') && !pl.paths[path[:i]] {
			pl.paths[path[:i]] = true
			newPaths++
		}
	}
	rp.adds["AWS::ApiGateway::Resource"] += newPaths
	if a.preflightAll {
		rp.adds["AWS::ApiGateway::Method"] += newPaths // the API adds OPTIONS to each new resource
	} else if a.cors != nil && !pl.preflights[path] {
		pl.preflights[path] = true
		rp.adds["AWS::ApiGateway::Method"]++
	}
	if r.HttpUrl == nil {
		a.planPermissions(r, &rp)
	}
	if a.Monitor != nil {
		a.planAlarms(r, &rp)
		rp.bytes += dashboardRouteBytes
	}
	pl.api.add(rp.adds)
	return rp
}

// planPermissions decides the Lambda side of a route: a function of its
// own (four resources) or a shared one, and how its Lambda permissions
// are scoped.
func (a *StreamingRestApi) planPermissions(r *RouteProps, rp *routePlan) {
	pl := a.planner
	perMethod := 2 // the method, and the console's test-invoke stage
	if a.compliance != nil {
		perMethod = 1
	}
	if r.Function == nil {
		for _, t := range []string{"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::Logs::LogGroup"} {
			rp.adds[t]++
		}
		if r.ScopePermissionToMethod != nil && !*r.ScopePermissionToMethod {
			rp.apiScoped = true
			rp.adds["AWS::Lambda::Permission"]++
		} else {
			rp.adds["AWS::Lambda::Permission"] += perMethod
		}
		return
	}
	rp.fnKey = *r.Function.Node().Path()
	switch {
	case r.ScopePermissionToMethod != nil && *r.ScopePermissionToMethod:
		rp.adds["AWS::Lambda::Permission"] += perMethod
		return
	case r.ScopePermissionToMethod == nil && !pl.apiWide[rp.fnKey] && pl.autoRoutes[rp.fnKey] < MaxMethodScopedRoutes:
		pl.autoRoutes[rp.fnKey]++
		rp.autoMethodScoped = true
		rp.adds["AWS::Lambda::Permission"] += perMethod
		return
	}
	rp.apiScoped = true
	if !pl.apiWide[rp.fnKey] {
		pl.apiWide[rp.fnKey] = true
		rp.dropMethodScoped = true
		rp.adds["AWS::Lambda::Permission"] += 1 - perMethod*pl.autoRoutes[rp.fnKey]
	}
}

// planAlarms counts the monitor's alarms for a route (monitoring.Monitor.Route).
func (a *StreamingRestApi) planAlarms(r *RouteProps, rp *routePlan) {
	alarms := 1 // 5xx share
	if transferMode(r) == awsapigateway.ResponseTransferMode_STREAM {
		alarms++ // time to first content
	}
	if r.HttpUrl == nil {
		key := rp.fnKey
		if key == "" {
			key = fmt.Sprintf("own %p", r) // a function of the route's own: always new
		}
		if !a.planner.monitored[key] {
			a.planner.monitored[key] = true
			alarms += 2 // errors, throttles
			// The duration alarm needs the function's timeout: a built
			// function's is always known unless FunctionTimeout is a Token.
			timeout := r.FunctionTimeout
			if r.Function != nil {
				timeout, _ = functionTimeout(r.Function)
			}
			if _, known := propcheck.Millis(timeout); known || (r.Function == nil && timeout == nil) {
				alarms++ // duration near the timeout
			}
		}
	}
	rp.adds["AWS::CloudWatch::Alarm"] += alarms
	rp.alarms = alarms
}

// homeLoad is what the API's stack would hold with adds and bytes more:
// its resources (one kept for the CDKMetadata resource that aws-cdk adds
// at synth, which CloudFormation counts too) and its template bytes. The
// stack is counted exactly (a walk of its tree) when the API is made;
// past 90% of the limit it is counted again for each route that adds to
// it, where resources that other constructs added since could make the
// difference. A route that adds no resource to it (one in a nested stack)
// does not count it again: a walk of a tree of hundreds of routes per
// route made large APIs' synth quadratic, and the synth-time check
// (resourceLimitCheck) still counts what others added.
func (a *StreamingRestApi) homeLoad(limit int, adds cost, bytes int) (total, tmpl int) {
	pl := a.planner
	if limit <= 0 {
		return 0, 0 // no limit: no count either
	}
	if adds.total() > 0 && pl.stack+adds.total()+1 > limit*9/10 {
		pl.stack = countResources(awscdk.Stack_Of(a)) + pl.pending
	}
	home := cost{}
	home.add(pl.home)
	home.add(adds)
	return pl.stack + adds.total() + 1, home.bytes() + pl.bytes + bytes + (pl.stack-pl.home.total())*defaultResourceBytes
}

// addHome records adds and bytes as planned in the API's stack.
func (pl *planner) addHome(adds cost, bytes int) {
	pl.home.add(adds)
	pl.bytes += bytes
	pl.stack += adds.total()
	pl.pending += adds.total()
}

// checkRoom stops synth when route r, planned as rp and named what in
// messages ("Routes[61] (GET /r61)"), brings stack to total resources (past
// limit) or its template to tmpl bytes (past MaxTemplateBytes).
func (a *StreamingRestApi) checkRoom(what string, rp routePlan, stack string, limit, total, tmpl int) {
	if limit <= 0 || total <= limit && tmpl <= MaxTemplateBytes {
		return
	}
	pl := a.planner
	var problem string
	if total > limit {
		problem = fmt.Sprintf("%s would bring stack %q to %d resources; allowed: at most %d per stack (CloudFormation's quota)",
			what, stack, total, limit)
	} else {
		problem = fmt.Sprintf("%s would bring stack %q's template to about %d bytes; allowed: at most %d (CloudFormation's quota)",
			what, stack, tmpl, MaxTemplateBytes)
	}
	propcheck.Fail(fmt.Errorf("%s: %s.\n  The API's routes have %d resources: %v.\n  The route adds %d: %v.\n%s",
		a.name(), problem, pl.api.total()-rp.adds.total(), minus(pl.api, rp.adds), rp.adds.total(), rp.adds, limitFixes))
}

// limitFixes are the ways out of the resource limit, for its errors.
var limitFixes = strings.Join([]string{
	"Fix: one of",
	"  - share one function between routes: make it once (gofunction.NewGoFunction) and set RouteProps.Function on each route: 4 resources fewer per route, and past " +
		strconv.Itoa(MaxMethodScopedRoutes) + " routes one Lambda permission for the API instead of two per route;",
	`  - serve many paths from one route: Path "/{proxy+}" (Method "ANY") with one handler that routes requests itself (lambda/httpstream runs a net/http ServeMux);`,
	"  - split the routes across stacks: leave RoutesPerStack unset (nested stacks of the API, each with its own limit), or another StreamingRestApi with ExistingRestApi in another stack;",
	"  - with Monitoring, each route adds alarms to the API's stack, whatever stack it is in: monitor a shared function's routes with one \"/{proxy+}\" route.",
}, "\n")

func minus(a, b cost) cost {
	out := cost{}
	out.add(a)
	for k, v := range b {
		out[k] -= v
	}
	return out
}

func (a *StreamingRestApi) name() string {
	return fmt.Sprintf("StreamingRestApi %q", *a.Node().Path())
}

// resourceLimit is the stack's resource limit: the context value aws-cdk
// reads, else MaxStackResources.
func resourceLimit(c constructs.IConstruct) int {
	v := c.Node().TryGetContext(jsii.String(StackResourceLimitContext))
	switch n := v.(type) {
	case nil:
		return MaxStackResources
	case float64:
		return int(n)
	case string:
		if i, err := strconv.Atoi(n); err == nil {
			return i
		}
	}
	return MaxStackResources
}

// countResources counts the resources of stack's own template: the
// CloudFormation resources under it, less those of its nested stacks (each
// has its own template; its AWS::CloudFormation::Stack resource stays).
func countResources(stack awscdk.Stack) int {
	n, _ := resourcesOf(stack, false)
	return n
}

// resourcesOf counts stack's resources as countResources does and, with
// byType, by type (one call into the CDK per resource: for errors only).
func resourcesOf(stack awscdk.Stack, byType bool) (int, cost) {
	types := cost{}
	n := 0
	path := *stack.Node().Path()
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch r := c.(type) {
		case awscdk.CfnResource:
			n++
			if byType {
				types[*r.CfnResourceType()]++
			}
		case awscdk.NestedStack:
			// Its resources, and those of the stacks nested in it, are
			// in its own templates.
			if *r.NestedStackParent().Node().Path() == path {
				m, t := allResources(r, byType)
				n -= m
				for k, v := range t {
					types[k] -= v
				}
			}
		}
	}
	return n, types
}

// allResources counts the CloudFormation resources under c, in any stack.
func allResources(c constructs.IConstruct, byType bool) (int, cost) {
	types := cost{}
	n := 0
	for _, x := range *c.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if r, ok := x.(awscdk.CfnResource); ok {
			n++
			if byType {
				types[*r.CfnResourceType()]++
			}
		}
	}
	return n, types
}

// resourceLimitCheck is the API's synth-time check of its stack's
// resources: it runs after every construct and aspect has added its own,
// before aws-cdk's own check, which would stop synth with a panic and a
// trace.
type resourceLimitCheck struct{ api *StreamingRestApi }

// Validate fails synth (propcheck.Fail) when the stack has more resources than
// its limit.
func (v *resourceLimitCheck) Validate() *[]*string {
	limit := resourceLimit(v.api)
	if limit <= 0 {
		return &[]*string{}
	}
	stack := awscdk.Stack_Of(v.api)
	// CDKMetadata, if any, is in the tree by now.
	if n := countResources(stack); n > limit {
		_, types := resourcesOf(stack, true)
		propcheck.Fail(fmt.Errorf("%s: stack %q has %d resources; allowed: at most %d per stack (CloudFormation's quota).\n  The stack has: %v.\n  The API's routes have: %v.\n%s",
			v.api.name(), *stack.Node().Path(), n, limit, types, v.api.planner.api, limitFixes))
	}
	return &[]*string{}
}

// removeMethodPermissions removes the Lambda permissions aws-cdk's
// LambdaIntegration put under method (scoped to it), now that the
// function has one for the whole API.
func removeMethodPermissions(method awsapigateway.Method) {
	for _, c := range *method.Node().Children() {
		if p, ok := c.(awslambda.CfnPermission); ok {
			method.Node().TryRemoveChild(p.Node().Id())
		}
	}
}
