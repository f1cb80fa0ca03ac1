// Package pool runs a Lambda function's processes for the local runner
// (internal/devserver) as Lambda scales them: each process serves one
// invocation at a time through its own Runtime API (internal/runtimeapi)
// and is kept warm; more start on demand up to the reserved concurrency
// (beyond which invocations are throttled) or the runner's bound (beyond
// which they queue). What a process runs (a command and its environment)
// is given to New: package runtimes finds the command, package lambdaenv
// makes the environment.
package pool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamgate/streamgate/internal/devserver/launch"
	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/runtimeapi"
)

// ErrFunctionCrashed is an invocation whose process exited (a crash, an init
// error, or the runner killing it at its timeout).
var ErrFunctionCrashed = errors.New("the function process exited")

// ErrFunctionTimeout is an invocation that ran past the function's timeout.
var ErrFunctionTimeout = errors.New("the function timed out")

// ErrThrottled is an invocation Lambda would refuse: the function's
// reserved concurrency is in use (TooManyRequestsException, "Rate
// Exceeded"), or the runner's queue for it is full.
var ErrThrottled = errors.New("the function is throttled")

// DefaultConcurrency is the most processes a function runs at once when
// its template reserves no concurrency. Lambda would scale a function to
// 1,000 execution environments (its account default) and add 1,000 every
// 10 seconds
// (https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html):
// the runner starts processes on demand up to this machine-friendly bound,
// and beyond it queues (MaxQueued), where AWS would have scaled.
const DefaultConcurrency = 64

// MaxQueued is how many invocations of one function may wait for a process
// beyond DefaultConcurrency (or -concurrency); more are throttled.
const MaxQueued = 1000

// Pool runs one function's processes: each handles one invocation at a
// time and is reused while it lives (warm); more start on demand, up to
// max: the template's reserved concurrency, beyond which Lambda throttles
// at once, or else the runner's bound, beyond which invocations queue
// (MaxQueued at most) where AWS would have scaled further.
type Pool struct {
	fn        *loader.Function
	label     string   // for logs: stack/logical id
	cmd       []string // the process: a bootstrap, or node or python3 and AWS's Runtime Interface Client with the handler
	env       []string
	max       int
	reserved  bool // max is the template's reserved concurrency
	logs      io.Writer
	sem       chan struct{}
	mu        sync.Mutex
	idle      []*proc
	started   atomic.Int64 // processes started, for tests and benchmarks
	invoked   atomic.Int64 // invocations that got a process, likewise
	busy      atomic.Int64 // invocations running (their responses not yet done)
	queued    atomic.Int64 // invocations waiting for a process
	throttled atomic.Int64 // invocations refused
	warned    atomic.Bool  // the queue notice was logged
}

// proc is a function process with its own Runtime API.
type proc struct {
	api    *runtimeapi.Server
	cmd    *exec.Cmd
	exited chan struct{}
	tag    atomic.Pointer[string] // the current invocation, for log lines
}

// New is the pool of fn's processes, each running cmd (a bootstrap, or an
// interpreter and AWS's Runtime Interface Client with the handler; {""}
// when nothing can run it) with env; at most max run at once, or the
// template's reserved concurrency when it sets one. logs receives the
// processes' output and the pool's notices.
func New(fn *loader.Function, cmd []string, env []string, max int, logs io.Writer) *Pool {
	p := &Pool{fn: fn, label: fn.Stack + "/" + fn.LogicalID, cmd: cmd, env: env, max: max, logs: logs}
	if fn.Reserved >= 0 {
		p.max, p.reserved = fn.Reserved, true
	}
	p.sem = make(chan struct{}, p.max)
	return p
}

