package streaming

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// MaxRestApiResources is API Gateway's default quota of resources (paths)
// per REST API: 300, which AWS raises on request
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
// An API whose routes create more gets the warning WarningResourceQuota.
const MaxRestApiResources = 300

// WarningResourceQuota is the id of the warning annotation for an API whose
// routes create more than MaxRestApiResources resources.
const WarningResourceQuota = "@streamgate/streaming:restApiResourceQuota"

// NestedStackId is the construct id of the API's nth nested stack of
// routes (from 1): "Routes1", "Routes2", ...
func NestedStackId(n int) string { return fmt.Sprintf("Routes%d", n) }

// nestedRoom is a nested stack of the API's routes and what they add to it.
type nestedRoom struct {
	stack  awscdk.NestedStack
	routes int
	adds   cost
	bytes  int
}

// Template bytes that a nested stack adds to the API's stack (its
// AWS::CloudFormation::Stack resource with the parameters it is passed),
// and a parameter or output adds to a template; a route's are counted once
// per route, as if each passed one value across.
const (
	nestedStackBytes = 1500
	crossStackBytes  = 250
)

// placeRoute puts route rp (named what in messages) in the API's stack or
// a nested stack (RoutesPerStack), and stops synth when it fits neither.
func (a *StreamingRestApi) placeRoute(what string, rp *routePlan) {
	limit := resourceLimit(a)
	if !a.placeInApiStack(what, rp, limit) {
		a.placeInNestedStack(what, rp, limit)
	}
}

// placeInApiStack puts rp in the API's stack and reports true when no
// nested stack is open yet and rp fits there (or routes never leave it);
// else it changes nothing and reports false.
func (a *StreamingRestApi) placeInApiStack(what string, rp *routePlan, limit int) bool {
	pl := a.planner
	if len(pl.nested) > 0 || pl.perStack > 0 && pl.homeRoutes >= pl.perStack {
		return false
	}
	total, tmpl := a.homeLoad(limit, rp.adds, rp.bytes)
	// Unless routes never leave it, the API's stack keeps room for
	// the resource of the nested stack that the route which does
	// not fit opens: the API that reaches its limit to within one
	// resource gets a nested stack one route earlier than the limit
	// itself would require.
	reserve, reserveBytes := 1, nestedStackBytes
	if pl.perStack == 0 {
		reserve, reserveBytes = 0, 0
	}
	fits := limit <= 0 || total+reserve <= limit && tmpl+reserveBytes <= MaxTemplateBytes
	if !fits && pl.perStack != 0 {
		return false
	}
	pl.addHome(rp.adds, rp.bytes)
	pl.homeRoutes++
	rp.pending = rp.adds.total()
	a.checkRoom(what, *rp, *awscdk.Stack_Of(a).Node().Path(), limit, total, tmpl)
	return true
}

// placeInNestedStack puts rp in the last nested stack, or in a new one
// when it does not fit there, counts what stays in the API's stack, and
// stops synth when either stack is over its limit.
func (a *StreamingRestApi) placeInNestedStack(what string, rp *routePlan, limit int) {
	pl := a.planner
	home, own := nestedSplit(rp)
	homeBytes := rp.bytes + crossStackBytes
	room := a.nestedRoomFor(limit, own)
	var outer *nestedRoom // the nested stack that holds the new one
	if room == nil {
		outer, homeBytes = a.countNewNestedStack(home, homeBytes)
	}
	total, tmpl := a.homeLoad(limit, home, homeBytes)
	a.checkRoom(what, *rp, *awscdk.Stack_Of(a).Node().Path(), limit, total, tmpl)
	pl.addHome(home, homeBytes)
	rp.pending = home.total()
	if room == nil {
		room = a.openNestedStack(outer)
		if outer == nil {
			// Its AWS::CloudFormation::Stack resource exists now: counted, not pending.
			pl.pending--
			rp.pending--
		}
	}
	pl.api["AWS::CloudFormation::Stack"] += home["AWS::CloudFormation::Stack"]
	room.routes++
	room.adds.add(own)
	room.bytes += crossStackBytes
	rp.room = room
	if limit > 0 {
		if n := room.adds.total() + 1; n > limit {
			a.checkRoom(what, *rp, *room.stack.Node().Path(), limit, n, 0)
		}
	}
}

// nestedSplit divides what a route in a nested stack adds between the
// API's stack (home) and the nested stack (own): the monitor's alarms,
// and the API-wide Lambda permission (under the REST API), stay in the
// API's stack, as do the deployment's dependency and the dashboard's
// graphs (rp.bytes).
func nestedSplit(rp *routePlan) (home, own cost) {
	home, own = cost{"AWS::CloudWatch::Alarm": rp.alarms}, minus(rp.adds, cost{"AWS::CloudWatch::Alarm": rp.alarms})
	if rp.apiScoped {
		// The per-method permissions removed (dropMethodScoped) may be in
		// any stack: none is counted as gone.
		home["AWS::Lambda::Permission"] = own["AWS::Lambda::Permission"]
		if home["AWS::Lambda::Permission"] < 0 {
			home["AWS::Lambda::Permission"] = 0
		}
		own["AWS::Lambda::Permission"] = 0
	}
	return home, own
}

// countNewNestedStack counts the AWS::CloudFormation::Stack resource of
// the nested stack that a route opens: in the last nested stack, which
// then holds the new one (outer), or, for the first, in the API's stack
// (home, and the returned homeBytes).
func (a *StreamingRestApi) countNewNestedStack(home cost, homeBytes int) (outer *nestedRoom, _ int) {
	pl := a.planner
	if len(pl.nested) == 0 {
		home["AWS::CloudFormation::Stack"]++
		return nil, homeBytes + nestedStackBytes
	}
	outer = pl.nested[len(pl.nested)-1]
	outer.adds["AWS::CloudFormation::Stack"]++
	outer.bytes += nestedStackBytes
	pl.api["AWS::CloudFormation::Stack"]++
	return outer, homeBytes
}

