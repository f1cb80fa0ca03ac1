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
	"strings"
)

// Manifest is the part of manifest.json this package reads.
type Manifest struct {
	Artifacts map[string]struct {
		Type       string `json:"type"`
		Properties struct {
			TemplateFile  string `json:"templateFile"`
			DirectoryName string `json:"directoryName"` // nested assemblies (stages)
			File          string `json:"file"`          // asset manifests
		} `json:"properties"`
		Metadata map[string][]MetadataEntry `json:"metadata"`
		// AdditionalMetadataFile holds the stack's metadata (annotations
		// included) instead of Metadata: aws-cdk-lib 2.270 and 2.277 write
		// <Stack>.metadata.json.
		AdditionalMetadataFile string `json:"additionalMetadataFile"`
	} `json:"artifacts"`
}

// MetadataEntry is one metadata record of a construct path.
type MetadataEntry struct {
	Type string `json:"type"`
	Data any    `json:"data"`
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

// Finding is one warning or error of an assembly.
type Finding struct {
	// Level is "warning" or "error".
	Level string
	// Path is the construct path, "Stack/Api/Resource".
	Path string
	// Message is the annotation or violation text ("AwsSolutions-S1: ...").
	Message string
	// Source says where it was recorded: the stack artifact's id (metadata)
	// or "plugin rule" (validation report).
	Source string
	// Report is true for findings read from validation-report.json.
	Report bool
}

// String is the finding as Findings lists it.
func (f Finding) String() string {
	if f.Report {
		return fmt.Sprintf("%s %s (%s): %s", f.Level, f.Path, f.Source, f.Message)
	}
	return fmt.Sprintf("%s %s/%s: %s", f.Level, f.Source, f.Path, f.Message)
}

// Findings lists every warning and error of the assembly in dir and of the
// assemblies nested in it (stages): the annotations in the manifest and in
// each stack's additional metadata file, and the violations in
// validation-report.json (written when aws-cdk-lib's CloudFormation
// validation, or its annotations report, ran). Sorted.
func Findings(dir string) ([]string, error) {
	list, err := FindingList(dir)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, f := range list {
		out[i] = f.String()
	}
	sort.Strings(out)
	return out, nil
}

// FindingList is Findings as values, in no particular order.
func FindingList(dir string) ([]Finding, error) {
	var out []Finding
	err := findings(dir, &out)
	return out, err
}

// findings appends to out the warnings and errors of the assembly in dir:
// each artifact's annotations, those of nested assemblies (stages), and
// the violations of its validation report.
func findings(dir string, out *[]Finding) error {
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	for id, a := range m.Artifacts {
		metadata, err := artifactMetadata(dir, id, a.Metadata, a.AdditionalMetadataFile)
		if err != nil {
			return err
		}
		for path, entries := range metadata {
			for _, e := range entries {
				if e.Type == "aws:cdk:warning" || e.Type == "aws:cdk:error" {
					*out = append(*out, Finding{Level: e.Type[len("aws:cdk:"):], Path: strings.TrimPrefix(path, "/"), Message: fmt.Sprint(e.Data), Source: id})
				}
			}
		}
		if a.Type == "cdk:cloud-assembly" && a.Properties.DirectoryName != "" {
			if err := findings(filepath.Join(dir, a.Properties.DirectoryName), out); err != nil {
				return err
			}
		}
	}
	reported, err := reportFindings(dir)
	*out = append(*out, reported...)
	return err
}

// artifactMetadata is artifact id's metadata: inline, the manifest's,
// merged with that of its additional metadata file, if any.
func artifactMetadata(dir, id string, inline map[string][]MetadataEntry, file string) (map[string][]MetadataEntry, error) {
	if file == "" {
		return inline, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", id, err)
	}
	var more map[string][]MetadataEntry
	if err := json.Unmarshal(b, &more); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", dir, file, err)
	}
	return merge(inline, more), nil
}

// reportFindings are the violations of dir's validation-report.json, one
// per violating construct; none without the file.
func reportFindings(dir string) ([]Finding, error) {
	b, err := os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
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
	var out []Finding
	for _, p := range report.PluginReports {
		for _, v := range p.Violations {
			for _, c := range v.ViolatingConstructs {
				out = append(out, Finding{Level: v.Severity, Path: c.ConstructPath, Message: v.Description, Source: p.PluginName + " " + v.RuleName, Report: true})
			}
		}
	}
	return out, nil
}

func merge(a, b map[string][]MetadataEntry) map[string][]MetadataEntry {
	if len(a) == 0 {
		return b
	}
	out := make(map[string][]MetadataEntry, len(a)+len(b))
	for k, v := range a {
		out[k] = append(out[k], v...)
	}
	for k, v := range b {
		out[k] = append(out[k], v...)
	}
	return out
}

// HasValidationReport reports whether CloudFormation validation wrote its
// report into dir, i.e. whether it ran.
func HasValidationReport(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "validation-report.json"))
	return err == nil
}
