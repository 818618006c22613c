// The RFC 8935 receiver: receivePush (Fetch API) and nodePushHandler (node:http), every
// status class, the Authorization check, bounded bodies, and 202 only after onSet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { receivePush, nodePushHandler, createRemoteJwks, SetError } from 'shared-signals';
import { claims, forge, header, keyPair, NOW, ISS, AUD } from './helpers.mjs';

const key = keyPair('ES256', { kid: 'push-key' });
const other = keyPair('ES256', { kid: 'push-key' });
const AUTH = 'Bearer s3cret-push-credential';
const good = () => forge(header(key), claims({ jti: `j-${Math.random()}` }), key);

function opts(extra = {}) {
  return { jwks: key.jwks, issuer: ISS, audience: AUD, now: NOW, authorizationHeader: AUTH, onSet: () => {}, ...extra };
}

function req(body, { method = 'POST', auth = AUTH, type = 'application/secevent+jwt', headers = {} } = {}) {
  const h = { ...headers };
  if (auth !== null) h.authorization = auth;
  if (type !== null) h['content-type'] = type;
  return new Request('http://127.0.0.1/events', { method, headers: h, body: method === 'GET' ? undefined : body });
}

async function errOf(res) {
  assert.match(res.headers.get('content-type'), /^application\/json/);
  return res.json();
}

test('202 for a good SET, after onSet saw the verified SET', async () => {
  const seen = [];
  const token = good();
  const res = await receivePush(req(token), opts({ onSet: (set, ctx) => seen.push({ set, ctx }) }));
  assert.equal(res.status, 202);
  assert.equal(await res.text(), '');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].set.claims.iss, ISS);
  assert.equal(seen[0].ctx.token, token);
  assert.equal(seen[0].ctx.jti, seen[0].set.claims.jti);
  assert.equal(seen[0].set.events[0].name, 'session-revoked');
});

test('202 only once onSet resolved', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  let answered = false;
  const pending = receivePush(req(good()), opts({ onSet: () => gate })).then((r) => {
    answered = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(answered, false, 'no answer while onSet is pending');
  release();
  assert.equal((await pending).status, 202);
});

test('400 with each err value of a bad SET', async () => {
  const cases = [
    ['invalid_request', 'not.a.jws!'],
    ['invalid_request', forge(header(key, { typ: undefined }), claims(), key)],
    ['invalid_key', forge(header(key), claims(), other)],
    ['invalid_key', forge(header(key, { kid: 'unknown' }), claims(), key)],
    ['invalid_issuer', forge(header(key), claims({ iss: 'https://evil.example/' }), key)],
    ['invalid_audience', forge(header(key), claims({ aud: 'https://someone-else.example/' }), key)],
  ];
  for (const [err, token] of cases) {
    let called = false;
    const res = await receivePush(req(token), opts({ onSet: () => (called = true) }));
    assert.equal(res.status, 400, err);
    const body = await errOf(res);
    assert.equal(body.err, err, `${err}: ${body.description}`);
    assert.equal(typeof body.description, 'string');
    assert.equal(called, false, 'onSet is not called for a bad SET');
  }
});

test('400 with the err of a SetError thrown by onSet (access_denied, invalid_state)', async () => {
  for (const code of ['access_denied', 'invalid_state']) {
    const res = await receivePush(req(good()), opts({ onSet: () => { throw new SetError(code, 'app_rule', `refused: ${code}`); } }));
    assert.equal(res.status, 400);
    assert.deepEqual(await errOf(res), { err: code, description: `refused: ${code}` });
  }
});

test('400 for an empty body and for a body that is not UTF-8', async () => {
  const empty = await receivePush(req(''), opts());
  assert.equal(empty.status, 400);
  assert.equal((await errOf(empty)).err, 'invalid_request');
  const binary = await receivePush(req(new Uint8Array([0xff, 0xfe, 0x00])), opts());
  assert.equal(binary.status, 400);
});

test('401 authentication_failed for a missing, wrong or longer Authorization', async () => {
  let called = false;
  const o = opts({ onSet: () => (called = true) });
  for (const auth of [null, 'Bearer s3cret-push-credentiaX', 'Bearer nope', `${AUTH}x`, AUTH.toLowerCase(), '']) {
    const res = await receivePush(req(good(), { auth }), o);
    assert.equal(res.status, 401, String(auth));
    assert.equal((await errOf(res)).err, 'authentication_failed');
    assert.ok(!JSON.stringify(await receivePush(req(good(), { auth }), o).then((r) => r.text())).includes('s3cret'), 'the secret is not echoed');
  }
  assert.equal(called, false);
  // Without authorizationHeader nothing is checked.
  const open = await receivePush(req(good(), { auth: null }), opts({ authorizationHeader: undefined }));
  assert.equal(open.status, 202);
});

test('405 for other methods, with Allow: POST', async () => {
  for (const method of ['GET', 'PUT', 'DELETE']) {
    const res = await receivePush(req(good(), { method }), opts());
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'POST');
  }
});

test('415 for another Content-Type; parameters and case are accepted', async () => {
  for (const type of ['application/json', 'text/plain', null, 'application/jwt']) {
    const res = await receivePush(req(good(), { type }), opts());
    assert.equal(res.status, 415, String(type));
  }
  const ok = await receivePush(req(good(), { type: 'Application/SecEvent+JWT; charset=utf-8' }), opts());
  assert.equal(ok.status, 202);
});

