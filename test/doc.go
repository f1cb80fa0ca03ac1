// Package test holds the whole-app suites: golden snapshots of the demo
// stacks' templates (go test ./test/... -update rewrites them) and the demo
// app synthesized once with bundling and aws-cdk-lib's CloudFormation
// validation on, which must report nothing. Unlike the construct packages,
// this one leaves CDK_VALIDATION on.
package test
