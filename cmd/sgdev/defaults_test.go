package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/devtools"
)

// mainFlags is a flag set with main's flags, as serve defines them.
func mainFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("sgdev", flag.ContinueOnError)
	defineFlags(fs)
	return fs
}

// assembly writes a cloud assembly with one template holding resources of
// the given types.
func assembly(t *testing.T, types ...string) string {
	t.Helper()
	dir := t.TempDir()
	var res []string
	for i, ty := range types {
		res = append(res, `"R`+string(rune('a'+i))+`": {"Type": "`+ty+`"}`)
	}
	if err := os.WriteFile(filepath.Join(dir, "S.template.json"), []byte(`{"Resources": {`+strings.Join(res, ",")+`}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDefaultsPointAtTheToolsFolder(t *testing.T) {
	loc := devtools.Location{Dir: "/home/u/.cache/streamgate/tools", From: "the user cache directory"}
	fs := mainFlags()
	setDefaults(fs, loc)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"node-ric":   "/home/u/.cache/streamgate/tools/noderic/node_modules/aws-lambda-ric/index.mjs",
		"python-ric": "/home/u/.cache/streamgate/tools/pyric/runtime",
	} {
		f := fs.Lookup(name)
		if f.Value.String() != want || f.DefValue != want {
			t.Errorf("-%s: value %q, default %q; want %q", name, f.Value, f.DefValue, want)
		}
		if strings.Contains(f.Usage, "`") {
			t.Errorf("-%s: a backquote in the usage becomes the flag's argument name in -h: %s", name, f.Usage)
		}
	}
	if u := fs.Lookup("node-ric").Usage; !strings.Contains(u, "sgdev install noderic") {
		t.Errorf("-node-ric's usage does not say how to install it: %s", u)
	}
	// A flag given on the command line wins.
	fs = mainFlags()
	setDefaults(fs, loc)
	fs.Parse([]string{"-node-ric", "/opt/ric/index.mjs"})
	if got := fs.Lookup("node-ric").Value.String(); got != "/opt/ric/index.mjs" {
		t.Errorf("-node-ric given: %s", got)
	}
}

func TestResolveS3(t *testing.T) {
	tools := t.TempDir()
	empty := devtools.Location{Dir: t.TempDir(), From: "the user cache directory"}
	full := devtools.Location{Dir: tools, From: "the user cache directory"}
	os.MkdirAll(filepath.Join(tools, "bin"), 0o755)
	os.WriteFile(filepath.Join(tools, "bin", "weed"), nil, 0o755)
	buckets := assembly(t, "AWS::S3::Bucket", "AWS::Lambda::Function")
	none := assembly(t, "AWS::ApiGateway::RestApi", "AWS::Lambda::Function")
	for _, c := range []struct {
		name       string
		loc        devtools.Location
		args       []string
		s3, s3bin  string
		say        []string // in what sgdev prints; nothing when empty
		sayNothing bool
	}{
		{name: "no bucket in the templates: no server, silently", loc: empty, args: []string{"-assembly", none},
			s3: "none", sayNothing: true},
		{name: "buckets, server installed", loc: full, args: []string{"-assembly", buckets},
			s3: "seaweedfs", s3bin: filepath.Join(tools, "bin", "weed"), sayNothing: true},
		{name: "buckets, server missing", loc: empty, args: []string{"-assembly", buckets},
			s3: "none", s3bin: empty.Path(devtools.SeaweedFS), say: []string{"running without S3", "`sgdev install seaweedfs`", "-s3 none"}},
		{name: "-s3 none", loc: empty, args: []string{"-assembly", buckets, "-s3", "none"}, s3: "none", sayNothing: true},
		{name: "-s3 seaweedfs asked without buckets starts one", loc: full, args: []string{"-assembly", none, "-s3", "seaweedfs"},
			s3: "seaweedfs", s3bin: filepath.Join(tools, "bin", "weed"), sayNothing: true},
		{name: "-s3 minio, missing", loc: full, args: []string{"-assembly", buckets, "-s3", "minio"},
			s3: "none", s3bin: filepath.Join(tools, "bin", "minio"), say: []string{"MinIO", "`sgdev install minio`"}},
		{name: "-s3-bin that is not there", loc: full, args: []string{"-assembly", buckets, "-s3-bin", "/nope/weed"},
			s3: "none", s3bin: "/nope/weed", say: []string{"-s3-bin /nope/weed", "Fix:"}},
		{name: "-s3-endpoint is main's", loc: empty, args: []string{"-assembly", buckets, "-s3-endpoint", "http://127.0.0.1:9000"},
			s3: "seaweedfs", sayNothing: true},
		{name: "-minio is main's", loc: empty, args: []string{"-assembly", buckets, "-minio", "/opt/minio"},
			s3: "seaweedfs", sayNothing: true},
		{name: "an assembly that cannot be read: the default server", loc: full, args: []string{"-assembly", t.TempDir()},
			s3: "seaweedfs", s3bin: filepath.Join(tools, "bin", "weed"), sayNothing: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := mainFlags()
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			resolveS3(fs, c.loc, &out)
			if got := fs.Lookup("s3").Value.String(); got != c.s3 {
				t.Errorf("-s3 %s, want %s", got, c.s3)
			}
			if got := fs.Lookup("s3-bin").Value.String(); got != c.s3bin {
				t.Errorf("-s3-bin %q, want %q", got, c.s3bin)
			}
			if c.sayNothing && out.Len() > 0 {
				t.Errorf("said %q", out.String())
			}
			for _, w := range c.say {
				if !strings.Contains(out.String(), w) {
					t.Errorf("said %q, without %q", out.String(), w)
				}
			}
		})
	}
}

func TestInstallNames(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := install([]string{"weed"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `"weed" is not a tool`) {
		t.Errorf("install weed: %d %q", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	// Inside this repository: its own scripts, into its .tools (or
	// STREAMGATE_TOOLS).
	t.Setenv(devtools.EnvDir, "/t")
	if code := install([]string{"-n", "pyric", "minio"}, &stdout, &stderr); code != 0 {
		t.Fatalf("install -n: %d %s", code, stderr.String())
	}
	root, _ := filepath.Abs("../..")
	want := "TOOLS=/t bash " + root + "/scripts/pyric.sh install\nTOOLS=/t bash " + root + "/scripts/s3server.sh install minio\n"
	if stdout.String() != want {
		t.Errorf("install -n printed\n%s\nwant\n%s", stdout.String(), want)
	}
}
