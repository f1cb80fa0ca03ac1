package upload

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// EdgeUpload sends f to an edge upload endpoint (constructs/edgeupload) in
// one plain PUT: endpoint is the endpoint's Url ("https://d111.cloudfront.net/u/"),
// token an sgt1 token from the team's backend (lambda/edgetoken). In
// Redirect mode the endpoint answers 307 with a presigned S3 URL and the
// body goes there (the first request asks Expect: 100-continue, so the body
// is sent once); in Through mode it passes through CloudFront. The request
// carries If-None-Match: * (S3 never overwrites) and f.ContentType. Result
// has the key in Redirect mode; in Through mode only the ETag (the key is
// <prefix><sub>/<upload id>/<name>, see edgetoken.UploadID).
func (c *Client) EdgeUpload(ctx context.Context, endpoint, token string, f File, progress func(sent, total int64)) (*Result, error) {
	if !strings.HasSuffix(endpoint, "/") {
		endpoint += "/"
	}
	target, err := url.Parse(endpoint + url.PathEscape(f.Name))
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(strings.ToLower(token), "bearer ") {
		token = "Bearer " + token
	}
	counter := &progressCounter{total: f.Size, fn: progress}
	headers := map[string]string{"If-None-Match": "*"}
	if f.ContentType != "" {
		headers["Content-Type"] = f.ContentType
	}
	// Redirects are followed here, not by the http.Client: the body must be
	// sent again, with the same headers but not the token.
	client := *c.http()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	first := counter.sub()
	req, err := c.edgeRequest(ctx, target.String(), headers, f, first)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Expect", "100-continue")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTemporaryRedirect || resp.StatusCode == http.StatusPermanentRedirect:
		first.rollback() // a client that ignored Expect may have sent some of the body
		return c.followEdgeRedirect(ctx, resp, headers, f, counter.sub())
	case resp.StatusCode/100 == 2:
		io.Copy(io.Discard, resp.Body)
		return &Result{Mode: "EDGE-THROUGH", ETag: resp.Header.Get("ETag")}, nil
	case strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"):
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return nil, apiError(resp.StatusCode, b)
	default:
		return nil, storageError(resp) // S3's refusal passed through CloudFront
	}
}

// followEdgeRedirect sends f again, to the presigned S3 URL of the
// endpoint's redirect resp (Redirect mode), with headers but not the
// token; the key is the one the endpoint's answer names.
func (c *Client) followEdgeRedirect(ctx context.Context, resp *http.Response, headers map[string]string, f File, counter *progressCounter) (*Result, error) {
	var answer struct {
		Key string `json:"key"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer)
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("edge upload: %d without a Location", resp.StatusCode)
	}
	second, err := c.edgeRequest(ctx, loc.String(), headers, f, counter)
	if err != nil {
		return nil, err
	}
	etag, err := c.toStorage(second)
	if err != nil {
		return nil, err
	}
	return &Result{Key: answer.Key, Bucket: loc.Host, Mode: "EDGE-REDIRECT", ETag: etag}, nil
}

// edgeRequest is a PUT of f to u whose body can be sent again.
func (c *Client) edgeRequest(ctx context.Context, u string, headers map[string]string, f File, counter *progressCounter) (*http.Request, error) {
	body := func() io.Reader { return counter.reader(io.NewSectionReader(f.Body, 0, f.Size)) }
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body())
	if err != nil {
		return nil, err
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(body()), nil }
	req.ContentLength = f.Size
	if f.Size == 0 {
		req.Body, req.GetBody = http.NoBody, nil
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req, nil
}
