package s3server

import "testing"

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
