package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamgate/streamgate/internal/devtools"
	"github.com/streamgate/streamgate/internal/s3server"
)

// parseFlags is flag.Parse with the defaults that depend on where sgdev
// runs. The tools sgdev runs besides Go (AWS's Runtime
// Interface Clients for Node.js and Python, the S3 server) are looked for
// in the repository's .tools inside streamgate's repository, and elsewhere
// (a team's module) in the user's tools folder (devtools.Find), where
// `sgdev install` puts them. A missing tool is not an error: sgdev says
// which command installs it and what it does without it.
func parseFlags() {
	loc, err := devtools.Find("")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sgdev:", err)
		os.Exit(2)
	}
	setDefaults(flag.CommandLine, loc)
	flag.CommandLine.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: sgdev [flags]\n       sgdev token [flags]     mint a Cognito token (sgdev token -h)\n"+
			"       sgdev install [tool...] install the tools it runs (%s) into %s (%s; sgdev install -h)\n\n", toolNames(), loc.Dir, loc.From)
		flag.CommandLine.PrintDefaults()
	}
	flag.Parse()
	resolveS3(flag.CommandLine, loc, os.Stderr)
}

// setDefaults points the tool flags of fs at loc and says so in their
// usage.
func setDefaults(fs *flag.FlagSet, loc devtools.Location) {
	set := func(name, value, usage string) {
		f := fs.Lookup(name)
		if f == nil {
			return
		}
		f.Value.Set(value)
		f.DefValue = value
		f.Usage = usage
	}
	set("node-ric", loc.Path(devtools.NodeRIC), fmt.Sprintf(
		"AWS's Runtime Interface Client for Node.js, for functions on the Node.js runtimes (%s installs it; empty: those functions are not run)",
		loc.InstallCommand(devtools.NodeRIC)))
	set("python-ric", loc.Path(devtools.PythonRIC), fmt.Sprintf(
		"AWS's Runtime Interface Client for Python, for functions on the Python 3.11 to 3.14 runtimes (%s builds it; empty: those functions are not run)",
		loc.InstallCommand(devtools.PythonRIC)))
	if f := fs.Lookup("s3"); f != nil {
		f.Usage = fmt.Sprintf("the S3-compatible server for the templates' buckets: seaweedfs or minio (%s builds it), or none (no S3: functions that use the buckets fail, edge upload endpoints are not served). "+
			"Without -s3, no server is started when no template has a bucket", loc.InstallCommand(devtools.SeaweedFS))
	}
	if f := fs.Lookup("s3-bin"); f != nil {
		f.Usage = fmt.Sprintf("that server's binary (default: %s for seaweedfs, %s for minio)", loc.Path(devtools.SeaweedFS), loc.Path(devtools.MinIO))
	}
}

// resolveS3 settles -s3 and -s3-bin after parsing: with neither -s3 nor
// -s3-endpoint given and no bucket in the templates, no server (-s3 none);
// a server's binary defaults to the tools folder's; a binary that is not
// there is said, with the command that installs it, and sgdev runs
// without S3 (-s3 none). -minio (deprecated) and -s3-endpoint are left to
// main.
func resolveS3(fs *flag.FlagSet, loc devtools.Location, w io.Writer) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["minio"] || given["s3-endpoint"] {
		return
	}
	kind := fs.Lookup("s3").Value.String()
	if kind == "none" {
		return
	}
	if !given["s3"] {
		if has, err := assembliesHaveBuckets(strings.Split(fs.Lookup("assembly").Value.String(), ",")); err == nil && !has {
			fs.Set("s3", "none")
			return
		}
	}
	k, err := s3server.ParseKind(kind)
	if err != nil {
		return // main names the allowed values
	}
	tool := devtools.SeaweedFS
	if k == s3server.MinIO {
		tool = devtools.MinIO
	}
	if given["s3-bin"] {
		bin := fs.Lookup("s3-bin").Value.String()
		if _, err := os.Stat(bin); err != nil {
			fmt.Fprintf(w, "sgdev: -s3-bin %s: %v; running without S3 (the templates' buckets are not served). Fix: pass the %s binary, or drop -s3-bin to use %s (`%s` builds it)\n",
				bin, err, k.Title(), loc.Path(tool), loc.InstallCommand(tool))
			fs.Set("s3", "none")
		}
		return
	}
	fs.Set("s3-bin", loc.Path(tool))
	if !loc.Installed(tool) {
		fmt.Fprintf(w, "sgdev: running without S3: %s; -s3 none runs so without this message.\n", loc.InstallHint(tool))
		fs.Set("s3", "none")
	}
}

// assembliesHaveBuckets reports whether a template of the cloud assemblies
// in dirs (nested stacks' included) declares an S3 bucket.
func assembliesHaveBuckets(dirs []string) (bool, error) {
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
		if err != nil {
			return false, err
		}
		if len(files) == 0 {
			return false, fmt.Errorf("%s: no templates", dir)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return false, err
			}
			var t struct {
				Resources map[string]struct{ Type string }
			}
			if err := json.Unmarshal(b, &t); err != nil {
				return false, fmt.Errorf("%s: %v", f, err)
			}
			for _, r := range t.Resources {
				if r.Type == "AWS::S3::Bucket" {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func toolNames() string {
	var names []string
	for _, t := range devtools.Tools() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// install is `sgdev install [tool...]`: it installs the named tools (by
// default the runtime clients and SeaweedFS) into the tools folder sgdev
// reads, with streamgate's own scripts from its module's sources.
func install(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sgdev install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dry := fs.Bool("n", false, "print the commands and do not run them")
	loc, err := devtools.Find("")
	if err != nil {
		fmt.Fprintln(stderr, "sgdev install:", err)
		return 2
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: sgdev install [-n] [tool...]\n\n"+
			"Installs what sgdev runs besides Go, with streamgate's own scripts, into %s (%s; %s moves it):\n", loc.Dir, loc.From, devtools.EnvDir)
		for _, t := range devtools.Tools() {
			fmt.Fprintf(stderr, "  %-10s %s\n", t, loc.Path(t))
		}
		fmt.Fprintf(stderr, "With no tool: %s. Node.js 22 or newer with npm, cmake, g++ and libcurl's and Python's headers are needed on Linux (as root on Debian they are installed; elsewhere the command that installs them is printed).\n\n", joinTools(devtools.DefaultTools()))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	tools := devtools.DefaultTools()
	if fs.NArg() > 0 {
		tools = nil
		for _, a := range fs.Args() {
			t, err := devtools.ParseTool(a)
			if err != nil {
				fmt.Fprintf(stderr, "sgdev install: %v\n", err)
				return 2
			}
			tools = append(tools, t)
		}
	}
	wd, _ := os.Getwd()
	src, err := devtools.Source(wd)
	if err != nil {
		fmt.Fprintln(stderr, "sgdev install:", err)
		return 1
	}
	if *dry {
		for _, t := range tools {
			cmd := loc.Command(src, t)
			fmt.Fprintf(stdout, "TOOLS=%s %s\n", loc.Dir, strings.Join(cmd.Args, " "))
		}
		return 0
	}
	if err := loc.Install(src, tools, stderr); err != nil {
		fmt.Fprintln(stderr, "sgdev install:", err)
		return 1
	}
	fmt.Fprintf(stderr, "sgdev install: %s installed into %s; sgdev finds them there by default\n", joinTools(tools), loc.Dir)
	return 0
}

func joinTools(ts []devtools.Tool) string {
	var s []string
	for _, t := range ts {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}
