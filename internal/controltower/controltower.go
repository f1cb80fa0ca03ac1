// Package controltower runs AWS Control Tower's proactive controls, the
// CloudFormation Guard rules AWS publishes, over synthesized templates: the
// rules and the cfn-guard binary come from the npm package
// @cdklabs/cdk-validator-cfnguard, which scripts/cfnguard.sh installs
// (pinned) into .tools/cfnguard. It reports each failure as a control, a
// resource and the resource's acknowledgement, if any.
//
// An acknowledgement is template metadata on the failing resource, written
// by the constructs where AWS itself makes a control impossible for that
// resource (Acknowledge):
//
//	"Metadata": {"control_tower": {"acknowledged": [{"id": "CT.S3.PR.9", "reason": "..."}]}}
package controltower

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
)

// Package is the npm package, relative to .tools/cfnguard/node_modules.
const Package = "@cdklabs/cdk-validator-cfnguard"

// Services are the rule folders of the services streamgate creates
// resources of. The package has no controls for SNS or EventBridge.
var Services = []string{
	"apigateway", "lambda", "s3", "identityandaccessmanagement", "waf",
	"cloudwatch", "keymanagementservice", "cloudfront", "sqs",
}

// MetadataKey is the template metadata key under which a resource lists
// the controls acknowledged for it.
const MetadataKey = "control_tower"

// Acknowledgement is one control a resource cannot pass, with AWS's reason.
type Acknowledgement struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Finding is one control a resource of a template fails.
type Finding struct {
	Control  string // CT.S3.PR.9
	Resource string // logical id
	Type     string // AWS::S3::Bucket
	Rule     string // the guard rule's name
	// Reason is the acknowledgement's reason, "" when none.
	Reason string
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s on %s (%s, rule %s)", f.Control, f.Resource, f.Type, f.Rule)
	if f.Reason != "" {
		s += ": acknowledged: " + f.Reason
	}
	return s
}

// Guard is an installed cfn-guard with the rules of Services.
type Guard struct {
	Binary string
	Rules  []string // one folder per service
	// reports maps a rule name to the resource types its file reports on.
	reports map[string][]string
}

// Find locates the package under tools (.tools/cfnguard), with the
// cfn-guard binary for this machine.
func Find(tools string) (*Guard, error) {
	root := filepath.Join(tools, "node_modules", Package)
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if osDir == "" || arch == "" {
		return nil, fmt.Errorf("controltower: %s ships cfn-guard for Linux and macOS on x86-64 and arm64, not %s/%s", Package, runtime.GOOS, runtime.GOARCH)
	}
	g := &Guard{Binary: filepath.Join(root, "bin", osDir, arch, "cfn-guard"), reports: map[string][]string{}}
	if _, err := os.Stat(g.Binary); err != nil {
		return nil, fmt.Errorf("controltower: no cfn-guard at %s: run scripts/cfnguard.sh", g.Binary)
	}
	for _, s := range Services {
		dir := filepath.Join(root, "rules", "control-tower", "cfn-guard", s)
		files, _ := filepath.Glob(filepath.Join(dir, "ct-*.guard"))
		if len(files) == 0 {
			return nil, fmt.Errorf("controltower: no rules in %s", dir)
		}
		g.Rules = append(g.Rules, dir)
		for _, f := range files {
			if err := g.readHeader(f); err != nil {
				return nil, err
			}
		}
	}
	return g, nil
}

// readHeader reads a rule file's header: its rule ("Rule Identifier:" or
// "Rule Name:") and the resource types it reports on ("Reports on:", a
// comma-separated list).
func (g *Guard) readHeader(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var rule, section string
	sc := bufio.NewScanner(f)
	for sc.Scan() && strings.HasPrefix(sc.Text(), "#") {
		line := strings.TrimSpace(strings.Trim(sc.Text(), "#"))
		switch {
		case strings.HasSuffix(line, ":"):
			section = line
		case line == "":
		case section == "Rule Identifier:" || section == "Rule Name:":
			rule = line
		case section == "Reports on:":
			for _, t := range strings.Split(line, ",") {
				g.reports[rule] = append(g.reports[rule], strings.TrimSpace(t))
			}
		}
	}
	if rule == "" || len(g.reports[rule]) == 0 {
		return fmt.Errorf("controltower: %s: no rule name or resource types in its header", file)
	}
	return sc.Err()
}

