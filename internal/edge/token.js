// streamgate edge uploads: the sgt1 token check and the upload rules, shared
// by the Lambda@Edge function (redirect.js) and the CloudFront Function
// (through.js, to which the construct prepends this file at synth). It must
// run on cloudfront-js-2.0 too: no require, no Node.js built-ins but Buffer,
// plain functions. The format is specified in lambda/edgetoken (Go), and
// lambda/edgetoken/testdata/vectors.json pins both implementations.
var SGT_SUB = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
var SGT_KID = /^[A-Za-z0-9_-]{1,32}$/;
var SGT_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$/;
var SGT_B64URL = /^[A-Za-z0-9_-]*$/;
var SGT_MAX_INT = 9007199254740991;

function sgtError(status, code, message, field) {
  return { status: status, code: code, message: message, field: field || '' };
}

// sgtParse splits a token of version (cfg.tokenVersion); the caller looks
// up the secret of .kid.
function sgtParse(token, version) {
  var parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 4 || parts[0] !== version || !SGT_KID.test(parts[1])) {
    return { error: sgtError(401, 'MalformedToken', 'a token has four dot-separated parts and starts with ' + version + '.', 'Authorization') };
  }
  return { kid: parts[1], signed: parts[0] + '.' + parts[1] + '.' + parts[2], claims: parts[2], sig: parts[3] };
}

function sgtDecode(s) {
  var b = s.replace(/-/g, '+').replace(/_/g, '/');
  while (b.length % 4) b += '=';
  return Buffer.from(b, 'base64').toString('utf8');
}

