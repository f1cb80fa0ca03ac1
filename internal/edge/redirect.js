'use strict';
// streamgate edge uploads, Redirect mode: a Lambda@Edge viewer-request
// function. It checks the caller's sgt1 token and the request, then answers
// 307 with a presigned S3 PUT URL for a key it chooses; the client re-sends
// the body to S3 (curl -L, fetch, Go's http.Client). No body passes through
// it. Lambda@Edge has no environment variables: config.json, written by the
// construct at synth, sits next to this file.
const crypto = require('node:crypto');
const t = require('./token.js');
const sigv4 = require('./sigv4.js');

function hmacB64url(secret, text) {
  return t.sgtB64url(crypto.createHmac('sha256', secret).update(text).digest('base64'));
}

function header(name, value) {
  return [{ key: name, value: value }];
}

// respond builds CloudFront's generated response; cors are sgtCors's headers.
function respond(status, description, body, extra, cors) {
  const headers = Object.assign({
    'content-type': header('Content-Type', 'application/json'),
    'cache-control': header('Cache-Control', 'no-store'),
  }, extra || {});
  for (const [name, value] of Object.entries(cors || {})) headers[name] = header(name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()), value);
  return { status: String(status), statusDescription: description, headers, body };
}

function fail(e, cors) {
  return respond(e.status, e.code, t.sgtBody(e), e.status === 401 ? { 'www-authenticate': header('WWW-Authenticate', 'Bearer') } : {}, cors);
}

// secretKeys reads the keys ({"kid":"secret"}) from Secrets Manager and
// keeps them for cfg.keyCacheSeconds; a failed read is not cached.
function secretKeys(cfg, credentials) {
  let cached;
  let at = 0;
  return async (now) => {
    if (cached && now - at < cfg.keyCacheSeconds * 1000) return cached;
    const out = await sigv4.awsJSON({ service: 'secretsmanager', region: cfg.secretRegion, target: 'secretsmanager.GetSecretValue',
      payload: { SecretId: cfg.secretId }, credentials: credentials() });
    const keys = JSON.parse(out.SecretString);
    if (!keys || typeof keys !== 'object') throw new Error('the key secret is not a JSON object of key id to secret');
    cached = keys;
    at = now;
    return keys;
  };
}

// makeHandler builds the handler from its configuration and its sources of
// keys (async (nowMillis) => {kid: secret}), credentials and time, so the
// local runner and the tests run the same code with their own.
function makeHandler(cfg, deps) {
  return async function handler(event, context) {
    const request = event.Records[0].cf.request;
    const headers = request.headers;
    const cors = t.sgtCors(cfg, headers, request.method === 'OPTIONS');
    if (request.method === 'OPTIONS') {
      return respond(204, 'No Content', '', { allow: header('Allow', 'PUT, OPTIONS') }, cors);
    }
    if (request.method !== 'PUT') {
      return fail(t.sgtError(405, 'MethodNotAllowed', 'only PUT ' + cfg.path + '<file name> uploads (and OPTIONS)', 'method'), cors);
    }
    const token = t.sgtBearer(headers);
    if (!token) {
      return fail(t.sgtError(401, 'MissingToken', 'send "Authorization: Bearer <token>" with a token from your backend', 'Authorization'), cors);
    }
    const p = t.sgtParse(token, cfg.tokenVersion);
    if (p.error) return fail(p.error, cors);
    const nowMillis = deps.now();
    let keys;
    try {
      keys = await deps.keys(nowMillis);
    } catch (err) {
      console.error('streamgate edge upload: reading the keys failed:', err.message);
      return fail(t.sgtError(503, 'KeysUnavailable', 'the endpoint could not read its keys; try again', ''), cors);
    }
    const now = Math.floor(nowMillis / 1000);
    const v = t.sgtCheck(p, Object.prototype.hasOwnProperty.call(keys, p.kid) ? keys[p.kid] : undefined, now, hmacB64url);
    if (v.error) return fail(v.error, cors);
    const a = t.sgtAuthorize(cfg, v.claims, v.uploadId, request.uri, headers, now);
    if (a.error) return fail(a.error, cors);

    const pinned = { 'content-length': a.length };
    if (a.sentType !== undefined) pinned['content-type'] = a.sentType;
    if (a.ifNoneMatch) pinned['if-none-match'] = '*';
    const account = (context && context.invokedFunctionArn || '').split(':')[4] || '';
    const bucket = cfg.accountPlaceholder ? cfg.bucket.replace(cfg.accountPlaceholder, account) : cfg.bucket;
    const origin = cfg.endpoint || 'https://' + bucket + '.s3.' + cfg.region + '.amazonaws.com';
    const path = (cfg.endpoint ? '/' + bucket : '') + '/' + a.key;
    const url = sigv4.presign({ method: 'PUT', origin, path, headers: pinned, region: cfg.region, expires: cfg.expires,
      credentials: deps.credentials(), now: new Date(nowMillis) });
    return respond(307, 'Temporary Redirect', JSON.stringify({ key: a.key, url, expiresIn: cfg.expires, headers: pinned }),
      { location: header('Location', url) }, cors);
  };
}

let deployed;

// handler is the deployed function: configuration from config.json, keys
// from Secrets Manager, the role's credentials from the environment.
exports.handler = async (event, context) => {
  if (!deployed) {
    const cfg = require('./config.json');
    deployed = makeHandler(cfg, { keys: secretKeys(cfg, sigv4.envCredentials), credentials: sigv4.envCredentials, now: Date.now });
  }
  return deployed(event, context);
};
exports.makeHandler = makeHandler;
exports.hmacB64url = hmacB64url;