test('413 over maxBytes: refused on Content-Length, and a streamed body is cut at the limit', async () => {
  const token = good();
  const declared = await receivePush(req(token), opts({ maxBytes: 100 }));
  assert.equal(declared.status, 413);
  assert.equal((await errOf(declared)).err, 'invalid_request');
  // A stream without Content-Length: reading stops right after the limit.
  let pulled = 0;
  const stream = new ReadableStream({
    pull(ctl) {
      pulled++;
      if (pulled > 1000) return ctl.close();
      ctl.enqueue(new TextEncoder().encode('x'.repeat(64)));
    },
  });
  const r = new Request('http://127.0.0.1/events', {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/secevent+jwt' },
    body: stream,
    duplex: 'half',
  });
  const streamed = await receivePush(r, opts({ maxBytes: 1000 }));
  assert.equal(streamed.status, 413);
  assert.ok(pulled < 40, `read ${pulled} chunks of 64 bytes for a 1000-byte limit`);
});

test('500 without details when onSet fails; onError is told', async () => {
  const errors = [];
  const res = await receivePush(req(good()), opts({ onSet: () => { throw new Error('database password=hunter2 unreachable'); }, onError: (e) => errors.push(e) }));
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.ok(!text.includes('hunter2'));
  assert.equal(errors.length, 1);
});

test('503 with Retry-After when a remote key source cannot be fetched', async () => {
  const jwks = createRemoteJwks('http://127.0.0.1:9/jwks.json', { fetch: async () => new Response('no', { status: 500 }) });
  const res = await receivePush(req(good()), opts({ jwks }));
  assert.equal(res.status, 503);
  assert.ok(res.headers.get('retry-after'));
});

test('options are checked (TypeError)', async () => {
  await assert.rejects(receivePush(req(good()), { jwks: key.jwks }), TypeError);
  await assert.rejects(receivePush(req(good()), { onSet() {} }), TypeError);
  await assert.rejects(receivePush(req(good()), opts({ maxBytes: -1 })), TypeError);
  assert.throws(() => nodePushHandler({ jwks: key.jwks }), TypeError);
});

// ---- node:http ------------------------------------------------------------------------

let server;
let base;
let handled;
before(async () => {
  handled = [];
  const handler = nodePushHandler(opts({ maxBytes: 4096, onSet: (set) => { handled.push(set.claims.jti); } }));
  server = http.createServer((rq, rs) => {
    if (rq.url === '/pre-read') {
      // As after an Express body parser: the body is already a string.
      const chunks = [];
      rq.on('data', (c) => chunks.push(c));
      rq.on('end', () => {
        rq.body = Buffer.concat(chunks).toString();
        handler(rq, rs);
      });
      return;
    }
    handler(rq, rs);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
});

const post = (path, body, { auth = AUTH, type = 'application/secevent+jwt', method = 'POST' } = {}) => {
  const headers = {};
  if (auth !== null) headers.authorization = auth;
  if (type !== null) headers['content-type'] = type;
  return fetch(base + path, { method, headers, body: method === 'GET' ? undefined : body });
};

test('nodePushHandler under node:http answers every status class', async () => {
  const token = good();
  const ok = await post('/', token);
  assert.equal(ok.status, 202);
  assert.deepEqual(handled.slice(-1), [JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).jti]);
  const pre = await post('/pre-read', good());
  assert.equal(pre.status, 202);
  const bad = await post('/', forge(header(key), claims({ iss: 'https://evil.example/' }), key));
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).err, 'invalid_issuer');
  assert.equal((await post('/', good(), { auth: 'Bearer wrong' })).status, 401);
  assert.equal((await post('/', good(), { method: 'GET' })).status, 405);
  assert.equal((await post('/', good(), { type: 'application/json' })).status, 415);
  assert.equal((await post('/', 'x'.repeat(5000))).status, 413);
  assert.equal((await post('/pre-read', 'x'.repeat(5000))).status, 413);
});

test('nodePushHandler stops reading a streamed body past maxBytes', async () => {
  const { status, sent } = await new Promise((resolve, reject) => {
    let sent = 0;
    const r = http.request(`${base}/`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/secevent+jwt', 'transfer-encoding': 'chunked' },
    });
    r.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode, sent });
    });
    r.on('error', reject);
    const chunk = 'y'.repeat(1024);
    // Written slowly, so the answer comes while the client still has more to send.
    const timer = setInterval(() => {
      if (sent >= 64 * 1024) {
        clearInterval(timer);
        r.end();
        return;
      }
      sent += chunk.length;
      r.write(chunk);
    }, 2);
    r.on('close', () => clearInterval(timer));
  });
  assert.equal(status, 413);
  assert.ok(sent < 64 * 1024, `the answer came after ${sent} bytes, before the whole body`);
});

test('nodePushHandler as an Express route (as in the README), with and without a body parser', async () => {
  const { default: express } = await import('express');
  const seen = [];
  const app = express();
  const handler = nodePushHandler(opts({ onSet: async (set) => { seen.push(set.claims.jti); } }));
  app.post('/ssf/events', handler);
  app.post('/parsed', express.text({ type: 'application/secevent+jwt' }), handler);
  const srv = await new Promise((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
  try {
    const url = `http://127.0.0.1:${srv.address().port}`;
    const send = (p, body, auth = AUTH) => fetch(url + p, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/secevent+jwt' }, body });
    assert.equal((await send('/ssf/events', good())).status, 202);
    assert.equal((await send('/parsed', good())).status, 202);
    assert.equal(seen.length, 2);
    const bad = await send('/ssf/events', forge(header(key), claims(), other));
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).err, 'invalid_key');
    assert.equal((await send('/parsed', good(), 'Bearer nope')).status, 401);
  } finally {
    srv.closeAllConnections?.();
    await new Promise((r) => srv.close(r));
  }
});
