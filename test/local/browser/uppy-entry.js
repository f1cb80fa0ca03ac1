// The Uppy page's script, bundled by the test with esbuild: Uppy 6 with its
// S3 plugin pointed at a PresignedUploadApi's Companion routes, as Uppy's
// own documentation starts it (companionEndpoint).
import Uppy from "@uppy/core";
import AwsS3 from "@uppy/aws-s3";

const MiB = 1 << 20;

// pattern is the same bytes as test/local's pattern(): xorshift32 words,
// little-endian, so the test compares the stored object byte for byte.
function pattern(size, seed) {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let x = seed >>> 0;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    view.setUint32(i, x, true);
  }
  return bytes;
}

// withAuthorization adds an Authorization header to every request for the
// API's origin: Uppy 6's Companion client sends none of its own, and an API
// behind Cognito or a Lambda authorizer needs it (the README's recipe).
function withAuthorization(api, token) {
  const apiOrigin = new URL(api).origin;
  const plain = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url, location.href);
    if (url.origin !== apiOrigin) return plain(input, init);
    const headers = new Headers(init.headers);
    headers.set("Authorization", token());
    return plain(input, { ...init, headers });
  };
}

// run uploads the files the page's query asks for and reports each one's
// outcome; pause (bytes) pauses a file once that much is up, and resumes it.
async function run(q) {
  if (q.get("token")) withAuthorization(q.get("api"), () => q.get("token"));
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(AwsS3, {
    companionEndpoint: q.get("api"), // the stage URL: Uppy calls {api}/s3/...
    shouldUseMultipart: (file) => !file.meta.single && file.size > 8 * MiB,
  });
  const files = JSON.parse(q.get("files"));
  const report = { files: {} };
  for (const f of files) {
    const data = pattern(f.size, f.seed);
    uppy.addFile({ name: f.name, type: f.type, data: new Blob([data], { type: f.type }), meta: { single: !!f.single } });
  }
  const pauseAt = Number(q.get("pause") || 0);
  let paused = false;
  uppy.on("upload-progress", (file, progress) => {
    if (pauseAt && !paused && progress.bytesUploaded >= pauseAt) {
      paused = true;
      report.pausedAt = progress.bytesUploaded;
      uppy.pauseResume(file.id);
      setTimeout(() => { report.resumedAfterMs = 500; uppy.pauseResume(file.id); }, 500);
    }
  });
  uppy.on("upload-success", (file, response) => {
    // doneAt: when Uppy saw the upload complete (Unix ms, the test's clock).
    report.files[file.name] = { ok: true, key: response.body.key, location: response.uploadURL, doneAt: Date.now() };
  });
  uppy.on("upload-error", (file, error) => {
    report.files[file.name] = { ok: false, error: String(error && error.message || error) };
  });
  const t0 = performance.now();
  await uppy.upload();
  report.ms = performance.now() - t0;
  return report;
}

(async () => {
  const q = new URLSearchParams(location.search);
  let report;
  try {
    report = await run(q);
  } catch (e) {
    report = { error: String(e && e.stack || e) };
  }
  await fetch("/report", { method: "POST", body: JSON.stringify(report) });
})();
