package runtimes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePython writes an executable name into dir that answers askPython's
// question as a Python of this version and extension suffix would.
func fakePython(t *testing.T, dir, name, version, suffix string) {
	t.Helper()
	script := "#!/bin/sh\necho /opt/" + name + "/bin/python\necho " + version + "\necho " + suffix + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestPythonRuntimesChooseAnInterpreter: python3.X from PATH when it is
// 3.X, else python3 with a note; a runtime_client for the chosen Python's
// extension suffix, or a reason it cannot run; the client's own reasons
// (none given, NOT-BUILT.txt) first.
func TestPythonRuntimesChooseAnInterpreter(t *testing.T) {
	bin := t.TempDir()
	fakePython(t, bin, "python3.12", "3.12.4", ".cpython-312-x86_64-linux-gnu.so")
	fakePython(t, bin, "python3.14", "3.11.2", ".cpython-311-x86_64-linux-gnu.so") // a python3.14 that is not 3.14
	fakePython(t, bin, "python3", "3.11.2", ".cpython-311-x86_64-linux-gnu.so")
	t.Setenv("PATH", bin)
	ric := t.TempDir()
	os.MkdirAll(filepath.Join(ric, "awslambdaric"), 0o755)
	os.WriteFile(filepath.Join(ric, "awslambdaric", "__main__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(ric, "runtime_client.cpython-312-x86_64-linux-gnu.so"), nil, 0o644)

	got := PythonRuntimes(ric, "python3.12", "python3.13", "python3.14")
	if py := got["python3.12"]; py.Missing != "" || py.Note != "" || strings.Join(py.Cmd, " ") != "/opt/python3.12/bin/python -m awslambdaric" ||
		py.Version != "3.12.4" || !strings.Contains(strings.Join(py.Env, " "), "PYTHONPATH="+ric) {
		t.Errorf("python3.12: %+v", py)
	}
	// No python3.13: python3, 3.11, whose runtime_client was not built.
	if py := got["python3.13"]; py.Cmd[0] != "" || !strings.Contains(py.Note, "run on Python 3.11.2 (/opt/python3/bin/python), the python3 on PATH: no python3.13 on PATH") ||
		!strings.Contains(py.Missing, "no runtime_client for Python 3.11.2 (/opt/python3/bin/python)") {
		t.Errorf("python3.13: %+v", py)
	}
	if py := got["python3.14"]; !strings.Contains(py.Note, "python3.14 ("+filepath.Join(bin, "python3.14")+") is Python 3.11.2") {
		t.Errorf("python3.14 that is 3.11: %+v", py)
	}

	os.WriteFile(filepath.Join(ric, "runtime_client.cpython-311-x86_64-linux-gnu.so"), nil, 0o644)
	if py := PythonRuntimes(ric, "python3.13")["python3.13"]; py.Missing != "" || py.Cmd[0] != "/opt/python3/bin/python" || py.Version != "3.11.2" {
		t.Errorf("python3.13 on python3 with its runtime_client: %+v", py)
	}

	if py := PythonRuntimes("", "python3.12")["python3.12"]; !strings.Contains(py.Missing, "-python-ric DIR") || py.Cmd[0] != "" {
		t.Errorf("no client: %+v", py)
	}
	os.WriteFile(filepath.Join(ric, "NOT-BUILT.txt"), []byte("no runtime_client on macOS\n"), 0o644)
	if py := PythonRuntimes(ric, "python3.12")["python3.12"]; py.Missing != "no runtime_client on macOS" {
		t.Errorf("NOT-BUILT.txt: %+v", py)
	}
}
