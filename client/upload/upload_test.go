package upload

import (
	"context"
	"net"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	u := "https://b.s3.eu-west-1.amazonaws.com/incoming/a/b/c.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261201&X-Amz-Security-Token=tok&X-Amz-Signature=abc123&partNumber=7&uploadId=u1"
	if got := RedactURL(u); got != "https://b.s3.eu-west-1.amazonaws.com/incoming/a/b/c.bin?partNumber=7" {
		t.Errorf("RedactURL = %q", got)
	}
}

// TestStorageErrorsShowNoSignature: a request that fails on the way to S3
// names the URL without its credentials.
func TestStorageErrorsShowNoSignature(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the connection is refused
	c := &Client{}
	_, err := c.put(context.Background(), "http://"+addr+"/b/k?X-Amz-Credential=AKIA&X-Amz-Signature=secret&partNumber=2", nil, strings.NewReader("x"), 1, &progressCounter{})
	if err == nil || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "AKIA") || !strings.Contains(err.Error(), "partNumber=2") {
		t.Errorf("error: %v", err)
	}
}
