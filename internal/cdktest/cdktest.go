// Package cdktest helps the project's tests build CDK apps the way `cdk
// synth` does: with cdk.json's context (awscdk.NewApp does not read it) and,
// for unit tests, without bundling assets.
package cdktest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// ModuleRoot is the directory of the module's go.mod, found from the
// working directory up.
func ModuleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("cdktest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Context is cdk.json's context. With bundle false it also skips asset
// bundling (no `go build` of handlers), which unit tests do not need.
func Context(bundle bool) map[string]any {
	b, err := os.ReadFile(filepath.Join(ModuleRoot(), "cdk.json"))
	if err != nil {
		panic(err)
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		panic(fmt.Errorf("cdktest: cdk.json: %w", err))
	}
	if !bundle {
		cfg.Context["aws:cdk:bundling-stacks"] = []string{}
	}
	return cfg.Context
}

// NewApp is an app with cdk.json's context that writes to a temporary
// directory (see RemoveTemp); bundle says whether Go handlers are built.
// Apps outlive the test that makes them, so that tests can share one synth.
func NewApp(bundle bool) awscdk.App {
	ctx := Context(bundle)
	outdir, err := os.MkdirTemp(tempRoot(), "app-")
	if err != nil {
		panic(err)
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: &outdir})
}

var (
	tempOnce sync.Once
	temp     string
)

func tempRoot() string {
	tempOnce.Do(func() {
		var err error
		if temp, err = os.MkdirTemp("", "cdktest-"); err != nil {
			panic(err)
		}
	})
	return temp
}

// RemoveTemp removes the apps' output directories; call it at the end of TestMain.
func RemoveTemp() {
	if temp != "" {
		os.RemoveAll(temp)
	}
}

// DisableValidation turns off aws-cdk-lib's CloudFormation validation
// plugin for the process's jsii kernel (it saves seconds per synth). Call it
// in TestMain before the first CDK call: the kernel reads it when it starts.
func DisableValidation() { os.Setenv("CDK_VALIDATION", "false") }

// PanicMessage runs f and returns what it panicked with, or fails the test
// when it did not panic.
func PanicMessage(t testing.TB, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("expected a panic, got none")
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}
