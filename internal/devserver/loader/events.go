package loader

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/streamgate/streamgate/internal/assembly"
)

// Rule is an AWS::Events::Rule with an event pattern: the runner matches
// the S3 events of buckets with EventBridge notifications against it and
// delivers them to its targets.
type Rule struct {
	Stack, LogicalID string
	// EventBus is the bus's name: "default" unless EventBusName says
	// otherwise (S3 sends its events to the default bus only).
	EventBus string
	// Enabled: State ENABLED (the default), not DISABLED.
	Enabled bool
	// Pattern is the EventPattern with the template's references to
	// emulated buckets resolved (Ref: the local name; Fn::GetAtt Arn: its
	// ARN).
	Pattern any
	Targets []*Target
}

// Target is one of a rule's targets.
type Target struct {
	ID string
	// Function is a Lambda function of the assembly (EventBridge invokes
	// it asynchronously), or Queue an SQS queue; else Arn says what it is.
	Function *Function
	Queue    *Queue
	Arn      string
	// RetryPolicy: how often and how long EventBridge retries a delivery
	// that failed (defaults 185 times, 24 hours:
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
	MaxRetries     int
	MaxEventAgeSec int
	// DeadLetter is the target's dead-letter queue (DeadLetterConfig), for
	// events EventBridge could not deliver.
	DeadLetter *Queue
	// Transformed says the target has Input, InputPath or InputTransformer,
	// which the runner does not apply.
	Transformed string
}

// Queue is an AWS::SQS::Queue, kept as a local list of messages.
type Queue struct {
	Stack, LogicalID string
	// Name is QueueName when literal, else the logical id.
	Name string
}

// loadQueues reads a stack's queues (first pass: functions name them as
// dead-letter queues).
func (a *Assembly) loadQueue(stack, id string, r cfnResource) {
	q := &Queue{Stack: stack, LogicalID: id, Name: id}
	if n := str(r.Properties["QueueName"]); n != "" {
		q.Name = n
	}
	a.Queues[stack+"/"+id] = q
}

// queueOf is the queue an ARN names: Fn::GetAtt [queue, Arn] in stack.
func (a *Assembly) queueOf(stack string, arn any) *Queue {
	if id := assembly.GetAtt(arn); id != "" {
		return a.Queues[stack+"/"+id]
	}
	return nil
}

// loadAsync reads what Lambda does with a function's failed asynchronous
// invocations: its DeadLetterConfig, and AWS::Lambda::EventInvokeConfig
// (retries, event age, an on-failure SQS destination).
func (a *Assembly) loadAsync(stack string, res map[string]cfnResource, ids []string) {
	for _, id := range ids {
		r := res[id]
		switch r.Type {
		case "AWS::Lambda::Function":
			fn := a.Functions[stack+"/"+id]
			if dlc := assembly.Get(r.Properties, "DeadLetterConfig", "TargetArn"); fn != nil && dlc != nil {
				if fn.DeadLetterQueue = a.queueOf(stack, dlc); fn.DeadLetterQueue == nil {
					a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: dead-letter target %s is not a queue of this stack (failed asynchronous invocations are only logged)", stack, id, jsonText(dlc)))
				}
			}
		case "AWS::Lambda::EventInvokeConfig":
			fn := a.Functions[stack+"/"+assembly.Ref(r.Properties["FunctionName"])]
			if fn == nil {
				continue
			}
			if n, ok := r.Properties["MaximumRetryAttempts"].(float64); ok {
				fn.AsyncRetries = int(n)
			}
			if n, ok := r.Properties["MaximumEventAgeInSeconds"].(float64); ok {
				fn.AsyncMaxAgeSec = int(n)
			}
			if dest := assembly.Get(r.Properties, "DestinationConfig", "OnFailure", "Destination"); dest != nil {
				if q := a.queueOf(stack, dest); q != nil {
					fn.OnFailureQueue = q
				} else {
					a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: on-failure destination %s is not a queue of this stack (not delivered locally)", stack, id, jsonText(dest)))
				}
			}
			if assembly.Get(r.Properties, "DestinationConfig", "OnSuccess") != nil {
				a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s/%s: on-success destination (not delivered locally)", stack, id))
			}
		}
	}
}

