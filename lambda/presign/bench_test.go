package presign

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The handler's presign path (validation, key, signed headers) against the
// SDK's presigner alone, for the same input: the difference is this
// package's overhead. Each op is one answer; multipart answers hold 100 parts.
func BenchmarkPresign(b *testing.B) {
	ctx := context.Background()
	caller := alice
	put := &Request{FileName: "photo.png", ContentType: "image/png", Size: 5 << 20}
	for _, mode := range []Mode{ModePut, ModePost, ModeMultipart} {
		h, _ := testHandler(mode)
		h.Config.MaxSize = 1 << 30
		r := *put
		if mode == ModeMultipart {
			r = Request{FileName: "big.png", ContentType: "image/png", Size: 100 * (5 << 20), PartSize: 5 << 20}
		}
		b.Run(string(mode)+"/handler", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := h.Presign(ctx, caller, &r); err != nil {
					b.Fatal(err)
				}
			}
		})
		bare := s3.NewPresignClient(testClient("http://127.0.0.1:9000"))
		key := aws.String("incoming/0123456789abcdef/00112233445566778899aabbccddeeff/photo.png")
		b.Run(string(mode)+"/sdk-presigner", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var err error
				switch mode {
				case ModePut:
					_, err = bare.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: key,
						ContentLength: aws.Int64(r.Size), ContentType: aws.String(r.ContentType), IfNoneMatch: aws.String("*")},
						s3.WithPresignExpires(15*time.Minute))
				case ModePost:
					_, err = bare.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: key},
						func(o *s3.PresignPostOptions) {
							o.Expires = 15 * time.Minute
							o.Conditions = []any{[]any{"content-length-range", r.Size, r.Size}, map[string]string{"Content-Type": r.ContentType}}
						})
				case ModeMultipart:
					for n := int32(1); n <= 100 && err == nil; n++ {
						_, err = bare.PresignUploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("uploads"), Key: key, UploadId: aws.String("u"),
							PartNumber: aws.Int32(n), ContentLength: aws.Int64(5 << 20)}, s3.WithPresignExpires(15*time.Minute))
					}
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPresignRatio reports the handler's time per answer over the bare
// presigner's, measured in the same run.
func BenchmarkPresignRatio(b *testing.B) {
	h, _ := testHandler(ModePut)
	bare := s3.NewPresignClient(testClient("http://127.0.0.1:9000"))
	ctx := context.Background()
	r := &Request{FileName: "photo.png", ContentType: "image/png", Size: 5 << 20}
	const n = 2000
	timed := func(f func()) float64 {
		start := time.Now()
		for i := 0; i < n; i++ {
			f()
		}
		return float64(time.Since(start)) / n
	}
	var handler, sdk float64
	for i := 0; i < b.N; i++ {
		handler += timed(func() { h.Presign(ctx, alice, r) })
		sdk += timed(func() {
			bare.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("k"),
				ContentLength: aws.Int64(r.Size), ContentType: aws.String(r.ContentType), IfNoneMatch: aws.String("*")})
		})
	}
	b.ReportMetric(handler/float64(b.N)/1000, "us-handler-PUT")
	b.ReportMetric(sdk/float64(b.N)/1000, "us-sdk-PUT")
	b.ReportMetric(handler/sdk, "handler/sdk")
}