// nestedRoomFor is the last nested stack when it can take a route that
// adds own to it; nil when a new one is needed.
func (a *StreamingRestApi) nestedRoomFor(limit int, own cost) *nestedRoom {
	pl := a.planner
	if len(pl.nested) == 0 {
		return nil
	}
	room := pl.nested[len(pl.nested)-1]
	if pl.perStack > 0 && room.routes >= pl.perStack {
		return nil
	}
	adds := cost{}
	adds.add(room.adds)
	adds.add(own)
	// One resource kept, as in the API's stack, for a margin, and one for
	// the next nested stack, which this one holds.
	if limit > 0 && adds.total()+2 > limit || adds.bytes()+room.bytes+crossStackBytes+nestedStackBytes > MaxTemplateBytes {
		return nil
	}
	return room
}

// openNestedStack creates the API's next nested stack of routes: in the
// API's stack for the first, in the last one (outer) for the others, so
// that the API's stack, filled to its limit by then, holds one nested
// stack resource only. The deployment's dependency on a method of an inner
// stack becomes one on the first nested stack (aws-cdk lifts dependencies
// to the nested stack resource in the dependent's stack), which CloudFormation
// completes only with its inner stacks.
func (a *StreamingRestApi) openNestedStack(outer *nestedRoom) *nestedRoom {
	pl := a.planner
	var scope constructs.Construct = a
	if outer != nil {
		scope = outer.stack
	}
	n := awscdk.NewNestedStack(scope, jsii.String(NestedStackId(len(pl.nested)+1)), &awscdk.NestedStackProps{
		Description: jsii.String(fmt.Sprintf("streamgate: routes of %s, part %d", *a.Node().Path(), len(pl.nested)+1)),
	})
	room := &nestedRoom{stack: n, adds: cost{}}
	pl.nested = append(pl.nested, room)
	a.NestedStacks = append(a.NestedStacks, n)
	return room
}

// routeScope is where a route's handler, resources and method are made:
// the API, or its nested stack.
func (a *StreamingRestApi) routeScope(plan routePlan) constructs.Construct {
	if plan.room != nil {
		return plan.room.stack
	}
	return a
}

// resourceFor is the API Gateway resource of path, made in scope's stack
// where it does not exist yet. In the API's stack it is aws-cdk's
// ResourceForPath; in a nested stack, a new resource under one of another
// stack is a Resource of the nested stack with that parent (as aws-cdk's
// README shows for methods and resources across stacks), and the
// deployment depends on it and its methods as on those of the API's stack.
func (a *StreamingRestApi) resourceFor(scope constructs.Construct, path string) awsapigateway.IResource {
	res := a.Api.Root()
	if path == "/" {
		return res
	}
	if scope == constructs.Construct(a) {
		return res.ResourceForPath(jsii.String(path))
	}
	stack := *awscdk.Stack_Of(scope).Node().Path()
	for i, part := range strings.Split(path[1:], "/") {
		next := res.GetResource(jsii.String(part))
		switch {
		case next != nil:
			res = next
		case *awscdk.Stack_Of(res).Node().Path() == stack:
			res = res.AddResource(jsii.String(part), nil)
		default:
			id := strings.Join(strings.Split(path[1:], "/")[:i+1], ".")
			res = awsapigateway.NewResource(scope, jsii.String(id), &awsapigateway.ResourceProps{Parent: res, PathPart: jsii.String(part)})
		}
	}
	return res
}

// warnResourceQuota warns once when the API's routes have created more
// resources (paths) than API Gateway's default quota.
func (a *StreamingRestApi) warnResourceQuota() {
	pl := a.planner
	if n := len(pl.paths) - 1; n > MaxRestApiResources && !pl.quotaWarned {
		pl.quotaWarned = true
		awscdk.Annotations_Of(a).AddWarningV2(jsii.String(WarningResourceQuota), jsii.String(fmt.Sprintf(
			"the routes create %d API Gateway resources (paths); API Gateway allows %d per REST API unless the quota \"Resources per API\" is raised "+
				"(Service Quotas; https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html): request the increase before deploying, "+
				"or serve many paths from one \"/{proxy+}\" route.", n, MaxRestApiResources)), nil)
	}
}

// unstagePermissions makes the method-scoped Lambda permission of a route
// in a nested stack name any stage ("/*/GET/path") instead of the API's
// stage. aws-cdk's permission names the stage (Method.methodArn), which
// would make the nested stack depend on the stage, while the stage's
// deployment depends on the nested stack's methods: a cycle CloudFormation
// refuses (cfn-lint F3004). The permission stays scoped to the method and
// the API.
func (a *StreamingRestApi) unstagePermissions(route *Route) {
	method := route.Method
	if method == "ANY" {
		method = "*"
	}
	path := pathParam.ReplaceAllString(route.Path, "*") // a method ARN names a path parameter *
	for _, c := range *route.ApiMethod.Node().Children() {
		p, ok := c.(awslambda.CfnPermission)
		if !ok || strings.HasPrefix(*p.Node().Id(), "ApiPermission.Test.") {
			continue
		}
		p.SetSourceArn(a.Api.ArnForExecuteApi(jsii.String(method), jsii.String(path), jsii.String("*")))
	}
}
