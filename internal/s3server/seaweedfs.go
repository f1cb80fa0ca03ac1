package s3server

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"time"
)

// s3GotLockRing is the S3 gateway's log line for the filers' lock ring.
var s3GotLockRing = regexp.MustCompile(`LockRing: s3@\S+ received ring update`)

// seaweedFS is `weed server` with a master, a volume server, a filer and
// the S3 gateway, every port on 127.0.0.1. Each of them also serves gRPC
// (by default on its port + 10000, which can pass 65535): every port is
// picked free and named, and kept for a restart.
func (p *Process) seaweedFS() (args, env []string, err error) {
	_, s3Port, err := net.SplitHostPort(p.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("SeaweedFS address %q: %w", p.Addr, err)
	}
	if len(p.ports) == 0 {
		// master, master gRPC, volume, volume gRPC, filer, filer gRPC, S3
		// gRPC, metrics
		if p.ports, err = freePorts(8, s3Port); err != nil {
			return nil, nil, err
		}
	}
	pt := p.ports
	args = []string{
		// Logs to standard error only: by default glog also writes files
		// under the system's temporary directory, one set per run.
		"-logtostderr",
		"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + p.Data,
		"-master.port=" + pt[0], "-master.port.grpc=" + pt[1],
		// No usage statistics sent home from a test machine.
		"-master.telemetry=false",
		// A restart on the same data waits one election timeout before its
		// single master leads again (10 s by default).
		"-master.electionTimeout=1s",
		// Small volumes, as many as the disk holds: each bucket is a
		// collection that grows volumes of its own, and 8 volumes of
		// 30 GB (the defaults) run out at the second bucket.
		"-master.volumeSizeLimitMB=64", "-volume.max=0",
		"-volume.port=" + pt[2], "-volume.port.grpc=" + pt[3], "-volume.preStopSeconds=0",
		"-filer", "-filer.port=" + pt[4], "-filer.port.grpc=" + pt[5],
		"-filer.localSocket=" + socketPath(p.Data, "filer.sock"),
		"-s3", "-s3.port=" + s3Port, "-s3.port.grpc=" + pt[6], "-s3.port.iceberg=0", "-s3.port.lance=0",
		"-s3.localSocket=" + socketPath(p.Data, "s3.sock"),
		// Buckets exist because the runner or a test made them, as on AWS.
		"-s3.autoCreateBucket=false",
		"-metricsIp=127.0.0.1", "-metricsPort=" + pt[7],
	}
	// The S3 gateway's admin identity (SigV4 is checked against it); and no
	// crash reports sent anywhere, whatever the user's environment says.
	env = []string{"AWS_ACCESS_KEY_ID=" + p.AccessKey, "AWS_SECRET_ACCESS_KEY=" + p.SecretKey, "AWS_SESSION_TOKEN=", "SENTRY_DSN="}
	if p.Webhook != "" {
		// SeaweedFS has no S3 bucket notifications; its filer can post its
		// own metadata events (notification.toml, or these variables).
		env = append(env, "WEED_NOTIFICATION_WEBHOOK_ENABLED=true", "WEED_NOTIFICATION_WEBHOOK_ENDPOINT="+p.Webhook)
	}
	return args, env, nil
}

// seaweedFSSockets are the Unix sockets `weed server` makes for its gRPC
// ports under /tmp, whatever its flags say; a killed server leaves them.
func (p *Process) seaweedFSSockets() []string {
	if p.Kind != SeaweedFS || len(p.ports) < 7 {
		return nil
	}
	return []string{"/tmp/seaweedfs-master-grpc-" + p.ports[1] + ".sock", "/tmp/seaweedfs-volume-grpc-" + p.ports[3] + ".sock",
		"/tmp/seaweedfs-filer-grpc-" + p.ports[5] + ".sock", "/tmp/seaweedfs-s3-grpc-" + p.ports[6] + ".sock"}
}

// socketPath is a Unix socket in the data directory when its path fits
// the 108 bytes Linux allows, or else "" (SeaweedFS's default, under /tmp).
func socketPath(dir, name string) string {
	p := filepath.Join(dir, name)
	if abs, err := filepath.Abs(p); err == nil && len(abs) < 100 {
		return abs
	}
	return ""
}

// seaweedFSWritable says whether the master can place a new file: the S3
// gateway answers its health check before the volume server has joined,
// and an upload then fails with "no writable volumes".
func (p *Process) seaweedFSWritable() bool {
	resp, err := http.Get("http://127.0.0.1:" + p.ports[0] + "/dir/status")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var status struct {
		Topology struct {
			Free int64 `json:"Free"`
			Max  int64 `json:"Max"`
		} `json:"Topology"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&status) != nil || status.Topology.Max <= 0 {
		return false
	}
	// An object write takes a lock of the filers' lock ring, which the
	// master hands the S3 gateway only once the filer has announced itself
	// (some seconds after the first start, longer after a restart); until
	// then a PutObject waits, retrying every second. The gateway logs the
	// ring when it gets it. In case a later SeaweedFS words that otherwise,
	// the server counts as ready 15 s after its volumes are.
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.volumesAt.IsZero() {
		p.volumesAt = time.Now()
	}
	return s3GotLockRing.Match(p.logs.Bytes()) || time.Since(p.volumesAt) > 15*time.Second
}
