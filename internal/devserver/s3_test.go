package devserver

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamgate/streamgate/internal/s3server"
)

// TestS3DataDir: one folder per server and set of assemblies, under
// S3DataRoot (what sgdev -h tells a user to delete), the same every run.
func TestS3DataDir(t *testing.T) {
	root, err := S3DataRoot()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := S3DataDir(s3server.SeaweedFS, []string{"cdk.out", "cdk.out.uploads"})
	again, _ := S3DataDir(s3server.SeaweedFS, []string{"cdk.out", "cdk.out.uploads"})
	minio, _ := S3DataDir(s3server.MinIO, []string{"cdk.out", "cdk.out.uploads"})
	other, _ := S3DataDir(s3server.SeaweedFS, []string{"cdk.out"})
	if a != again || a == minio || a == other {
		t.Errorf("data folders: %s, again %s, MinIO's %s, another assembly's %s", a, again, minio, other)
	}
	if !strings.HasPrefix(a, filepath.Join(root, "seaweedfs")+string(filepath.Separator)) || !strings.HasPrefix(minio, filepath.Join(root, "minio")) {
		t.Errorf("%s and %s are not under %s/<server>", a, minio, root)
	}
}
