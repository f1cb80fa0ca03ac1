import cf from 'cloudfront';
import crypto from 'crypto';
// streamgate edge uploads, Through mode: a CloudFront Function
// (cloudfront-js-2.0, viewer request). It checks the caller's sgt1 token
// against the keys in the KeyValueStore and the request, then rewrites the
// path to a key it chooses and lets the body pass through CloudFront to S3,
// which origin access control signs (write only). It never sees the body.
// Browsers' CORS: preflights and refusals are answered here; S3 answers
// the upload itself (the Origin header is forwarded, the bucket has CORS).
// At synth the construct inserts, after the imports, SGT_CONFIG and
// SGT_KVS_ID, then token.js and this file minified (through.min.js); the
// whole must stay under CloudFront's 10 KB.

var sgtStore = cf.kvs(SGT_KVS_ID);

function sgtHmac(secret, text) {
  return sgtB64url(crypto.createHmac('sha256', secret).update(text).digest('base64'));
}

function sgtHeaders(h, cors) {
  for (var name in cors) h[name] = { value: cors[name] };
  return h;
}

function sgtRespond(e, cors) {
  var headers = sgtHeaders({ 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } }, cors);
  if (e.status === 401) headers['www-authenticate'] = { value: 'Bearer' };
  return { statusCode: e.status, statusDescription: e.code, headers: headers, body: { encoding: 'text', data: sgtBody(e) } };
}

async function handler(event) {
  var request = event.request;
  var h = request.headers;
  var cors = sgtCors(SGT_CONFIG, h, request.method === 'OPTIONS');
  if (request.method === 'OPTIONS') {
    return { statusCode: 204, statusDescription: 'No Content', headers: sgtHeaders({ allow: { value: 'PUT, OPTIONS' } }, cors) };
  }
  if (request.method !== 'PUT') {
    return sgtRespond(sgtError(405, 'MethodNotAllowed', 'only PUT ' + SGT_CONFIG.path + '<file name> uploads (and OPTIONS)', 'method'), cors);
  }
  var token = sgtBearer(h);
  if (!token) {
    return sgtRespond(sgtError(401, 'MissingToken', 'send "Authorization: Bearer <token>" with a token from your backend', 'Authorization'), cors);
  }
  var p = sgtParse(token, SGT_CONFIG.tokenVersion);
  if (p.error) return sgtRespond(p.error, cors);
  var secret;
  try {
    secret = await sgtStore.get(SGT_CONFIG.keyStorePrefix + p.kid);
  } catch (e) {
    secret = undefined; // get throws when the key is not in the store
  }
  var now = Math.floor(Date.now() / 1000);
  var v = sgtCheck(p, secret, now, sgtHmac);
  if (v.error) return sgtRespond(v.error, cors);
  var a = sgtAuthorize(SGT_CONFIG, v.claims, v.uploadId, request.uri, h, now);
  if (a.error) return sgtRespond(a.error, cors);
  request.uri = '/' + a.key;
  request.querystring = {};
  delete h.authorization;
  h['if-none-match'] = { value: '*' };
  if (a.sentType === undefined) h['content-type'] = { value: 'application/octet-stream' };
  return request;
}
