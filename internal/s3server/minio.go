package s3server

// minio is `minio server` on Addr, its console on a free port, the
// browser off; with Webhook, a webhook target for bucket events named
// WebhookARN.
func (p *Process) minio() (args, env []string) {
	args = []string{"server", "--quiet", "--address", p.Addr, "--console-address", "127.0.0.1:0", p.Data}
	env = []string{"MINIO_ROOT_USER=" + p.AccessKey, "MINIO_ROOT_PASSWORD=" + p.SecretKey, "MINIO_BROWSER=off"}
	if p.Webhook != "" {
		env = append(env, "MINIO_NOTIFY_WEBHOOK_ENABLE_STREAMGATE=on", "MINIO_NOTIFY_WEBHOOK_ENDPOINT_STREAMGATE="+p.Webhook)
	}
	return args, env
}
