package upload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamgate/streamgate/lambda/presign/contract"
)

// state is what a multipart upload needs to resume, kept in a file of
// Client.StateDir named after the file's ID and the API.
type state struct {
	Endpoint          string `json:"endpoint"`
	Key               string `json:"key"`
	Bucket            string `json:"bucket"`
	UploadID          string `json:"uploadId"`
	Size              int64  `json:"size"`
	PartSize          int64  `json:"partSize"`
	ChecksumAlgorithm string `json:"checksumAlgorithm,omitempty"`
	Complete          string `json:"complete"`
	Abort             string `json:"abort"`
}

func (c *Client) statePath(f File) (string, error) {
	dir := c.StateDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(cache, "streamgate", "uploads")
	}
	sum := sha256.Sum256([]byte(c.Endpoint + "\x00" + f.ID))
	return filepath.Join(dir, hex.EncodeToString(sum[:12])+".json"), nil
}

// saveState records a started multipart upload of a file with an ID. A
// failure to save only costs the resume.
func (c *Client) saveState(f File, st *state) {
	if f.ID == "" {
		return
	}
	path, err := c.statePath(f)
	if err != nil {
		return
	}
	b, _ := json.Marshal(st)
	if os.MkdirAll(filepath.Dir(path), 0o700) == nil {
		_ = os.WriteFile(path, b, 0o600)
	}
}

func (c *Client) removeState(f File) {
	if path, err := c.statePath(f); err == nil && f.ID != "" {
		_ = os.Remove(path)
	}
}

// resume continues the recorded multipart upload of f, if there is one and
// S3 still has it: the parts S3 lists are not sent again. It returns nil,
// nil when there is nothing to resume (the upload then starts over).
func (c *Client) resume(ctx context.Context, f File, counter *progressCounter) (*Result, error) {
	if f.ID == "" {
		return nil, nil
	}
	path, err := c.statePath(f)
	if err != nil {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil
	}
	var st state
	if json.Unmarshal(b, &st) != nil || st.Endpoint != c.Endpoint || st.Size != f.Size || st.PartSize <= 0 || st.UploadID == "" {
		_ = os.Remove(path)
		return nil, nil
	}
	var listed contract.PartsList
	route := strings.Replace(contract.RouteParts, "{uploadId}", url.PathEscape(st.UploadID), 1) + "?key=" + url.QueryEscape(st.Key)
	if err := c.api(ctx, http.MethodGet, route, nil, &listed); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			_ = os.Remove(path) // completed, aborted or expired: start over
			return nil, nil
		}
		return nil, err
	}
	res := &Result{Key: st.Key, Bucket: st.Bucket, Mode: string(contract.ModeMultipart)}
	done := map[int]contract.ListedPart{}
	for _, p := range listed.Parts {
		// A part of another size than this file's would be is sent again.
		if p.Number >= 1 && int64(p.Number-1)*st.PartSize < f.Size && p.Size == partLen(f.Size, st.PartSize, p.Number) {
			done[p.Number] = p
			res.ResumedParts++
			res.ResumedBytes += p.Size
		}
	}
	counter.add(res.ResumedBytes)
	if res.ETag, err = c.multipart(ctx, &st, nil, f, done, counter); err != nil {
		return nil, err
	}
	return res, nil
}

// Resumable reports whether an interrupted multipart upload of f is
// recorded, so that the next Upload of f resumes it.
func (c *Client) Resumable(f File) bool {
	if f.ID == "" {
		return false
	}
	path, err := c.statePath(f)
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}
