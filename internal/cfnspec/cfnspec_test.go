package cfnspec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t *testing.T) *Spec {
	t.Helper()
	root, _ := filepath.Abs("../..")
	s, err := Load(filepath.Join(root, DefaultPath))
	if err != nil {
		t.Fatalf("%v (scripts/setup.sh installs the specification; make test runs it)", err)
	}
	return s
}

// TestCheckFindsMistakes: the checker itself must catch each kind of mistake.
func TestCheckFindsMistakes(t *testing.T) {
	s := load(t)
	var tmpl map[string]any
	json.Unmarshal([]byte(`{"Resources":{
		"Method":{"Type":"AWS::ApiGateway::Method","Properties":{"HttpMethod":"GET","ResourceId":"r","RestApiId":"a",
			"AuthorizationType":"AWS_IAM",
			"Integration":{"Type":"AWS_PROXY","ResponseTransferMode":"STREAMED","TimeoutInMilis":900000,"Uri":{"Fn::Join":["",["x"]]}}}},
		"Fn":{"Type":"AWS::Lambda::Function","Properties":{"Code":{"ZipFile":"x"},"Role":{"Fn::GetAtt":["Method","Arnn"]},"Architectures":["arm64"]}},
		"Typo":{"Type":"AWS::ApiGateway::RestAPI","Properties":{}},
		"Ok":{"Type":"AWS::Logs::LogGroup","Properties":{"RetentionInDays":30}}
	}}`), &tmpl)
	got := strings.Join(s.Check(tmpl), "\n")
	for _, want := range []string{
		`Method.Properties.Integration.ResponseTransferMode: "STREAMED" is not one of BUFFERED, STREAM`,
		`Method.Properties.Integration.TimeoutInMilis: no such property`,
		`Typo: unknown resource type "AWS::ApiGateway::RestAPI"`,
		`Fn::GetAtt Method.Arnn: AWS::ApiGateway::Method has no attribute "Arnn"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Ok.") {
		t.Errorf("a valid resource was reported:\n%s", got)
	}
}

// TestGoldenSnapshotsMatchTheSpec: every resource type and property name in
// the apps' golden templates exists in the CloudFormation specification.
func TestGoldenSnapshotsMatchTheSpec(t *testing.T) {
	s := load(t)
	goldens, _ := filepath.Glob("../../test/testdata/*.golden.json")
	edge, _ := filepath.Glob("../../constructs/edgeupload/testdata/*.golden.json")
	goldens = append(goldens, edge...)
	if len(goldens) < 6 {
		t.Fatalf("found %d golden templates", len(goldens))
	}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var tmpl map[string]any
		if err := json.Unmarshal(b, &tmpl); err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Check(tmpl) {
			t.Errorf("%s: %s", filepath.Base(g), p)
		}
	}
}
