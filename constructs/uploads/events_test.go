package uploads_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/streamgate/streamgate/constructs/gofunction"
	"github.com/streamgate/streamgate/constructs/uploads"
	"github.com/streamgate/streamgate/internal/cdktest"
)

const onUploadEntry = "github.com/streamgate/streamgate/examples/onupload"

func TestOnUploadedRoutesCompletedUploadsToTargets(t *testing.T) {
	stack := newStack("Events")
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{Mode: uploads.ModeMultipart})
	queue := awssqs.NewQueue(stack, jsii.String("Work"), nil)
	rule := up.OnUploaded(jsii.String("ToQueue"), awseventstargets.NewSqsQueue(queue, nil))
	fn := up.OnUploadedFunction(jsii.String("Process"), &gofunction.GoFunctionProps{Entry: jsii.String(onUploadEntry)})
	tp := synth(t, stack)

	want(t, "EventBridge on", get(tp.props(t, up.Bucket), "NotificationConfiguration"), map[string]any{"EventBridgeConfiguration": map[string]bool{"EventBridgeEnabled": true}})
	r := tp.props(t, rule)
	want(t, "pattern", r["EventPattern"], map[string]any{"source": []string{"aws.s3"}, "detail-type": []string{"Object Created"},
		"detail": map[string]any{"bucket": map[string]any{"name": []any{map[string]string{"Ref": tp.id(up.Bucket)}}},
			"object": map[string]any{"key": []map[string]string{{"prefix": "incoming/"}}}}})
	if targets := js(r["Targets"]); !strings.Contains(targets, tp.id(queue)) {
		t.Errorf("targets: %s", targets)
	}
	f := tp.props(t, fn.Function)
	if get(f, "DeadLetterConfig", "TargetArn") == nil {
		t.Error("the upload-event function has no dead-letter queue")
	}
	var fnRule map[string]any
	for _, r := range tp.ofType("AWS::Events::Rule") {
		if strings.Contains(js(r), tp.id(fn.Function)) {
			fnRule = r
		}
	}
	target := js(get(fnRule, "Properties", "Targets"))
	for _, w := range []string{`"DeadLetterConfig"`, `"MaximumRetryAttempts":2`, `"MaximumEventAgeInSeconds":21600`} {
		if !strings.Contains(target, w) {
			t.Errorf("function target lacks %s: %s", w, target)
		}
	}
	var reads bool
	for _, st := range tp.policyStatements(tp.id(fn.Role)) {
		if strings.Contains(js(st), `"s3:GetObject"`) && strings.Contains(js(st), `/incoming/*`) {
			reads = true
		}
	}
	if !reads {
		t.Error("the upload-event function may not read the uploads")
	}
}

func TestOnUploadedWithAnExistingBucketWarns(t *testing.T) {
	stack := newStack("EventsExisting")
	bucket := awss3.Bucket_FromBucketName(stack, jsii.String("Theirs"), jsii.String("team-uploads"))
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), &uploads.PresignedUploadApiProps{Bucket: bucket})
	up.OnUploaded(jsii.String("ToQueue"), awseventstargets.NewSqsQueue(awssqs.NewQueue(stack, jsii.String("Work"), nil), nil))
	assertions.Annotations_FromStack(stack).HasWarning(jsii.String("/EventsExisting/Uploads"), assertions.Match_StringLikeRegexp(jsii.String("its EventBridge notifications are not turned on")))
}

func TestFailsOnUploadedWithoutTargets(t *testing.T) {
	stack := newStack("EventsFail")
	up := uploads.NewPresignedUploadApi(stack, jsii.String("Uploads"), nil)
	msg := cdktest.PanicMessage(t, func() { up.OnUploaded(jsii.String("Nothing")) })
	if !strings.Contains(msg, `PresignedUploadApi.OnUploaded "EventsFail/Uploads/Nothing" has 1 invalid prop`) || !strings.Contains(msg, "targets is none") {
		t.Errorf("message: %s", msg)
	}
}