var (
	controlID  = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.\d+)\]`)
	resourceID = regexp.MustCompile(`/Resources/([A-Za-z0-9]+)`)
)

// Check runs the controls over one template and returns its failures,
// sorted by control and resource, each with its acknowledgement.
func (g *Guard) Check(template string) ([]Finding, error) {
	resources, err := readResources(template)
	if err != nil {
		return nil, err
	}
	failures, err := g.run(template)
	if err != nil {
		return nil, err
	}
	out, err := g.findings(template, failures, resources)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Control != out[j].Control {
			return out[i].Control < out[j].Control
		}
		return out[i].Resource < out[j].Resource
	})
	return out, nil
}

// resource is what Check reads of a template's resource.
type resource struct {
	Type     string
	Metadata map[string]json.RawMessage
}

// readResources are the resources of template, by logical id.
func readResources(template string) (map[string]resource, error) {
	raw, err := os.ReadFile(template)
	if err != nil {
		return nil, err
	}
	var tmpl struct{ Resources map[string]resource }
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		return nil, fmt.Errorf("%s: %w", template, err)
	}
	return tmpl.Resources, nil
}

// run runs cfn-guard with the rules over template and returns its
// not_compliant reports, one per failed rule.
func (g *Guard) run(template string) ([]json.RawMessage, error) {
	args := []string{"validate", "--structured", "--output-format", "json", "--show-summary", "none", "--data", template}
	for _, r := range g.Rules {
		args = append(args, "--rules", r)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(g.Binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// cfn-guard exits 19 when a rule fails, 0 when none does.
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 19) {
		return nil, fmt.Errorf("cfn-guard on %s: %v: %s", template, err, stderr.Bytes())
	}
	var reports []struct {
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &reports); err != nil {
		return nil, fmt.Errorf("cfn-guard on %s: unreadable output: %v", template, err)
	}
	var failures []json.RawMessage
	for _, r := range reports {
		failures = append(failures, r.NotCompliant...)
	}
	return failures, nil
}

// findings are the failures as one Finding per control and resource of a
// type the rule checks, each with the resource's acknowledgement.
func (g *Guard) findings(template string, failures []json.RawMessage, resources map[string]resource) ([]Finding, error) {
	seen := map[Finding]bool{}
	var out []Finding
	for _, nc := range failures {
		var head struct {
			Rule struct{ Name string } `json:"Rule"`
		}
		json.Unmarshal(nc, &head)
		ids := controlID.FindAllStringSubmatch(string(nc), -1)
		if len(ids) == 0 {
			return nil, fmt.Errorf("cfn-guard on %s: rule %s failed without a control id", template, head.Rule.Name)
		}
		types := g.reports[head.Rule.Name]
		for _, m := range resourceID.FindAllStringSubmatch(string(nc), -1) {
			res, ok := resources[m[1]]
			if !ok || len(types) > 0 && !contains(types, res.Type) {
				continue
			}
			f := Finding{Control: ids[0][1], Resource: m[1], Type: res.Type, Rule: head.Rule.Name}
			if seen[f] {
				continue
			}
			seen[f] = true
			f.Reason = acknowledged(res.Metadata[MetadataKey], f.Control)
			out = append(out, f)
		}
	}
	return out, nil
}

func acknowledged(meta json.RawMessage, control string) string {
	var m struct {
		Acknowledged []Acknowledgement `json:"acknowledged"`
	}
	if json.Unmarshal(meta, &m) != nil {
		return ""
	}
	for _, a := range m.Acknowledged {
		if a.ID == control {
			return a.Reason
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