// sgtEqual compares in constant time (crypto.timingSafeEqual is not in
// cloudfront-js-2.0).
function sgtEqual(a, b) {
  if (a.length !== b.length) return false;
  var d = 0;
  for (var i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

function sgtInt(v, min) {
  return typeof v === 'number' && Math.floor(v) === v && v >= min && v <= SGT_MAX_INT;
}

// sgtCheck verifies a parsed token with its key's secret (undefined when
// the id is unknown). hmac(secret, text) returns the base64url HMAC-SHA256
// without padding; now is in Unix seconds. It returns {claims, uploadId}
// or {error}.
function sgtCheck(p, secret, now, hmac) {
  if (!secret) {
    return { error: sgtError(401, 'UnknownKey', 'key id "' + p.kid + '" is not one the endpoint holds (rotated out?)', 'Authorization') };
  }
  if (!sgtEqual(hmac(secret, p.signed), p.sig)) {
    return { error: sgtError(401, 'BadSignature', 'the signature does not match the token', 'Authorization') };
  }
  var c = null;
  try {
    if (SGT_B64URL.test(p.claims)) c = JSON.parse(sgtDecode(p.claims));
  } catch (e) {
    c = null;
  }
  var name = c && typeof c.name === 'string' ? c.name : '';
  var type = c && typeof c.type === 'string' ? c.type : '';
  if (!c || typeof c !== 'object' || typeof c.sub !== 'string' || !SGT_SUB.test(c.sub) || !sgtInt(c.exp, 1) ||
      (c.max !== undefined && !sgtInt(c.max, 0)) ||
      (c.name !== undefined && (typeof c.name !== 'string' || (name !== '' && name !== '*' && !SGT_NAME.test(name.replace(/\*$/, ''))))) ||
      (c.type !== undefined && (typeof c.type !== 'string' || /[ ,;*]/.test(type) || (type !== '' && type.split('/').length !== 2)))) {
    return { error: sgtError(401, 'MalformedToken', 'the claims are not valid', 'Authorization') };
  }
  if (now >= c.exp) {
    return { error: sgtError(401, 'ExpiredToken', 'the token expired at ' + new Date(c.exp * 1000).toISOString().replace('.000Z', 'Z'), 'Authorization') };
  }
  return { claims: c, uploadId: p.sig.slice(0, 22) };
}

function sgtHeader(headers, name) {
  var h = headers[name];
  if (!h) return undefined;
  return Array.isArray(h) ? (h.length ? h[0].value : undefined) : h.value;
}

// sgtBearer returns the token of an "Authorization: Bearer" header.
function sgtBearer(headers) {
  var auth = sgtHeader(headers, 'authorization');
  var m = auth && /^Bearer +([^ ]+) *$/i.exec(auth);
  return m ? m[1] : undefined;
}

// sgtAuthorize applies the endpoint's and the token's rules to a PUT of
// uri with headers (CloudFront's lower-case header map) and returns the
// object key and the pinned headers, or {error}. cfg: prefix (the key
// prefix), path ("/u/"), maxSize, types (allowed Content-Types),
// maxLifetime (seconds a token may still have to live); now in Unix seconds.
function sgtAuthorize(cfg, claims, uploadId, uri, headers, now) {
  if (claims.exp - now > cfg.maxLifetime) {
    return { error: sgtError(401, 'TokenLifetimeTooLong', 'the token is valid for ' + (claims.exp - now) + ' s more; allowed: at most ' + cfg.maxLifetime + ' s (issue short-lived tokens)', 'Authorization') };
  }
  if (uri.indexOf(cfg.path) !== 0) {
    return { error: sgtError(404, 'NotFound', 'uploads go to ' + cfg.path + '<file name>', 'path') };
  }
  var name = uri.slice(cfg.path.length);
  if (!SGT_NAME.test(name)) {
    return { error: sgtError(400, 'InvalidFileName', 'the file name must be 1-255 of letters, digits, ".", "_" and "-", not starting with "."', 'path') };
  }
  var allowed = claims.name || '*';
  if (allowed.charAt(allowed.length - 1) === '*' ? name.indexOf(allowed.slice(0, -1)) !== 0 : name !== allowed) {
    return { error: sgtError(403, 'NameNotAllowed', 'the token allows the file name "' + allowed + '", not "' + name + '"', 'path') };
  }
  var length = sgtHeader(headers, 'content-length');
  if (length === undefined || !/^[0-9]{1,16}$/.test(length)) {
    return { error: sgtError(411, 'LengthRequired', 'send the body with a Content-Length header (no chunked encoding)', 'Content-Length') };
  }
  var max = claims.max ? Math.min(claims.max, cfg.maxSize) : cfg.maxSize;
  if (Number(length) > max) {
    return { error: sgtError(413, 'TooLarge', 'the body is ' + length + ' bytes; allowed: at most ' + max, 'Content-Length') };
  }
  var sent = sgtHeader(headers, 'content-type');
  var type = (sent === undefined ? 'application/octet-stream' : sent).trim().toLowerCase();
  if (cfg.types.indexOf(type) < 0 || (claims.type && claims.type !== type)) {
    var allowedTypes = claims.type ? [claims.type] : cfg.types;
    return { error: sgtError(415, 'ContentTypeNotAllowed', 'Content-Type "' + type + '" is not allowed; allowed: ' + allowedTypes.join(', '), 'Content-Type') };
  }
  var inm = sgtHeader(headers, 'if-none-match');
  if (inm !== undefined && inm.trim() !== '*') {
    return { error: sgtError(400, 'InvalidIfNoneMatch', 'If-None-Match may only be "*" (never overwrite)', 'If-None-Match') };
  }
  return { key: cfg.prefix + claims.sub + '/' + uploadId + '/' + name, length: length, type: type, sentType: sent, ifNoneMatch: inm !== undefined };
}

// sgtCors returns the CORS headers for a browser request from one of
// cfg.corsOrigins (lower-case names to plain values), or {} for any other.
function sgtCors(cfg, headers, preflight) {
  var origin = sgtHeader(headers, 'origin');
  var out = {};
  if (!origin || !cfg.corsOrigins || cfg.corsOrigins.indexOf(origin) < 0) return out;
  out['access-control-allow-origin'] = origin;
  out.vary = 'Origin';
  if (preflight) {
    out['access-control-allow-methods'] = 'PUT';
    out['access-control-allow-headers'] = 'authorization, content-type, if-none-match';
    out['access-control-max-age'] = '600';
  }
  return out;
}

// sgtB64url turns standard base64 into base64url without padding.
function sgtB64url(b64) {
  return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// sgtBody is the JSON error body every 4xx carries.
function sgtBody(e) {
  var body = { code: e.code, message: e.message };
  if (e.field) body.field = e.field;
  return JSON.stringify({ error: body });
}

if (typeof module === 'object' && module.exports) {
  module.exports = { sgtParse: sgtParse, sgtCheck: sgtCheck, sgtBearer: sgtBearer, sgtAuthorize: sgtAuthorize, sgtBody: sgtBody, sgtError: sgtError, sgtHeader: sgtHeader, sgtB64url: sgtB64url, sgtCors: sgtCors };
}
