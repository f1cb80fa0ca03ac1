package s3server

import (
	"net"
	"testing"
)

func TestParseKind(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Kind
		bin  string
	}{{"seaweedfs", SeaweedFS, "weed"}, {"MinIO", MinIO, "minio"}} {
		k, err := ParseKind(tc.in)
		if err != nil || k != tc.want || k.Binary() != tc.bin {
			t.Errorf("ParseKind(%q) = %q (%q), %v; want %q (%q)", tc.in, k, k.Binary(), err, tc.want, tc.bin)
		}
	}
	if _, err := ParseKind("s3rver"); err == nil || err.Error() != `S3 server "s3rver": allowed: seaweedfs, minio` {
		t.Errorf("ParseKind(s3rver): %v", err)
	}
}

// TestGapsNameKnownCapabilities: a gap is a row of the table, of a known
// server.
func TestGapsNameKnownCapabilities(t *testing.T) {
	rows := map[Capability]bool{}
	for _, r := range Capabilities {
		rows[r.Capability] = true
	}
	for k, gaps := range Gaps {
		if _, err := ParseKind(string(k)); err != nil {
			t.Error(err)
		}
		for c, reason := range gaps {
			if !rows[c] || reason == "" {
				t.Errorf("%s: gap %q (%q) is not a row of Capabilities, or has no reason", k, c, reason)
			}
		}
	}
}

// TestFreePortsAreDistinct: SeaweedFS's eight ports never repeat one
// another or its S3 port (a repeat failed a start in CI: the volume server
// and the filer's gRPC on one port).
func TestFreePortsAreDistinct(t *testing.T) {
	for range 50 {
		s3, err := FreeAddr()
		if err != nil {
			t.Fatal(err)
		}
		_, except, _ := net.SplitHostPort(s3)
		ports, err := freePorts(8, except)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{except: true}
		for _, p := range ports {
			if seen[p] {
				t.Fatalf("freePorts(8, %s) = %v: %s twice", except, ports, p)
			}
			seen[p] = true
		}
	}
}

// TestLostPortRace: a start is tried again for a taken port of its own,
// not for its S3 address or any other failure.
func TestLostPortRace(t *testing.T) {
	for _, tc := range []struct {
		logs string
		want bool
	}{
		{"F1207 volume.go:705 Volume server listener error:listen tcp 127.0.0.1:44349: bind: address already in use", true},
		{"F1207 s3.go:1 S3 API Server listener on 127.0.0.1:9000 error: listen tcp 127.0.0.1:9000: bind: address already in use", false},
		{"F1207 volume.go:1 no space left on device", false},
	} {
		p := &Process{Kind: SeaweedFS, Addr: "127.0.0.1:9000"}
		p.logs.WriteString(tc.logs)
		if got := p.lostPortRace(); got != tc.want {
			t.Errorf("lostPortRace(%q) = %v, want %v", tc.logs, got, tc.want)
		}
	}
}
