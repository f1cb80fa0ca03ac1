// Signs one request with the AWS SDK for JavaScript's SigV4 signer
// (@smithy/signature-v4, as the SDK's clients and Amplify use it), sends it
// with Node's fetch, and prints {"status": ..., "body": ...}.
//
// Usage: node sign.mjs '{"url": "...", "method": "POST", "body": "...",
//   "headers": {...}, "accessKeyId": "...", "secretAccessKey": "...",
//   "sessionToken": "...", "region": "us-east-1", "presign": false,
//   "expiresIn": 300}'
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

const o = JSON.parse(process.argv[2]);
const url = new URL(o.url);
const query = {};
for (const [k, v] of url.searchParams) {
  query[k] = k in query ? [].concat(query[k], v) : v;
}
const request = new HttpRequest({
  method: o.method || "GET",
  protocol: url.protocol,
  hostname: url.hostname,
  port: Number(url.port),
  path: url.pathname,
  query,
  headers: { host: url.host, ...(o.headers || {}) },
  body: o.body,
});
const signer = new SignatureV4({
  service: "execute-api",
  region: o.region || "us-east-1",
  sha256: Sha256,
  credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, sessionToken: o.sessionToken },
});
const signed = o.presign ? await signer.presign(request, { expiresIn: o.expiresIn || 300 }) : await signer.sign(request);

const target = new URL(o.url);
target.search = "";
for (const [k, v] of Object.entries(signed.query || {})) {
  for (const one of [].concat(v)) target.searchParams.append(k, one);
}
const headers = { ...signed.headers };
delete headers.host; // fetch sends the URL's
const resp = await fetch(target, { method: signed.method, headers, body: signed.body });
console.log(JSON.stringify({ status: resp.status, body: await resp.text() }));
