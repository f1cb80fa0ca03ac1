# streamgate development commands. Every target installs what it needs
# (scripts/setup.sh: Node.js 24 and the pinned cdk CLI into .tools, Go modules).
SHELL := /bin/bash
TOOLS ?= $(CURDIR)/.tools
export PATH := $(TOOLS)/node_modules/.bin:$(PATH)
GO ?= go
# Each CDK test package starts one jsii kernel; a cold build of aws-cdk-go
# takes over a minute, so the timeout is generous.
TEST_TIMEOUT ?= 20m

.PHONY: all setup s3server s3server-background minio chromium noderic noderic-background pyric pyric-background chromium-background cfnguard sigv4js synth dev test bench fmt vet clean

all: synth test

setup:
	@./scripts/setup.sh

# The S3-compatible server make dev runs: seaweedfs (the default) or minio.
S3 ?= seaweedfs

## s3server: build the S3-compatible servers the upload tests run against
## (SeaweedFS and MinIO), once (cached in .tools/bin).
s3server:
	@./scripts/s3server.sh install

## s3server-background: start those builds and return; the tests that need
## a server wait for it (scripts/s3server.sh wait), so it overlaps the rest
## of make test.
s3server-background:
	@./scripts/s3server.sh install-background

## minio: build MinIO only.
minio:
	@./scripts/s3server.sh install minio

## noderic: AWS's Runtime Interface Client for Node.js, with which the
## runner runs Node.js functions (scripts/noderic.sh, pinned): its native
## part is built here, once, with cmake and g++ (installed from Debian's
## packages as root; elsewhere the script names the command).
noderic: setup
	@./scripts/noderic.sh install

## noderic-background: start that install and return; the tests that need
## it wait for it (scripts/noderic.sh wait).
noderic-background: setup
	@./scripts/noderic.sh install-background

## pyric: AWS's Runtime Interface Client for Python (awslambdaric, vendored
## in third_party/awslambdaric), with which the runner runs Python
## functions (scripts/pyric.sh): its runtime_client extension is built here,
## once, for each Python on PATH, with cmake and g++ (installed from
## Debian's packages as root; elsewhere the script names the command).
pyric:
	@./scripts/pyric.sh install

## pyric-background: start that build and return; the tests that need it
## wait for it (scripts/pyric.sh wait).
pyric-background:
	@./scripts/pyric.sh install-background

## cfnguard: AWS Control Tower's proactive controls (CloudFormation Guard
## rules) and cfn-guard, from npm, pinned (scripts/cfnguard.sh).
cfnguard: setup
	@./scripts/cfnguard.sh

## sigv4js: the AWS SDK for JavaScript's SigV4 signer, pinned, with which
## the AWS_IAM tests sign as a JavaScript client would (scripts/sigv4js.sh).
sigv4js: setup
	@./scripts/sigv4js.sh

## chromium: Debian's Chromium for the headless browser tests, and the
## pinned npm packages they drive (Uppy, esbuild: scripts/browser.sh).
chromium:
	@./scripts/chromium.sh
	@./scripts/browser.sh

## chromium-background: start Chromium's install and return (the browser
## tests wait for it: scripts/chromium.sh wait); the npm packages now.
chromium-background:
	@./scripts/chromium.sh install-background
	@./scripts/browser.sh

## synth: synthesize every app (streaming demo into cdk.out, the others into
## cdk.out.<app>) with CloudFormation validation on; fails on any validation
## finding or warning. scripts/synth.sh compiles the apps once, while
## scripts/setup.sh installs Node.js and the cdk CLI, and runs `cdk synth`
## on them two at a time.
synth:
	@GO=$(GO) ./scripts/synth.sh

## dev: run the synthesized streaming, upload and servers demo APIs on
## 127.0.0.1 (ports 3000, 3001 and 3002) and the edge upload endpoints (3003,
## 3004), with SeaweedFS for the buckets (make dev S3=minio: MinIO);
## Ctrl-C stops everything.
# The runner is built, then exec'd: `go run` would not pass SIGTERM on, and
# the runner, the S3 server and the functions would outlive a killed make.
dev: synth noderic pyric
	@./scripts/s3server.sh install $(S3)
	$(GO) build -o $(TOOLS)/bin/sgdev ./cmd/sgdev
	exec $(TOOLS)/bin/sgdev -assembly cdk.out,cdk.out.uploads,cdk.out.servers,cdk.out.edge -port 3000 -s3 $(S3) -s3-bin "$$(./scripts/s3server.sh bin $(S3))"

## test: every test: handler libraries, construct template tests, golden
## snapshots, the apps synthesized with CloudFormation validation on, and the
## uploads end to end against SeaweedFS and MinIO (started and stopped by
## test/uploads). The S3 servers' build, the longest of a cold run, starts
## first, before setup's downloads.
test: s3server-background setup noderic-background pyric-background chromium-background cfnguard sigv4js vet
	@GO=$(GO) ./scripts/gotest.sh -count=1 -timeout $(TEST_TIMEOUT)
	@if [ -f $(TOOLS)/noderic/node_modules/aws-lambda-ric/NOT-BUILT.txt ]; then \
	  echo "*** make test: the Node.js function tests were SKIPPED on this host: $$(cat $(TOOLS)/noderic/node_modules/aws-lambda-ric/NOT-BUILT.txt) ***" >&2; fi
	@if [ -f $(TOOLS)/pyric/runtime/NOT-BUILT.txt ]; then \
	  echo "*** make test: the Python function tests were SKIPPED on this host: $$(cat $(TOOLS)/pyric/runtime/NOT-BUILT.txt) ***" >&2; fi

## bench: the stream writer's throughput and allocations, synth times (per
## route: constructs/streaming), and the local runner's guards and WAF.
bench: setup
	$(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout $(TEST_TIMEOUT) ./lambda/stream/ ./lambda/presign/ ./lambda/edgetoken/ ./client/upload/ ./test/...
	CDK_VALIDATION=false $(GO) test -run '^$$' -bench . -benchmem -count 1 -timeout $(TEST_TIMEOUT) ./constructs/streaming/ ./internal/devserver/...

fmt:
	gofmt -w $$(git ls-files -co --exclude-standard '*.go')

vet:
	@unformatted=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf cdk.out cdk.out.*
