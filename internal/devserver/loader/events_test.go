package loader

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/assemblytest"
)

// TestLoadRules reads what constructs/uploads synthesizes for
// OnUploadedFunction (test/testdata/regulated.golden.json): the bucket's
// EventBridge notifications, the rule with its bucket reference resolved,
// the Lambda target with its retry policy and dead-letter queue, and the
// function's own dead-letter queue.
func TestLoadRules(t *testing.T) {
	dir, write := assemblytest.OneStack(t, "S")
	os.MkdirAll(filepath.Join(dir, "asset.abc"), 0o755)
	os.WriteFile(filepath.Join(dir, "asset.abc", "bootstrap"), []byte("#!/bin/sh\n"), 0o755)
	getAtt := func(id string) map[string]any { return map[string]any{"Fn::GetAtt": []string{id, "Arn"}} }
	write("S.template.json", map[string]any{"Resources": map[string]any{
		"Bucket": map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{
			"NotificationConfiguration": map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}}}},
		"Plain":       map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{}},
		"DeadLetters": map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"MessageRetentionPeriod": 1209600}},
		"Named":       map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"QueueName": "uploads-seen"}},
		"OnUpload": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap",
			"Code": map[string]any{"S3Key": "abc.zip"}, "DeadLetterConfig": map[string]any{"TargetArn": getAtt("DeadLetters")}}},
		"OnUploadAsync": map[string]any{"Type": "AWS::Lambda::EventInvokeConfig", "Properties": map[string]any{
			"FunctionName": map[string]any{"Ref": "OnUpload"}, "Qualifier": "$LATEST", "MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 120}},
		"OnUploadRule": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{
			"EventPattern": map[string]any{"source": []string{"aws.s3"}, "detail-type": []string{"Object Created"},
				"resources": []any{getAtt("Bucket")},
				"detail": map[string]any{"bucket": map[string]any{"name": []any{map[string]any{"Ref": "Bucket"}}},
					"object": map[string]any{"key": []any{map[string]any{"prefix": "incoming/"}}}}},
			"State": "ENABLED",
			"Targets": []any{
				map[string]any{"Id": "Target0", "Arn": getAtt("OnUpload"), "RetryPolicy": map[string]any{"MaximumEventAgeInSeconds": 21600, "MaximumRetryAttempts": 2},
					"DeadLetterConfig": map[string]any{"Arn": getAtt("DeadLetters")}},
				map[string]any{"Id": "Target1", "Arn": getAtt("Named")},
				map[string]any{"Id": "Target2", "Arn": getAtt("Named"), "InputPath": "$.detail"},
			}}},
		"OtherBus": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{"EventBusName": "team", "State": "DISABLED",
			"EventPattern": map[string]any{"source": []string{"aws.s3"}}}},
		"Unknown": map[string]any{"Type": "AWS::Events::Rule", "Properties": map[string]any{
			"EventPattern": map[string]any{"detail": map[string]any{"bucket": map[string]any{"name": []any{map[string]any{"Ref": "Elsewhere"}}}}}}},
	}})
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Buckets["S/Bucket"].EventBridge || a.Buckets["S/Plain"].EventBridge {
		t.Errorf("EventBridge: Bucket %v, Plain %v; want true, false", a.Buckets["S/Bucket"].EventBridge, a.Buckets["S/Plain"].EventBridge)
	}
	fn, dlq, named := a.Functions["S/OnUpload"], a.Queues["S/DeadLetters"], a.Queues["S/Named"]
	if fn.DeadLetterQueue != dlq || fn.AsyncRetries != 1 || fn.AsyncMaxAgeSec != 120 || named.Name != "uploads-seen" || dlq.Name != "DeadLetters" {
		t.Errorf("function async: dlq %v, retries %d, age %d; queue names %q, %q", fn.DeadLetterQueue, fn.AsyncRetries, fn.AsyncMaxAgeSec, named.Name, dlq.Name)
	}
	if len(a.Rules) != 2 {
		t.Fatalf("rules: %d; want OnUploadRule and OtherBus", len(a.Rules))
	}
	r := a.Rules[0]
	wantPattern := map[string]any{"source": []any{"aws.s3"}, "detail-type": []any{"Object Created"}, "resources": []any{"arn:aws:s3:::s-bucket"},
		"detail": map[string]any{"bucket": map[string]any{"name": []any{"s-bucket"}}, "object": map[string]any{"key": []any{map[string]any{"prefix": "incoming/"}}}}}
	if r.LogicalID != "OnUploadRule" || r.EventBus != "default" || !r.Enabled || !reflect.DeepEqual(r.Pattern, wantPattern) {
		t.Errorf("rule %s on %s (enabled %v): pattern %s", r.LogicalID, r.EventBus, r.Enabled, jsonText(r.Pattern))
	}
	t0, t1, t2 := r.Targets[0], r.Targets[1], r.Targets[2]
	if t0.Function != fn || t0.MaxRetries != 2 || t0.MaxEventAgeSec != 21600 || t0.DeadLetter != dlq || t0.Transformed != "" {
		t.Errorf("target 0: %+v", t0)
	}
	if t1.Queue != named || t1.MaxRetries != 185 || t1.MaxEventAgeSec != 86400 || t1.DeadLetter != nil || t2.Transformed != "InputPath" {
		t.Errorf("target 1: %+v; target 2: %+v", t1, t2)
	}
	if o := a.Rules[1]; o.EventBus != "team" || o.Enabled {
		t.Errorf("OtherBus: bus %q, enabled %v", o.EventBus, o.Enabled)
	}
	notes := strings.Join(a.Unsupported, "\n")
	for _, want := range []string{"S/OnUploadRule target Target2: InputPath not applied locally", "S/OtherBus: rule on event bus team",
		`S/Unknown: event pattern refers to {"Ref":"Elsewhere"}, known only at deploy time`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notices lack %q:\n%s", want, notes)
		}
	}
}
