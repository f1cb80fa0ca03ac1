// Package nagack acknowledges cdk-nag findings that a construct cannot fix
// for a streaming or upload reason, on the narrowest resource, with the
// reason a reviewer reads. It writes the "cdk_nag" metadata cdk-nag reads,
// so the constructs do not load cdk-nag into every user's synth.
package nagack

import (
	"encoding/json"
	"fmt"
	"github.com/streamgate/streamgate/internal/nagpacks/prefix"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/streamgate/streamgate/constructs/apiauth"
)

// Rule is one acknowledged finding: a rule id, the reason, and for granular
// rules (IAM4, IAM5) the findings it covers: literal strings or regexes
// written /like this/ (Regex).
type Rule struct {
	Id        string
	Reason    string
	AppliesTo []any
}

// Regex is an appliesTo entry matched as a regular expression.
func Regex(re string) any { return map[string]any{"regex": re} }

// Parts of an ARN in an appliesTo regex that hold for env-agnostic stacks
// (where cdk-nag renders the pseudo parameters as <AWS::Region>) and for
// stacks with a pinned env (a literal region and account). The partition
// stays a token unless "@aws-cdk/core:enablePartitionLiterals" makes it a
// literal in a pinned stack.
const (
	ArnEnv     = `(<AWS::Partition>|aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)`
	ArnRegion  = `(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\d)`
	ArnAccount = `(<AWS::AccountId>|\d{12})`
)

// Acknowledge adds the rules to the CloudFormation resource of c (c itself
// or its default child), keeping acknowledgements already there.
func Acknowledge(c constructs.IConstruct, rules ...Rule) {
	res := cfnResource(c)
	var list []any
	if existing, ok := res.GetMetadata(str("cdk_nag")).(map[string]any); ok {
		if prev, ok := existing["rules_to_suppress"].([]any); ok {
			list = prev
		}
	}
	have := map[string]bool{}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			have[ruleKey(m["id"], m["applies_to"])] = true
		}
	}
	for _, r := range rules {
		var applies any
		if len(r.AppliesTo) > 0 {
			applies = r.AppliesTo
		}
		// A resource several constructs share (the stack's account role)
		// is acknowledged by each of them: keep one entry per rule.
		key := ruleKey(r.Id, applies)
		if have[key] {
			continue
		}
		have[key] = true
		entry := map[string]any{"id": r.Id, "reason": r.Reason}
		if applies != nil {
			entry["applies_to"] = applies
		}
		list = append(list, entry)
	}
	res.AddMetadata(str("cdk_nag"), map[string]any{"rules_to_suppress": list})
}

func str(s string) *string { return &s }

// ruleKey identifies an acknowledgement by rule and the findings it covers.
func ruleKey(id, appliesTo any) string {
	b, _ := json.Marshal(appliesTo)
	return fmt.Sprint(id) + " " + string(b)
}

// RegulatedPacks are the rule id prefixes of cdk-nag's NIST 800-53 R5,
// HIPAA Security and PCI DSS 3.2.1 packs, which share rule names.
var RegulatedPacks = prefix.Regulated

// Regulated acknowledges the rule name (e.g. "LambdaDLQ") in each of the
// regulated packs with one reason.
func Regulated(name, reason string, appliesTo ...any) []Rule {
	rules := make([]Rule, len(RegulatedPacks))
	for i, p := range RegulatedPacks {
		rules[i] = Rule{Id: p + name, Reason: reason, AppliesTo: appliesTo}
	}
	return rules
}

// ForAuthorization acknowledges the rules that ask for one authorization
// mode when the route uses another on purpose.
func ForAuthorization(kind apiauth.Kind) []Rule {
	switch kind {
	case apiauth.KindIam:
		return []Rule{{Id: "AwsSolutions-COG4", Reason: "The method is authorized with AWS_IAM (SigV4-signed requests from principals allowed execute-api:Invoke), not a Cognito user pool."}}
	case apiauth.KindLambda:
		return []Rule{{Id: "AwsSolutions-COG4", Reason: "The method is authorized by a Lambda authorizer chosen by the API's owner, not a Cognito user pool."}}
	case apiauth.KindNone:
		return []Rule{
			{Id: "AwsSolutions-APIG4", Reason: "The API's owner asked for no authorization by name (apiauth.None()): the route is public."},
			{Id: "AwsSolutions-COG4", Reason: "The API's owner asked for no authorization by name (apiauth.None()): the route is public."},
		}
	}
	return nil
}

// ControlTower acknowledges AWS Control Tower proactive controls (ids such
// as "CT.S3.PR.9") on the CloudFormation resource of c, each with the
// reason AWS makes it impossible for that resource, as template metadata
// ("control_tower": {"acknowledged": [{"id", "reason"}]}) that streamgate's
// tests and a team's own checks read; cfn-guard itself does not.
func ControlTower(c constructs.IConstruct, rules ...Rule) {
	res := cfnResource(c)
	var list []any
	if existing, ok := res.GetMetadata(str("control_tower")).(map[string]any); ok {
		if prev, ok := existing["acknowledged"].([]any); ok {
			list = prev
		}
	}
	for _, r := range rules {
		list = append(list, map[string]any{"id": r.Id, "reason": r.Reason})
	}
	res.AddMetadata(str("control_tower"), map[string]any{"acknowledged": list})
}

// cfnResource is c itself when it is a CloudFormation resource, else its
// default child.
func cfnResource(c constructs.IConstruct) awscdk.CfnResource {
	res, ok := c.(awscdk.CfnResource)
	if !ok {
		if res, ok = c.Node().DefaultChild().(awscdk.CfnResource); !ok {
			panic(fmt.Sprintf("nagack: %s has no CloudFormation resource", *c.Node().Path()))
		}
	}
	return res
}