// acquire takes a slot for an invocation: at once, or after a wait in the
// queue when the runner's bound (not the template's reserved concurrency)
// is reached.
func (p *Pool) acquire(ctx context.Context, tag string) error {
	select {
	case p.sem <- struct{}{}:
		return nil
	default:
	}
	if p.reserved {
		p.throttled.Add(1)
		fmt.Fprintf(p.logs, "%s [%s] Rate Exceeded: all %d of the function's reserved concurrency in use; Lambda throttles (TooManyRequestsException)\n", p.label, tag, p.max)
		return ErrThrottled
	}
	if p.queued.Add(1) > MaxQueued {
		p.queued.Add(-1)
		p.throttled.Add(1)
		fmt.Fprintf(p.logs, "%s [%s] throttled: %d processes busy and %d invocations queued\n", p.label, tag, p.max, MaxQueued)
		return ErrThrottled
	}
	defer p.queued.Add(-1)
	if !p.warned.Swap(true) {
		fmt.Fprintf(p.logs, "%s [%s] %d processes busy: invocations queue here, where Lambda would start more (-concurrency raises the bound)\n", p.label, tag, p.max)
	}
	select {
	case p.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Pool) start() (*proc, error) {
	api, err := runtimeapi.Start()
	if err != nil {
		return nil, err
	}
	if p.cmd[0] == "" {
		api.Close()
		return nil, fmt.Errorf("%w: nothing can run it on this machine (see the start-up notices)", ErrFunctionCrashed)
	}
	cmd := exec.Command(p.cmd[0], p.cmd[1:]...)
	cmd.Dir = filepath.Dir(p.cmd[0])
	if p.fn.Managed() {
		cmd.Dir = p.fn.AssetDir // LAMBDA_TASK_ROOT, as on Lambda
	}
	cmd.SysProcAttr = launch.ChildProcAttr()
	cmd.Env = append(append([]string{}, p.env...), "AWS_LAMBDA_RUNTIME_API="+api.Addr())
	pr := &proc{api: api, cmd: cmd, exited: make(chan struct{})}
	none := "init"
	pr.tag.Store(&none)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		api.Close()
		return nil, fmt.Errorf("starting %s: %w", p.cmd[0], err)
	}
	p.started.Add(1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			// AWS's Runtime Interface Client for Python writes a traceback
			// as one line whose lines end in \r (one CloudWatch event): one
			// log line each here, readable in a terminal.
			for _, line := range strings.Split(sc.Text(), "\r") {
				fmt.Fprintf(p.logs, "%s [%s] %s\n", p.label, *pr.tag.Load(), line)
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		if err != nil {
			fmt.Fprintf(p.logs, "%s: process %d exited: %v\n", p.label, cmd.Process.Pid, err)
		}
		close(pr.exited)
		api.Close()
	}()
	return pr, nil
}

func (pr *proc) alive() bool {
	select {
	case <-pr.exited:
		return false
	default:
		return true
	}
}

func (pr *proc) kill() {
	pr.cmd.Process.Kill()
	<-pr.exited
}

// Invocation is a running invocation: its response, and done, which the
// caller calls once it has read the response (or given up on it).
type Invocation struct {
	Response *runtimeapi.Response
	// Err is set, after the body ended, when the function crashed or timed out.
	Err  func() error
	done func()
}

// Done returns the process to the pool, or discards it if it died.
func (i *Invocation) Done() { i.done() }

// Invoke runs payload on a warm or new process. The function's timeout
// covers the whole invocation, body included: past it the process is killed,
// as Lambda ends the sandbox.
func (p *Pool) Invoke(ctx context.Context, requestID, tag string, payload []byte) (*Invocation, error) {
	if err := p.acquire(ctx, tag); err != nil {
		return nil, err
	}
	pr := p.take()
	if pr == nil {
		var err error
		if pr, err = p.start(); err != nil {
			<-p.sem
			return nil, err
		}
	}
	pr.tag.Store(&tag)
	p.invoked.Add(1)
	p.busy.Add(1)
	run := p.watch(pr, tag)
	resp, err := p.send(ctx, pr, requestID, payload)
	if err != nil {
		run.release()
		if e := run.err(); e != nil {
			return nil, e
		}
		if init := pr.api.InitError(); init != "" {
			return nil, fmt.Errorf("%w: init error %s", ErrFunctionCrashed, init)
		}
		return nil, err
	}
	return &Invocation{Response: resp, Err: run.err, done: run.release}, nil
}

// running is an invocation on its process, under the function's timeout.
type running struct {
	p        *Pool
	pr       *proc
	timer    *time.Timer
	timedOut atomic.Bool
	once     sync.Once
}

// watch starts the function's timeout on pr's invocation: past it the
// process is killed.
func (p *Pool) watch(pr *proc, tag string) *running {
	run := &running{p: p, pr: pr}
	run.timer = time.AfterFunc(time.Duration(p.fn.Timeout)*time.Second, func() {
		run.timedOut.Store(true)
		fmt.Fprintf(p.logs, "%s [%s] Task timed out after %d seconds: killing the process\n", p.label, tag, p.fn.Timeout)
		pr.cmd.Process.Kill()
	})
	return run
}

// release ends the invocation, once: the process goes back to the pool,
// or is discarded when it died or timed out.
func (run *running) release() {
	run.once.Do(func() {
		run.timer.Stop()
		if run.pr.alive() && !run.timedOut.Load() {
			run.p.put(run.pr)
		} else {
			go run.pr.kill()
		}
		run.p.busy.Add(-1)
		<-run.p.sem
	})
}

// err is why the invocation failed when its process did: it timed out, or
// it exited.
func (run *running) err() error {
	switch {
	case run.timedOut.Load():
		return ErrFunctionTimeout
	case !run.pr.alive():
		return ErrFunctionCrashed
	}
	return nil
}

// send hands the invocation to pr's Runtime API and waits for the answer
// to start, or for the process to die.
func (p *Pool) send(ctx context.Context, pr *proc, requestID string, payload []byte) (*runtimeapi.Response, error) {
	invCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-pr.exited:
			cancel()
		case <-invCtx.Done():
		}
	}()
	return pr.api.Invoke(invCtx, runtimeapi.Invocation{
		RequestID: requestID, Payload: payload, Deadline: time.Now().Add(time.Duration(p.fn.Timeout) * time.Second),
		FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:" + p.fn.LogicalID,
	})
}

func (p *Pool) take() *proc {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.idle) > 0 {
		pr := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if pr.alive() {
			return pr
		}
	}
	return nil
}

func (p *Pool) put(pr *proc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idle = append(p.idle, pr)
}

// Close kills the pool's idle processes.
func (p *Pool) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, pr := range idle {
		pr.kill()
	}
}

// Started is how many processes the pool has started.
func (p *Pool) Started() int64 { return p.started.Load() }

// Invocations is how many invocations got a process (a cached authorizer
// policy, for one, is not an invocation).
func (p *Pool) Invocations() int64 { return p.invoked.Load() }

// Busy is how many invocations are running (their responses not yet done).
func (p *Pool) Busy() int64 { return p.busy.Load() }
