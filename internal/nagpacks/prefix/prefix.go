// Package prefix holds the rule-id prefixes of the cdk-nag packs package
// nagpacks applies, without loading cdk-nag.
package prefix

// Core are the prefixes of the AwsSolutions and Serverless packs.
var Core = []string{"AwsSolutions-", "Serverless-"}

// Regulated are the prefixes of the NIST 800-53 R5, HIPAA Security and PCI
// DSS 3.2.1 packs, which share rule names.
var Regulated = []string{"NIST.800.53.R5-", "HIPAA.Security-", "PCI.DSS.321-"}

// All are Core and Regulated.
func All() []string { return append(append([]string(nil), Core...), Regulated...) }
