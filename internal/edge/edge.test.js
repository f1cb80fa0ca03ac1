'use strict';
// node --test internal/edge (run by make test with the
// project's Node.js 24): the shared token vectors, SigV4 against AWS's
// published examples, the Lambda@Edge handler on CloudFront's event shape,
// and the CloudFront Function in a sandbox holding only what
// cloudfront-js-2.0 offers.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const nodeCrypto = require('node:crypto');
const t = require('./token.js');
const sigv4 = require('./sigv4.js');
const { makeHandler, hmacB64url } = require('./redirect.js');

// The endpoint's configuration as the construct writes it (config.json,
// completed: TestTestdataConfigIsComplete).
const cfg = JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata/config.json'), 'utf8'));
const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '../../lambda/edgetoken/testdata/vectors.json'), 'utf8'));

test('token vectors shared with Go', () => {
  assert.ok(vectors.cases.length >= 15);
  for (const c of vectors.cases) {
    const p = t.sgtParse(c.token, cfg.tokenVersion);
    const got = p.error ? p : t.sgtCheck(p, vectors.keys[p.kid], c.now, hmacB64url);
    if (c.error) {
      assert.equal(got.error && got.error.code, c.error, c.name);
      assert.equal(got.error.status, 401, c.name);
    } else {
      assert.equal(got.error, undefined, c.name + ': ' + JSON.stringify(got.error));
      assert.deepEqual(got.claims, c.claims, c.name);
      assert.equal(got.uploadId, c.uploadId, c.name);
    }
  }
});

test('SigV4 header signing: AWS test suite get-vanilla', () => {
  const h = sigv4.signHeaders({ method: 'GET', host: 'example.amazonaws.com', region: 'us-east-1', service: 'service',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, now: new Date('2015-08-30T12:36:00Z') });
  assert.equal(h.authorization, 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
    'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
});

test('SigV4 presigned URL: the S3 documentation example', () => {
  const url = sigv4.presign({ method: 'GET', origin: 'https://examplebucket.s3.amazonaws.com', path: '/test.txt', region: 'us-east-1', expires: 86400,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, now: new Date('2013-05-24T00:00:00Z') });
  assert.match(url, /X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404$/);
});

// The endpoint's configuration as the construct writes it (config.json).
// (testdata/config.json; the Go test assembles the CloudFront Function from it too).
const keys = { k1: 'k1-secret-0123456789abcdefghijklmnopqrstuvwxyz', k2: 'k2-secret-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210' };
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const nowSec = NOW / 1000;

function token(kid, claims) {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signed = cfg.tokenVersion + '.' + kid + '.' + body;
  return signed + '.' + hmacB64url(keys[kid], signed);
}

function cfHeaders(h) {
  const out = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = [{ key: k, value: v }];
  return out;
}

function viewerRequest(method, uri, h) {
  return { Records: [{ cf: { config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', eventType: 'viewer-request', requestId: 'r1' },
    request: { clientIp: '203.0.113.1', method, uri, querystring: '', headers: cfHeaders(Object.assign({ Host: 'd111111abcdef8.cloudfront.net' }, h)) } } }] };
}

const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:edge-upload:3' };
const creds = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' };
const redirect = makeHandler(cfg, { keys: async () => keys, credentials: () => creds, now: () => NOW });
const good = { sub: 'partner-42', exp: nowSec + 300, name: 'report.pdf', max: 5 << 20, type: 'application/pdf' };

function errorOf(res) {
  return JSON.parse(res.body).error;
}

test('redirect: a valid token gets a 307 to a presigned PUT for a key the server chose', async () => {
  const tok = token('k1', good);
  const res = await redirect(viewerRequest('PUT', '/u/report.pdf', { Authorization: 'Bearer ' + tok, 'Content-Length': '1234', 'Content-Type': 'application/pdf', 'If-None-Match': '*' }), context);
  assert.equal(res.status, '307');
  const url = new URL(res.headers.location[0].value);
  const key = 'incoming/partner-42/' + tok.split('.')[3].slice(0, 22) + '/report.pdf';
  assert.equal(url.origin, 'https://uploads-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com');
  assert.equal(url.pathname, '/' + key);
  assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'content-length;content-type;host;if-none-match');
  assert.equal(url.searchParams.get('X-Amz-Expires'), '300');
  assert.equal(url.searchParams.get('X-Amz-Security-Token'), 'session-token');
  assert.match(url.searchParams.get('X-Amz-Credential'), /^AKIAEXAMPLE\/20261201\/eu-west-1\/s3\/aws4_request$/);
  assert.deepEqual(JSON.parse(res.body).key, key);
  assert.equal(res.headers['cache-control'][0].value, 'no-store');
});

