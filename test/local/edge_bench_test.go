package local

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamgate/streamgate/client/upload"
	"github.com/streamgate/streamgate/internal/testfile"
	"github.com/streamgate/streamgate/lambda/edgetoken"
)

// BenchmarkEdgeUpload1GiB uploads 1 GiB to the runner's S3 server three ways in
// one run: through the Redirect edge endpoint (the edge code's 307, then
// the presigned PUT), through the Through endpoint (the body streamed by
// the endpoint to S3), and as a plain presigned PUT straight to S3,
// the floor. MB/s is the upload throughput on loopback.
func BenchmarkEdgeUpload1GiB(b *testing.B) {
	const size = 1 << 30
	file := upload.File{Name: "big.bin", ContentType: "application/octet-stream", Size: size, Body: testfile.Pattern{}}
	for _, mode := range []string{"REDIRECT", "THROUGH"} {
		b.Run(mode, func(b *testing.B) {
			url := edgeURL(b, mode)
			b.SetBytes(size)
			for i := 0; i < b.N; i++ {
				tok := devToken(b, edgetoken.Claims{Subject: "bench", Expires: time.Now().Add(10 * time.Minute).Unix()})
				if _, err := (&upload.Client{}).EdgeUpload(context.Background(), url, tok, file, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("presigned-PUT", func(b *testing.B) {
		client := localS3()
		buckets, err := client.ListBuckets(context.Background(), &s3.ListBucketsInput{})
		if err != nil || len(buckets.Buckets) == 0 {
			b.Fatal(err)
		}
		presigner := s3.NewPresignClient(client)
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			p, err := presigner.PresignPutObject(context.Background(), &s3.PutObjectInput{Bucket: buckets.Buckets[0].Name, Key: aws.String("bench/plain.bin"),
				ContentType: aws.String("application/octet-stream"), ContentLength: aws.Int64(size)})
			if err != nil {
				b.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPut, p.URL, io.NewSectionReader(file.Body, 0, size))
			for k, v := range p.SignedHeader {
				req.Header[k] = v
			}
			req.ContentLength = size
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("presigned PUT: %d", resp.StatusCode)
			}
		}
	})
}
