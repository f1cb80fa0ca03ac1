package uploads

import (
	"context"
	"testing"
	"time"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/internal/testfile"
	"github.com/streamgate/streamgate/lambda/presign"
)

// BenchmarkClientUpload1GiB uploads 1 GiB to each local S3 server through
// the client package, as one presigned PUT and as a multipart upload of
// 64 MiB parts sent four at a time. MB/s is the upload throughput on
// loopback.
func BenchmarkClientUpload1GiB(b *testing.B) {
	const size = 1 << 30
	for _, s := range servers {
		for _, mode := range []presign.Mode{presign.ModePut, presign.ModeMultipart} {
			b.Run(string(s.kind)+"/"+string(mode), func(b *testing.B) {
				benchUpload(b, s, mode, size)
			})
		}
	}
}

func benchUpload(b *testing.B, s *server, mode presign.Mode, size int64) {
	h := s.handler(mode, 15*time.Minute)
	h.Config.MaxSize = size
	c := &upload.Client{Endpoint: apiServer(b, h), Concurrency: 4}
	req := presign.Request{FileName: "big.bin", ContentType: "application/octet-stream", Size: size}
	if mode == presign.ModeMultipart {
		req.PartSize = 64 << 20
	}
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		if _, err := c.UploadWith(context.Background(), req, upload.File{Name: "big.bin", ContentType: "application/octet-stream", Size: size, Body: testfile.Pattern{}}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
