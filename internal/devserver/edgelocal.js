'use strict';
// The local runner's edge upload endpoint: internal/devserver (sgdev, make
// dev) starts one per EdgeUploadEndpoint with this machine's Node.js. It
// runs the code the construct deploys, against the runner's MinIO:
//   Redirect: redirect.js's handler on CloudFront's viewer-request event,
//     whose 307 points at a URL presigned for MinIO.
//   Through: the CloudFront Function (as the construct assembles it) in a
//     sandbox with the KeyValueStore's keys, then the body streamed to
//     MinIO signed as origin access control would sign it.
// Its one argument is a JSON file (devserver's localEdge): mode (REDIRECT
// or THROUGH), port, config (the endpoint's edge.Config, completed, its
// bucket and endpoint pointing at MinIO), keys ({"kid":"secret"}) and
// throughFile; the MinIO credentials are in AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY.
const http = require('node:http');
const fs = require('node:fs');
const vm = require('node:vm');
const nodeCrypto = require('node:crypto');
const sigv4 = require('./sigv4.js');
const { makeHandler } = require('./redirect.js');

const local = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { mode, config: cfg, keys } = local;
const credentials = sigv4.envCredentials();
const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:local-edge-upload:1' };

function lambdaHeaders(req) {
  const h = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    (h[name.toLowerCase()] = h[name.toLowerCase()] || []).push({ key: name, value: req.rawHeaders[i + 1] });
  }
  return h;
}

function functionHeaders(req) {
  const h = {};
  for (const [name, value] of Object.entries(req.headers)) h[name] = { value: Array.isArray(value) ? value.join(',') : value };
  return h;
}

function writeLambdaResponse(res, out, bodyPending) {
  for (const list of Object.values(out.headers || {})) for (const { key, value } of list) res.setHeader(key, value);
  // A client that did not wait for 100 Continue is sending a body no one
  // reads: close rather than read it (CloudFront also answers before it).
  if (bodyPending) res.setHeader('Connection', 'close');
  res.writeHead(Number(out.status), out.statusDescription);
  res.end(out.body || '');
}

function redirectServer() {
  const handler = makeHandler(cfg, { keys: async () => keys, credentials: () => credentials, now: Date.now });
  return async (req, res, expectsContinue) => {
    const url = new URL(req.url, 'http://' + req.headers.host);
    const event = { Records: [{ cf: {
      config: { distributionDomainName: req.headers.host, eventType: 'viewer-request', requestId: nodeCrypto.randomUUID() },
      request: { clientIp: req.socket.remoteAddress, method: req.method, uri: url.pathname, querystring: url.search.slice(1), headers: lambdaHeaders(req) },
    } }] };
    const out = await handler(event, context);
    writeLambdaResponse(res, out, !expectsContinue && req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  };
}

function throughServer() {
  const code = fs.readFileSync(local.throughFile, 'utf8');
  const store = {};
  for (const [kid, secret] of Object.entries(keys)) store[cfg.keyStorePrefix + kid] = secret;
  // What cloudfront-js-2.0 offers, and nothing else (as in edge.test.js).
  const sandbox = vm.createContext({
    cf: { kvs: () => ({ get: async (k) => { if (!(k in store)) throw new Error('key not found'); return store[k]; } }) },
    crypto: { createHmac: nodeCrypto.createHmac, createHash: nodeCrypto.createHash },
    Buffer, console: { log: console.log },
  });
  vm.runInContext(code.split('\n').filter((l) => !l.startsWith('import ')).join('\n'), sandbox);
  const s3 = new URL(cfg.endpoint);
  return async (req, res, expectsContinue) => {
    const url = new URL(req.url, 'http://' + req.headers.host);
    const query = {};
    for (const [k, v] of url.searchParams) query[k] = { value: v };
    const out = await sandbox.handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: req.socket.remoteAddress },
      request: { method: req.method, uri: url.pathname, querystring: query, headers: functionHeaders(req), cookies: {} } });
    if (out.statusCode) {
      for (const [name, { value }] of Object.entries(out.headers || {})) res.setHeader(name, value);
      if (!expectsContinue && req.headers['content-length'] && req.headers['content-length'] !== '0') res.setHeader('Connection', 'close');
      res.writeHead(out.statusCode, out.statusDescription);
      res.end(out.body ? out.body.data : '');
      return;
    }
    // The origin request: the headers the origin request policy forwards
    // (Content-Type, If-None-Match) and the length, signed by "OAC".
    const path = '/' + cfg.bucket + out.uri;
    const forward = { 'content-length': req.headers['content-length'] };
    for (const name of ['content-type', 'if-none-match']) if (out.headers[name]) forward[name] = out.headers[name].value;
    const headers = sigv4.signHeaders({ method: 'PUT', host: s3.host, path, headers: forward, unsignedPayload: true, region: 'us-east-1', service: 's3', credentials });
    delete headers.host;
    const up = http.request({ host: s3.hostname, port: s3.port, method: 'PUT', path, headers }, (s3res) => {
      res.writeHead(s3res.statusCode, s3res.headers);
      s3res.pipe(res);
    });
    up.on('error', (err) => { res.writeHead(502, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: { code: 'OriginError', message: err.message } })); });
    if (expectsContinue) res.writeContinue();
    req.pipe(up);
  };
}

const serve = mode === 'THROUGH' ? throughServer() : redirectServer();
const server = http.createServer();
const wrap = (expectsContinue) => (req, res) => serve(req, res, expectsContinue).catch((err) => {
  console.error('edge upload:', err);
  if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'EdgeFunctionError', message: err.message } }));
});
server.on('request', wrap(false));
server.on('checkContinue', wrap(true)); // answer before any byte of the body is sent
server.listen(local.port || 0, '127.0.0.1', () => {
  console.log('listening on http://127.0.0.1:' + server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
