// Package lambdaenv is what Lambda hands a function besides its event, as
// the local runner (internal/devserver) hands it: the environment
// variables of its execution environment (Env) and the id of each
// request (NewRequestID).
package lambdaenv

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/streamgate/streamgate/internal/devserver/loader"
)

// NewRequestID is a new request id in Lambda's form, a random UUID
// (8-4-4-4-12 hexadecimal digits); the runner gives the same id to the
// API's answer (x-amzn-RequestId) and the function's invocation.
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Env is the environment Lambda gives a function, plus its own.
func Env(fn *loader.Function, extra map[string]string) []string {
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.LogicalID,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + fn.LogicalID,
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
		"AWS_EXECUTION_ENV=AWS_Lambda_" + fn.Runtime,
		"_HANDLER=" + fn.Handler,
	}
	if fn.Runtime == "" {
		env[len(env)-2], env[len(env)-1] = "AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023", "_HANDLER=bootstrap"
	}
	if fn.AssetDir != "" {
		// /var/task on Lambda; the process runs there too. AWS's runtime
		// interface clients refuse to start without it.
		// Absolute: the process runs in it, so a relative one (sgdev
		// -assembly cdk.out) would name a folder below itself.
		root, _ := filepath.Abs(fn.AssetDir)
		env = append(env, "LAMBDA_TASK_ROOT="+root)
	}
	seen := map[string]bool{}
	for _, kv := range env {
		seen[strings.SplitN(kv, "=", 2)[0]] = true
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	for k, v := range fn.Env {
		if !seen[k] {
			env = append(env, k+"="+v)
		}
	}
	return env
}
