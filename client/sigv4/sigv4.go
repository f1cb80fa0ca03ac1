// Package sigv4 signs HTTP requests with AWS Signature Version 4, for
// calling API Gateway methods whose authorization is AWS_IAM, on AWS or on
// the local runner (sgdev, localrun), with the AWS SDK for Go's own signer.
//
// A client for the local runner signs with its fixed local credential:
//
//	c := &http.Client{Transport: &sigv4.Transport{
//		Credentials: credentials.StaticCredentialsProvider{Value: localrun.LocalCredentials()},
//	}}
//	resp, err := c.Get(r.URL("TeamStreams") + "/hello")
//
// On AWS, pass the credentials of config.LoadDefaultConfig and the API's
// region. It imports no CDK.
package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// DefaultRegion is the region Transport signs for unless told otherwise:
// the local runner's.
const DefaultRegion = "us-east-1"

// Service is the signing name of API Gateway's invoke endpoints.
const Service = "execute-api"

// Transport is an http.RoundTripper that signs each request with SigV4 for
// execute-api (headers, not a presigned URL) and sends it with Base. The
// body is read once to hash it (API Gateway does not accept
// UNSIGNED-PAYLOAD), so a request's body should fit in memory: API Gateway
// takes at most 10 MB.
type Transport struct {
	// Base sends the signed requests. Default: http.DefaultTransport.
	Base http.RoundTripper
	// Credentials sign the requests. Required.
	Credentials aws.CredentialsProvider
	// Region is the API's region. Default: DefaultRegion.
	Region string
	// Now is the signing time. Default: time.Now.
	Now func() time.Time
}

// RoundTrip signs a copy of r and sends it.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.Credentials == nil {
		return nil, fmt.Errorf("sigv4: Transport.Credentials is nil")
	}
	creds, err := t.Credentials.Retrieve(r.Context())
	if err != nil {
		return nil, fmt.Errorf("sigv4: credentials: %w", err)
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("sigv4: reading the body: %w", err)
		}
	}
	signed := r.Clone(r.Context())
	signed.Body, signed.ContentLength = http.NoBody, 0
	if len(body) > 0 {
		signed.Body, signed.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		signed.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	sum := sha256.Sum256(body)
	region, now := t.Region, time.Now
	if region == "" {
		region = DefaultRegion
	}
	if t.Now != nil {
		now = t.Now
	}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, signed, hex.EncodeToString(sum[:]), Service, region, now()); err != nil {
		return nil, fmt.Errorf("sigv4: signing: %w", err)
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(signed)
}
