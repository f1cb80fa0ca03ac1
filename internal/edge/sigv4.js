'use strict';
// AWS Signature Version 4 for the Lambda@Edge function: a presigned S3 PUT
// URL (query signing) and signed JSON API calls (header signing, for
// Secrets Manager). No dependencies: Lambda@Edge has no layers, and the
// local runner and tests run this same file with the project's Node.js.
// Specification: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
const crypto = require('node:crypto');

// uriEncode is SigV4's encoding: RFC 3986 unreserved characters kept.
function uriEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function hmac(key, s) {
  return crypto.createHmac('sha256', key).update(s).digest();
}

function sha256(s) {
  return crypto.createHash('sha256').update(s).digest('hex');
}

// amzDate formats a Date as 20150830T123600Z.
function amzDate(d) {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.[0-9]{3}/, '');
}

// signature signs a request described by its parts and returns the
// credential scope, signed header list and signature.
function signature({ method, path, query, headers, payloadHash, region, service, credentials, time }) {
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const lower = {};
  for (const n of Object.keys(headers)) lower[n.toLowerCase()] = String(headers[n]).trim().replace(/ +/g, ' ');
  const canonicalQuery = Object.keys(query).sort().map((k) => uriEncode(k) + '=' + uriEncode(query[k])).join('&');
  const canonicalPath = path.split('/').map(uriEncode).join('/');
  const signedHeaders = names.join(';');
  const canonicalRequest = [method, canonicalPath, canonicalQuery, names.map((n) => n + ':' + lower[n] + '\n').join(''), signedHeaders, payloadHash].join('\n');
  const day = time.slice(0, 8);
  const scope = day + '/' + region + '/' + service + '/aws4_request';
  const toSign = ['AWS4-HMAC-SHA256', time, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac('AWS4' + credentials.secretAccessKey, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return { scope, signedHeaders, signature: hmac(key, toSign).toString('hex') };
}

// presign returns a URL that allows one request: method on origin + path
// with exactly the given headers (lower-case names; host is added), for
// expires seconds. The body is not signed (UNSIGNED-PAYLOAD).
function presign({ method = 'PUT', origin, path, headers = {}, region, service = 's3', expires, credentials, now = new Date() }) {
  const time = amzDate(now);
  const host = new URL(origin).host;
  const signed = Object.assign({ host }, headers);
  const query = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': credentials.accessKeyId + '/' + time.slice(0, 8) + '/' + region + '/' + service + '/aws4_request',
    'X-Amz-Date': time,
    'X-Amz-Expires': String(expires),
    'X-Amz-SignedHeaders': Object.keys(signed).map((n) => n.toLowerCase()).sort().join(';'),
  };
  if (credentials.sessionToken) query['X-Amz-Security-Token'] = credentials.sessionToken;
  const s = signature({ method, path, query, headers: signed, payloadHash: 'UNSIGNED-PAYLOAD', region, service, credentials, time });
  query['X-Amz-Signature'] = s.signature;
  const search = Object.keys(query).map((k) => uriEncode(k) + '=' + uriEncode(query[k])).join('&');
  return origin + path.split('/').map(uriEncode).join('/') + '?' + search;
}

// signHeaders returns the headers (with Authorization) of a signed request
// whose body is the string body, or whose payload is not signed when
// unsignedPayload is set (S3 streams: UNSIGNED-PAYLOAD).
function signHeaders({ method = 'POST', host, path = '/', headers = {}, body = '', unsignedPayload = false, region, service, credentials, now = new Date() }) {
  const time = amzDate(now);
  const all = Object.assign({ host, 'x-amz-date': time }, headers);
  if (credentials.sessionToken) all['x-amz-security-token'] = credentials.sessionToken;
  const payloadHash = unsignedPayload ? 'UNSIGNED-PAYLOAD' : sha256(body);
  if (unsignedPayload) all['x-amz-content-sha256'] = payloadHash;
  const s = signature({ method, path, query: {}, headers: all, payloadHash, region, service, credentials, time });
  all.authorization = 'AWS4-HMAC-SHA256 Credential=' + credentials.accessKeyId + '/' + s.scope + ', SignedHeaders=' + s.signedHeaders + ', Signature=' + s.signature;
  return all;
}

// awsJSON calls an AWS JSON 1.1 API (Secrets Manager) and returns the
// parsed answer; errors name the service's error type.
async function awsJSON({ service, region, target, payload, credentials, endpoint }) {
  const host = endpoint ? new URL(endpoint).host : service + '.' + region + '.amazonaws.com';
  const body = JSON.stringify(payload);
  const headers = signHeaders({ host, body, region, service, credentials, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target } });
  delete headers.host;
  const res = await fetch((endpoint || 'https://' + host) + '/', { method: 'POST', headers, body, signal: AbortSignal.timeout(2000) });
  const text = await res.text();
  if (!res.ok) throw new Error(target + ' failed with ' + res.status + ': ' + text.slice(0, 200));
  return JSON.parse(text);
}

// envCredentials are the function role's credentials, which Lambda (also
// Lambda@Edge) puts in the reserved environment variables.
function envCredentials(env = process.env) {
  return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
}

module.exports = { presign, signHeaders, awsJSON, envCredentials, amzDate, uriEncode };
