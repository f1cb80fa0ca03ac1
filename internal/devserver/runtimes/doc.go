// Package runtimes finds what runs a Lambda function on this machine, for
// the local runner (internal/devserver), runtime by runtime: a Go
// bootstrap built for the host's architecture (Executable: the asset
// itself, or the same main package rebuilt), Node.js with AWS's Runtime
// Interface Client (NodeRuntime), and a Python interpreter from PATH with
// AWS's Runtime Interface Client for Python (PythonRuntimes). Each says
// why, when nothing can run a runtime, in a sentence for the start-up
// notices; none starts a function (package pool does).
package runtimes