test('redirect: headers the client does not send are not pinned (plain curl -T -L)', async () => {
  const res = await redirect(viewerRequest('PUT', '/u/a.bin', { Authorization: 'Bearer ' + token('k2', { sub: 'u1', exp: nowSec + 60 }), 'Content-Length': '3' }), context);
  assert.equal(res.status, '307');
  assert.equal(new URL(res.headers.location[0].value).searchParams.get('X-Amz-SignedHeaders'), 'content-length;host');
});

test('redirect: every refusal is a 4xx with a JSON error naming the field', async () => {
  const base = { 'Content-Length': '1234', 'Content-Type': 'application/pdf' };
  const cases = [
    ['expired', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', Object.assign({}, good, { exp: nowSec })) }, 401, 'ExpiredToken'],
    ['tampered', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good).replace('.k1.', '.k2.') }, 401, 'BadSignature'],
    ['wrong key id', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good).replace('.k1.', '.k7.') }, 401, 'UnknownKey'],
    ['no token', 'PUT', '/u/report.pdf', {}, 401, 'MissingToken'],
    ['not bearer', 'PUT', '/u/report.pdf', { Authorization: 'Basic dTpw' }, 401, 'MissingToken'],
    ['garbage token', 'PUT', '/u/report.pdf', { Authorization: 'Bearer abc' }, 401, 'MalformedToken'],
    ['too long lived', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', Object.assign({}, good, { exp: nowSec + 7200 })) }, 401, 'TokenLifetimeTooLong'],
    ['oversize for the token', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good), 'Content-Length': String((5 << 20) + 1) }, 413, 'TooLarge'],
    ['oversize for the endpoint', 'PUT', '/u/a.bin', { Authorization: 'Bearer ' + token('k1', { sub: 'u', exp: nowSec + 60 }), 'Content-Length': String((10 << 20) + 1), 'Content-Type': 'application/octet-stream' }, 413, 'TooLarge'],
    ['no length', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good), 'Content-Length': undefined }, 411, 'LengthRequired'],
    ['wrong type for the token', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good), 'Content-Type': 'video/mp4' }, 415, 'ContentTypeNotAllowed'],
    ['type the endpoint refuses', 'PUT', '/u/a.html', { Authorization: 'Bearer ' + token('k1', { sub: 'u', exp: nowSec + 60 }), 'Content-Type': 'text/html' }, 415, 'ContentTypeNotAllowed'],
    ['other name', 'PUT', '/u/other.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 403, 'NameNotAllowed'],
    ['dot dot', 'PUT', '/u/../report.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 400, 'InvalidFileName'],
    ['encoded dot dot', 'PUT', '/u/%2e%2e%2freport.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 400, 'InvalidFileName'],
    ['sub path', 'PUT', '/u/a/report.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 400, 'InvalidFileName'],
    ['hidden', 'PUT', '/u/.report.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 400, 'InvalidFileName'],
    ['outside /u/', 'PUT', '/report.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 404, 'NotFound'],
    ['double slash', 'PUT', '//u/report.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 404, 'NotFound'],
    ['if-none-match etag', 'PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good), 'If-None-Match': '"abc"' }, 400, 'InvalidIfNoneMatch'],
    ['GET', 'GET', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 405, 'MethodNotAllowed'],
    ['POST', 'POST', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good) }, 405, 'MethodNotAllowed'],
  ];
  for (const [name, method, uri, h, status, code] of cases) {
    const headers = Object.assign({}, base, h);
    for (const k of Object.keys(headers)) if (headers[k] === undefined) delete headers[k];
    const res = await redirect(viewerRequest(method, uri, headers), context);
    assert.equal(res.status, String(status), name + ': ' + res.body);
    const e = errorOf(res);
    assert.equal(e.code, code, name);
    assert.ok(e.message.length > 10, name);
    assert.equal(res.headers['content-type'][0].value, 'application/json', name);
  }
});

test('redirect: keys that cannot be read give 503, never a crash', async () => {
  const broken = makeHandler(cfg, { keys: async () => { throw new Error('AccessDenied'); }, credentials: () => creds, now: () => NOW });
  const orig = console.error;
  console.error = () => {};
  try {
    const res = await broken(viewerRequest('PUT', '/u/report.pdf', { Authorization: 'Bearer ' + token('k1', good), 'Content-Length': '1' }), context);
    assert.equal(res.status, '503');
    assert.equal(errorOf(res).code, 'KeysUnavailable');
  } finally {
    console.error = orig;
  }
});

test('redirect: OPTIONS is answered at the edge', async () => {
  const res = await redirect(viewerRequest('OPTIONS', '/u/report.pdf', {}), context);
  assert.equal(res.status, '204');
});

// through is the CloudFront Function the construct ships: the file the Go
// test wrote with edge.ThroughCode (go test ./internal/edge
// runs these tests), or, run alone, the same assembly done here.
function through(config, kvsId) {
  if (process.env.SGT_THROUGH_FILE && config === cfg) return fs.readFileSync(process.env.SGT_THROUGH_FILE, 'utf8');
  const src = fs.readFileSync(path.join(__dirname, 'through.js'), 'utf8');
  const imports = src.split('\n').filter((l) => l.startsWith('import ')).map((l) => l + '\n').join('');
  const body = fs.readFileSync(path.join(__dirname, 'through.min.js'), 'utf8');
  return imports + 'var SGT_CONFIG = ' + JSON.stringify(config) + ';\nvar SGT_KVS_ID = ' + JSON.stringify(kvsId) + ';\n' + body;
}

// sandbox runs the function with only what cloudfront-js-2.0 provides:
// the cloudfront module's kvs, a crypto module with createHmac and
// createHash, Buffer, and the language's own objects. No require, no process.
function sandbox(code, store, now) {
  const cf = { kvs: (id) => ({ get: async (k) => { if (id !== 'kvs-123' || !(k in store)) throw new Error('key not found'); return store[k]; } }) };
  const crypto = { createHmac: nodeCrypto.createHmac, createHash: nodeCrypto.createHash };
  const ctx = vm.createContext({ cf, crypto, Buffer, console: { log() {} } });
  vm.runInContext('Date.now = function () { return ' + now + '; };', ctx);
  vm.runInContext(code.split('\n').filter((l) => !l.startsWith('import ')).join('\n'), ctx);
  return ctx.handler;
}

function cfRequest(method, uri, h) {
  const headers = {};
  for (const [k, v] of Object.entries(h)) headers[k.toLowerCase()] = { value: v };
  return { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '203.0.113.1' }, request: { method, uri, querystring: { x: { value: '1' } }, headers, cookies: {} } };
}

test('through: the Go assembly (edge.ThroughCode) and this one agree', { skip: !process.env.SGT_THROUGH_FILE && 'run by go test ./internal/edge' }, () => {
  assert.equal(through(cfg, 'kvs-123'), through(JSON.parse(JSON.stringify(cfg)), 'kvs-123'));
});

test('through: the CloudFront Function fits in 10 KB and uses nothing cloudfront-js-2.0 lacks', () => {
  const code = through(cfg, 'kvs-123');
  assert.ok(Buffer.byteLength(code) <= 10240, Buffer.byteLength(code) + ' bytes');
  assert.doesNotMatch(code, /require\(|process\.|setTimeout|fetch\(|=>/);
});

test('through: a valid token rewrites the request to the chosen key; refusals are JSON 4xx', async () => {
  const store = { [cfg.keyStorePrefix + 'k1']: keys.k1 };
  const handler = sandbox(through(cfg, 'kvs-123'), store, NOW);
  {
    const tok = token('k1', good);
    const out = await handler(cfRequest('PUT', '/u/report.pdf', { authorization: 'Bearer ' + tok, 'content-length': '10', 'content-type': 'application/pdf' }));
    assert.equal(out.uri, '/incoming/partner-42/' + tok.split('.')[3].slice(0, 22) + '/report.pdf');
    assert.equal(out.headers.authorization, undefined);
    assert.equal(out.headers['if-none-match'].value, '*');
    assert.equal(Object.keys(out.querystring).length, 0);
    const plain = await handler(cfRequest('PUT', '/u/a.bin', { authorization: 'Bearer ' + token('k1', { sub: 'u', exp: nowSec + 60 }), 'content-length': '1' }));
    assert.equal(plain.headers['content-type'].value, 'application/octet-stream');
    for (const [name, req, status, code] of [
      ['k2 not in the store', cfRequest('PUT', '/u/report.pdf', { authorization: 'Bearer ' + token('k2', good), 'content-length': '10', 'content-type': 'application/pdf' }), 401, 'UnknownKey'],
      ['expired', cfRequest('PUT', '/u/report.pdf', { authorization: 'Bearer ' + token('k1', Object.assign({}, good, { exp: nowSec - 1 })), 'content-length': '10', 'content-type': 'application/pdf' }), 401, 'ExpiredToken'],
      ['oversize', cfRequest('PUT', '/u/report.pdf', { authorization: 'Bearer ' + tok, 'content-length': String(6 << 20), 'content-type': 'application/pdf' }), 413, 'TooLarge'],
      ['chunked', cfRequest('PUT', '/u/report.pdf', { authorization: 'Bearer ' + tok, 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' }), 411, 'LengthRequired'],
      ['path trick', cfRequest('PUT', '/u/..%2fx', { authorization: 'Bearer ' + tok, 'content-length': '10' }), 400, 'InvalidFileName'],
      ['GET', cfRequest('GET', '/u/report.pdf', { authorization: 'Bearer ' + tok }), 405, 'MethodNotAllowed'],
    ]) {
      const res = await handler(req);
      assert.equal(res.statusCode, status, name);
      assert.equal(JSON.parse(res.body.data).error.code, code, name);
      assert.equal(res.headers['content-type'].value, 'application/json', name);
    }
  }
});

test('CORS: allowed origins get preflights and CORS headers on every answer, others nothing', async () => {
  const corsCfg = Object.assign({}, cfg, { corsOrigins: ['https://app.example.com'] });
  const h = makeHandler(corsCfg, { keys: async () => keys, credentials: () => creds, now: () => NOW });
  const origin = { Origin: 'https://app.example.com' };
  const pre = await h(viewerRequest('OPTIONS', '/u/report.pdf', Object.assign({ 'Access-Control-Request-Method': 'PUT' }, origin)), context);
  assert.equal(pre.status, '204');
  assert.equal(pre.headers['access-control-allow-origin'][0].value, 'https://app.example.com');
  assert.equal(pre.headers['access-control-allow-origin'][0].key, 'Access-Control-Allow-Origin');
  assert.match(pre.headers['access-control-allow-headers'][0].value, /authorization/);
  assert.equal(pre.headers['access-control-allow-methods'][0].value, 'PUT');
  const ok = await h(viewerRequest('PUT', '/u/report.pdf', Object.assign({ Authorization: 'Bearer ' + token('k1', good), 'Content-Length': '10', 'Content-Type': 'application/pdf' }, origin)), context);
  assert.equal(ok.status, '307');
  assert.equal(ok.headers['access-control-allow-origin'][0].value, 'https://app.example.com');
  const refused = await h(viewerRequest('PUT', '/u/report.pdf', origin), context);
  assert.equal(refused.status, '401');
  assert.equal(refused.headers['access-control-allow-origin'][0].value, 'https://app.example.com');
  const other = await h(viewerRequest('OPTIONS', '/u/report.pdf', { Origin: 'https://evil.example.com' }), context);
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  const none = await redirect(viewerRequest('OPTIONS', '/u/report.pdf', origin), context);
  assert.equal(none.headers['access-control-allow-origin'], undefined, 'no CORS without corsOrigins');

  const cf = sandbox(through(corsCfg, 'kvs-123'), { [cfg.keyStorePrefix + 'k1']: keys.k1 }, NOW);
  const cfPre = await cf(cfRequest('OPTIONS', '/u/report.pdf', { origin: 'https://app.example.com' }));
  assert.equal(cfPre.statusCode, 204);
  assert.equal(cfPre.headers['access-control-allow-origin'].value, 'https://app.example.com');
  const cfRefused = await cf(cfRequest('PUT', '/u/report.pdf', { origin: 'https://app.example.com' }));
  assert.equal(cfRefused.statusCode, 401);
  assert.equal(cfRefused.headers['access-control-allow-origin'].value, 'https://app.example.com');
});

test('edge handler time per request (figures for the closing note)', async () => {
  const tok = token('k1', good);
  const ev = viewerRequest('PUT', '/u/report.pdf', { Authorization: 'Bearer ' + tok, 'Content-Length': '1234', 'Content-Type': 'application/pdf', 'If-None-Match': '*' });
  const n = 5000;
  let start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await redirect(ev, context);
  const perRequest = Number(process.hrtime.bigint() - start) / n / 1000;
  const p = t.sgtParse(tok, cfg.tokenVersion);
  start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) t.sgtCheck(p, keys.k1, nowSec, hmacB64url);
  const perVerify = Number(process.hrtime.bigint() - start) / n / 1000;
  start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) token('k1', good);
  const perIssue = Number(process.hrtime.bigint() - start) / n / 1000;
  console.log(`# redirect handler: ${perRequest.toFixed(1)} us per request; token verify: ${perVerify.toFixed(1)} us (${Math.round(1e6 / perVerify)} per second); ` +
    `token issue (the test's helper): ${perIssue.toFixed(1)} us (${Math.round(1e6 / perIssue)} per second)`);
});
