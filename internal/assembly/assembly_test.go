package assembly

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFindingsReadEveryPlaceCdkWritesThem: the manifest, a stack's
// additional metadata file (aws-cdk-lib 2.270 and 2.277 without the annotations
// report), a nested assembly (a Stage) and the validation report.
func TestFindingsReadEveryPlaceCdkWritesThem(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"artifacts":{
		"Inline":{"type":"aws:cloudformation:stack","properties":{"templateFile":"Inline.template.json"},
			"metadata":{"/Inline/A":[{"type":"aws:cdk:warning","data":"inline warning"},{"type":"aws:cdk:logicalId","data":"A"}]}},
		"Split":{"type":"aws:cloudformation:stack","properties":{"templateFile":"Split.template.json"},"additionalMetadataFile":"Split.metadata.json"},
		"assembly-Prod":{"type":"cdk:cloud-assembly","properties":{"directoryName":"assembly-Prod"}}}}`)
	write(t, dir, "Split.metadata.json", `{"/Split/Bucket/Resource":[{"type":"aws:cdk:error","data":"AwsSolutions-S1: no access logs"}]}`)
	write(t, dir, "assembly-Prod/manifest.json", `{"artifacts":{"ProdStack":{"type":"aws:cloudformation:stack","additionalMetadataFile":"ProdStack.metadata.json"}}}`)
	write(t, dir, "assembly-Prod/ProdStack.metadata.json", `{"/Prod/ProdStack/Fn":[{"type":"aws:cdk:warning","data":"Serverless-LambdaDLQ: no DLQ"}]}`)
	write(t, dir, "validation-report.json", `{"pluginReports":[{"pluginName":"Construct Annotations","violations":[
		{"ruleName":"Annotation::error-annotation","description":"AwsSolutions-S10: no TLS","severity":"error","violatingConstructs":[{"constructPath":"Split/Bucket/Resource"}]}]}]}`)
	got, err := Findings(dir)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"warning Inline/Inline/A: inline warning",
		"error Split/Split/Bucket/Resource: AwsSolutions-S1: no access logs",
		"warning ProdStack/Prod/ProdStack/Fn: Serverless-LambdaDLQ: no DLQ",
		"error Split/Bucket/Resource (Construct Annotations Annotation::error-annotation): AwsSolutions-S10: no TLS",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d findings, want 4:\n%s", len(got), all)
	}
}

func TestFindingsFailOnAMissingMetadataFile(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "manifest.json", `{"artifacts":{"S":{"type":"aws:cloudformation:stack","additionalMetadataFile":"S.metadata.json"}}}`)
	if _, err := Findings(dir); err == nil {
		t.Error("no error for a missing metadata file: its findings would be lost")
	}
}

func TestReferences(t *testing.T) {
	var v any
	json.Unmarshal([]byte(`{"A":{"Ref":"Api"},"B":[{"Fn::GetAtt":["Fn","Arn"]},{"Fn::GetAtt":"Role.Arn"}],
		"C":{"Fn::Sub":"arn:${AWS::Partition}:x:${Stage}/${Bucket.Arn}"},"D":{"Fn::Sub":["${Key}",{"Key":{"Ref":"Other"}}]},"E":"Ref"}`), &v)
	got := References(v)
	for _, id := range []string{"Api", "Fn", "Role", "Stage", "Bucket", "Key", "Other", "AWS::Partition"} {
		if id != "AWS::Partition" && !got[id] {
			t.Errorf("%s not found in %v", id, got)
		}
	}
	if got["Arn"] || got["E"] || len(got) != 7 {
		t.Errorf("references: %v", got)
	}
}
