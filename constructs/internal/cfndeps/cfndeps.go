// Package cfndeps removes DependsOn entries that a resource's properties
// already imply. aws-cdk's Lambda Function depends on its role construct,
// role and policy alike, although its Role property's Fn::GetAtt orders it
// after the role already; cfn-lint warns about each (W3005, "Obsolete
// DependsOn", aws/aws-cdk#24578).
package cfndeps

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Drop renders res's DependsOn without on, which res's properties must
// reference (Ref or Fn::GetAtt). Every other dependency stays: the list is
// produced at synth, when all are known.
func Drop(res, on awscdk.CfnResource) {
	res.AddOverride(jsii.String("DependsOn"), awscdk.Lazy_UncachedList(&dependsOn{res: res, drop: on},
		&awscdk.LazyListValueOptions{OmitEmpty: jsii.Bool(true)}))
}

type dependsOn struct {
	res, drop awscdk.CfnResource
}

// Produce is the sorted logical ids of res's dependencies but drop.
func (d *dependsOn) Produce(awscdk.IResolveContext) *[]*string {
	stack := awscdk.Stack_Of(d.res)
	drop := *d.drop.Node().Path()
	var ids []string
	for _, dep := range *d.res.ObtainDependencies() {
		if r, ok := dep.(awscdk.CfnResource); ok && *r.Node().Path() != drop {
			ids = append(ids, fmt.Sprint(stack.Resolve(r.LogicalId())))
		}
	}
	sort.Strings(ids)
	out := make([]*string, len(ids))
	for i := range ids {
		out[i] = jsii.String(ids[i])
	}
	return &out
}
