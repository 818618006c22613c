// pushSet against a local node:http receiver on 127.0.0.1 answering 202 / 400 / 500 /
// nothing: headers sent, what is retried and what is not, Retry-After, timeouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { pushSet, PushError } from 'shared-signals';

let server;
let base;
let got = [];
let answer = () => ({ status: 202 });

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      got.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const a = answer(got.length);
      if (a.hang) return; // never answers
      res.writeHead(a.status, { ...(a.body ? { 'content-type': 'application/json' } : {}), ...a.headers });
      res.end(a.body ? JSON.stringify(a.body) : undefined);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}/events`;
});
after(async () => {
  server.closeAllConnections?.();
  await new Promise((r) => server.close(r));
});

function reset(fn) {
  got = [];
  answer = fn;
}
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln';
const fast = { retryDelayMs: 1, maxRetryDelayMs: 5 };

test('202: resolves, sending the RFC 8935 request with the Authorization verbatim', async () => {
  reset(() => ({ status: 202 }));
  assert.deepEqual(await pushSet(base, TOKEN, { authorizationHeader: 'Bearer abc' }), { status: 202 });
  assert.equal(got.length, 1);
  const [r] = got;
  assert.equal(r.method, 'POST');
  assert.equal(r.headers['content-type'], 'application/secevent+jwt');
  assert.equal(r.headers.accept, 'application/json');
  assert.equal(r.headers.authorization, 'Bearer abc');
  assert.equal(r.body, TOKEN);
  // Without one, no Authorization header at all; any 2xx is success.
  reset(() => ({ status: 200 }));
  assert.deepEqual(await pushSet(new URL(base), TOKEN), { status: 200 });
  assert.equal(got[0].headers.authorization, undefined);
});

test('400: PushError with the err and description, not retried', async () => {
  reset(() => ({ status: 400, body: { err: 'invalid_audience', description: 'not for us' } }));
  await assert.rejects(pushSet(base, TOKEN, { retries: 3, ...fast }), (e) => {
    assert.ok(e instanceof PushError);
    assert.equal(e.code, 'push_rejected');
    assert.equal(e.status, 400);
    assert.equal(e.err, 'invalid_audience');
    assert.equal(e.description, 'not for us');
    assert.equal(e.retryable, false);
    return true;
  });
  assert.equal(got.length, 1);
  // A 400 without an RFC 8935 body is still a refusal.
  reset(() => ({ status: 400, body: { oops: true } }));
  await assert.rejects(pushSet(base, TOKEN), (e) => e.code === 'push_rejected' && e.err === undefined);
});

test('401 / 403 / 404: not retried', async () => {
  for (const [status, code] of [[401, 'push_unauthorized'], [403, 'push_unauthorized'], [404, 'push_http_error']]) {
    reset(() => ({ status }));
    await assert.rejects(pushSet(base, TOKEN, { retries: 3, ...fast }), (e) => e.code === code && e.status === status && !e.retryable);
    assert.equal(got.length, 1, String(status));
  }
});

test('500: retried `retries` times, then a retryable PushError; a later 202 succeeds', async () => {
  reset(() => ({ status: 500 }));
  await assert.rejects(pushSet(base, TOKEN, { retries: 2, ...fast }), (e) => e.code === 'push_http_error' && e.status === 500 && e.retryable);
  assert.equal(got.length, 3);
  reset((n) => ({ status: n < 3 ? 503 : 202 }));
  assert.deepEqual(await pushSet(base, TOKEN, { retries: 5, ...fast }), { status: 202 });
  assert.equal(got.length, 3);
  reset(() => ({ status: 429, headers: { 'retry-after': '0' } }));
  await assert.rejects(pushSet(base, TOKEN, { retries: 1, ...fast }), (e) => e.status === 429 && e.retryable);
  assert.equal(got.length, 2);
});

test('timeout: a receiver that never answers is a retryable push_timeout', async () => {
  reset(() => ({ hang: true }));
  await assert.rejects(pushSet(base, TOKEN, { timeoutMs: 150, retries: 1, ...fast }), (e) => {
    assert.equal(e.code, 'push_timeout');
    assert.equal(e.status, null);
    assert.equal(e.retryable, true);
    return true;
  });
  assert.equal(got.length, 2);
});

test('network error: nothing listening is a retryable push_network_error', async () => {
  await assert.rejects(pushSet('http://127.0.0.1:9/events', TOKEN, { retries: 0 }), (e) => e.code === 'push_network_error' && e.retryable);
});

test('fetch is injectable; arguments are checked', async () => {
  const calls = [];
  const r = await pushSet('https://rp.example.com/events', TOKEN, {
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response(null, { status: 202 });
    },
  });
  assert.equal(r.status, 202);
  assert.equal(calls[0].url, 'https://rp.example.com/events');
  assert.equal(calls[0].init.body, TOKEN);
  await assert.rejects(pushSet('not a url', TOKEN), TypeError);
  await assert.rejects(pushSet(base, ''), TypeError);
  await assert.rejects(pushSet(base, TOKEN, { retries: -1 }), TypeError);
});
