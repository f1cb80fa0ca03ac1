// Package perstack holds what streamgate constructs create once per stack,
// under one construct of the stack (ID), so that every construct of the
// stack finds and shares it.
package perstack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Id is the construct id, under each stack, of what the compliance profile
// creates once per stack (the log key, the VPC endpoints, the function
// security group).
const Id = "StreamgateCompliance"

// Holder is the stack's construct ID, created on first use.
func Holder(scope constructs.IConstruct) constructs.Construct {
	stack := awscdk.Stack_Of(scope)
	if c := stack.Node().TryFindChild(jsii.String(Id)); c != nil {
		return c.(constructs.Construct)
	}
	return constructs.NewConstruct(stack, jsii.String(Id))
}
