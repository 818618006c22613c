// The real worker (worker/build) under workerd as a test peer for the transport clients:
// started with the worker suite's harness, reached over HTTP on 127.0.0.1 (Miniflare's
// own server), so the clients use the runtime's real fetch.
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './helpers.mjs';

export const harness = await import(pathToFileURL(path.join(REPO_ROOT, 'tests/worker/harness.mjs')).href);
export const { EV, ALICE, BOB, jose } = harness;

export async function startPeer(vars = {}) {
  const worker = await harness.startWorker({ vars });
  const base = (await worker.mf.ready).origin;
  const upstream = await harness.Upstream.create();
  const call = async (method, p, { token = ALICE, body, headers = {} } = {}) => {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined && typeof body !== 'string') h['content-type'] ??= 'application/json';
    const res = await fetch(p.startsWith('http') ? p : base + p, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  };
  return {
    worker,
    base,
    upstream,
    call,
    async createStream(extra = {}) {
      const r = await call('POST', '/ssf/streams', { body: { events_requested: [EV.sessionRevoked], source: upstream.source(), ...extra } });
      assert.equal(r.status, 201, r.text);
      return r.json;
    },
    async push(cfg, set) {
      const r = await call('POST', cfg.push.endpoint_url, {
        token: null,
        body: set,
        headers: { authorization: cfg.push.authorization_header, 'content-type': 'application/secevent+jwt' },
      });
      assert.equal(r.status, 202, r.text);
    },
    async queue(cfg) {
      const r = await call('GET', `/ssf/queue?stream_id=${encodeURIComponent(cfg.stream_id)}`);
      assert.equal(r.status, 200, r.text);
      return r.json;
    },
    stop: () => worker.stop(),
  };
}

export const jtiOf = (token) => harness.decodeClaims(token).jti;
