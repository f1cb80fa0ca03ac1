// Package assembly reads a synthesized cloud assembly (cdk.out) without the
// CDK: its stacks' templates, the warnings and errors recorded in its
// manifest, and the CloudFormation validation report aws-cdk-lib writes.
package assembly

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Manifest is the part of manifest.json this package reads.
type Manifest struct {
	Artifacts map[string]struct {
		Type       string `json:"type"`
		Properties struct {
			TemplateFile string `json:"templateFile"`
		} `json:"properties"`
		Metadata map[string][]struct {
			Type string `json:"type"`
			Data any    `json:"data"`
		} `json:"metadata"`
	} `json:"artifacts"`
}

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s/manifest.json: %w", dir, err)
	}
	return &m, nil
}

// Templates maps each stack's artifact id to its template file, in dir.
func (m *Manifest) Templates(dir string) map[string]string {
	out := map[string]string{}
	for id, a := range m.Artifacts {
		if a.Type == "aws:cloudformation:stack" {
			out[id] = filepath.Join(dir, a.Properties.TemplateFile)
		}
	}
	return out
}

// Findings lists every warning and error of the assembly in dir: the
// annotations in its manifest and the violations in validation-report.json
// (written when aws-cdk-lib's CloudFormation validation ran). Sorted.
func Findings(dir string) ([]string, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for id, a := range m.Artifacts {
		for path, entries := range a.Metadata {
			for _, e := range entries {
				if e.Type == "aws:cdk:warning" || e.Type == "aws:cdk:error" {
					out = append(out, fmt.Sprintf("%s %s%s: %v", e.Type[len("aws:cdk:"):], id, path, e.Data))
				}
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if errors.Is(err, os.ErrNotExist) {
		sort.Strings(out)
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var report struct {
		PluginReports []struct {
			PluginName string `json:"pluginName"`
			Violations []struct {
				RuleName            string `json:"ruleName"`
				Description         string `json:"description"`
				Severity            string `json:"severity"`
				ViolatingConstructs []struct {
					ConstructPath string `json:"constructPath"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(b, &report); err != nil {
		return nil, fmt.Errorf("%s/validation-report.json: %w", dir, err)
	}
	for _, p := range report.PluginReports {
		for _, v := range p.Violations {
			for _, c := range v.ViolatingConstructs {
				out = append(out, fmt.Sprintf("%s %s (%s %s): %s", v.Severity, c.ConstructPath, p.PluginName, v.RuleName, v.Description))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// HasValidationReport reports whether CloudFormation validation wrote its
// report into dir, i.e. whether it ran.
func HasValidationReport(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "validation-report.json"))
	return err == nil
}
