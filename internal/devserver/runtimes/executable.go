package runtimes

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/streamgate/streamgate/internal/devserver/loader"
	"github.com/streamgate/streamgate/internal/gobuild"
)

// hostArch is GOARCH as Lambda names it.
func hostArch() string {
	if runtime.GOARCH == "amd64" {
		return "x86_64"
	}
	return runtime.GOARCH
}

// Executable returns a bootstrap this machine can run: the asset itself
// when it was built for this architecture, else the same main package
// rebuilt for it with the same flags (the asset's build info names the
// package), cached under cacheDir by asset.
func Executable(fn *loader.Function, cacheDir string) (path, note string, err error) {
	asset, err := filepath.Abs(filepath.Join(fn.AssetDir, "bootstrap"))
	if err != nil {
		return "", "", err
	}
	if fn.Arch == hostArch() && runtime.GOOS == "linux" {
		return asset, "", nil
	}
	info, err := buildinfo.ReadFile(asset)
	if err != nil {
		return "", "", fmt.Errorf("%s is built for %s and has no Go build info to rebuild it for %s: %w", asset, fn.Arch, hostArch(), err)
	}
	goarch := map[string]string{"x86_64": "amd64", "arm64": "arm64"}[hostArch()]
	out, err := filepath.Abs(filepath.Join(cacheDir, filepath.Base(fn.AssetDir)+"-"+goarch, "bootstrap"))
	if err != nil {
		return "", "", err
	}
	note = fmt.Sprintf("asset built for %s: running %s rebuilt for %s with the same flags", fn.Arch, info.Path, hostArch())
	if _, err := os.Stat(out); err == nil {
		return out, note, nil
	}
	// In the module that built it: streamgate's own for its handlers,
	// else the app's (see gobuild).
	if err := gobuild.Rebuild(info.Main.Path, info.Path, goarch, out); err != nil {
		return "", "", fmt.Errorf("rebuilding for %s: %w", goarch, err)
	}
	return out, note, nil
}