// loadRule reads an AWS::Events::Rule; what the runner cannot deliver is
// listed in Unsupported.
func (a *Assembly) loadRule(stack, id string, r cfnResource) {
	where := stack + "/" + id
	if s := str(r.Properties["ScheduleExpression"]); s != "" {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: scheduled rule %s (schedules do not run locally: invoke the target yourself)", where, s))
	}
	if r.Properties["EventPattern"] == nil {
		return
	}
	rule := &Rule{Stack: stack, LogicalID: id, EventBus: "default", Enabled: str(r.Properties["State"]) != "DISABLED"}
	if bus := r.Properties["EventBusName"]; bus != nil {
		rule.EventBus = str(bus)
		if rule.EventBus == "" {
			rule.EventBus = jsonText(bus)
		}
	}
	pattern, unresolved := a.resolveBuckets(stack, r.Properties["EventPattern"])
	if unresolved != "" {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: event pattern refers to %s, known only at deploy time: the rule is not matched locally", where, unresolved))
		return
	}
	rule.Pattern = pattern
	for i, t := range list(r.Properties["Targets"]) {
		rule.Targets = append(rule.Targets, a.loadTarget(stack, where, i, t))
	}
	if rule.EventBus != "default" {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s: rule on event bus %s (S3 sends its events to the default bus: this rule gets none locally)", where, rule.EventBus))
	}
	a.Rules = append(a.Rules, rule)
}

// loadTarget reads the rule's i-th target: its retry policy (EventBridge's
// defaults: 185 retries over 24 hours), its dead-letter queue and what it
// delivers to, a function or queue of the assembly; what the runner
// cannot deliver is listed in Unsupported.
func (a *Assembly) loadTarget(stack, where string, i int, t any) *Target {
	tm, _ := t.(map[string]any)
	tg := &Target{ID: str(tm["Id"]), MaxRetries: 185, MaxEventAgeSec: 86400}
	if tg.ID == "" {
		tg.ID = fmt.Sprintf("Targets[%d]", i)
	}
	if n, ok := assembly.Get(tm, "RetryPolicy", "MaximumRetryAttempts").(float64); ok {
		tg.MaxRetries = int(n)
	}
	if n, ok := assembly.Get(tm, "RetryPolicy", "MaximumEventAgeInSeconds").(float64); ok {
		tg.MaxEventAgeSec = int(n)
	}
	if dl := assembly.Get(tm, "DeadLetterConfig", "Arn"); dl != nil {
		if tg.DeadLetter = a.queueOf(stack, dl); tg.DeadLetter == nil {
			a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s target %s: dead-letter queue %s is not a queue of this stack (undeliverable events are only logged)", where, tg.ID, jsonText(dl)))
		}
	}
	var transformed []string
	for _, k := range []string{"Input", "InputPath", "InputTransformer"} {
		if tm[k] != nil {
			transformed = append(transformed, k)
		}
	}
	tg.Transformed = strings.Join(transformed, ", ")
	a.resolveTarget(stack, tg, tm["Arn"])
	switch {
	case tg.Function != nil && tg.Function.AssetDir == "":
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s target %s: function %s has no code the runner can run (events for it are logged, not delivered)", where, tg.ID, tg.Function.LogicalID))
	case tg.Function == nil && tg.Queue == nil:
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s target %s (%s): only Lambda functions and SQS queues of the assembly are delivered to locally; its events are logged", where, tg.ID, tg.Arn))
	}
	if tg.Transformed != "" {
		a.Unsupported = append(a.Unsupported, fmt.Sprintf("%s target %s: %s not applied locally: the target gets the whole event", where, tg.ID, tg.Transformed))
	}
	return tg
}

// resolveTarget finds what a target's Arn names: a function or queue of
// the stack (Fn::GetAtt), or a function of another stack.
func (a *Assembly) resolveTarget(stack string, tg *Target, arn any) {
	if target := assembly.GetAtt(arn); target != "" {
		tg.Function = a.Functions[stack+"/"+target]
		tg.Queue = a.Queues[stack+"/"+target]
	}
	if tg.Function == nil && tg.Queue == nil {
		tg.Function = a.crossStackFunction(arn)
	}
	tg.Arn = str(arn)
	if tg.Arn == "" {
		tg.Arn = jsonText(arn)
	}
}

// resolveBuckets copies v with each reference to a bucket of the stack
// replaced by what it is locally: Ref, the bucket's local name; Fn::GetAtt
// Arn, its ARN. Any other intrinsic is returned as unresolved.
func (a *Assembly) resolveBuckets(stack string, v any) (any, string) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k := range x {
				if !strings.HasPrefix(k, "Fn::") && k != "Ref" {
					break
				}
				if b := a.Buckets[stack+"/"+assembly.Ref(x)]; b != nil {
					return b.Name, ""
				}
				if args, _ := x["Fn::GetAtt"].([]any); len(args) == 2 && str(args[1]) == "Arn" {
					if b := a.Buckets[stack+"/"+assembly.GetAtt(x)]; b != nil {
						return "arn:aws:s3:::" + b.Name, ""
					}
				}
				return nil, jsonText(x)
			}
		}
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r, bad := a.resolveBuckets(stack, x[k])
			if bad != "" {
				return nil, bad
			}
			out[k] = r
		}
		return out, ""
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, bad := a.resolveBuckets(stack, e)
			if bad != "" {
				return nil, bad
			}
			out[i] = r
		}
		return out, ""
	}
	return v, ""
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
