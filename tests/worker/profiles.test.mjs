// Receiving from the transmitters deployed today: a stream's source.profile (google, okta,
// rfc8417, caep-interop; default ssf) decides which SET shapes its push endpoint takes.
// The SETs are built from the transmitters' documented examples (tests/vectors/
// transmitters.json, which cites them), signed here under the header shape each documents.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import * as jose from 'jose';
import { startWorker, Upstream, ALICE, ROOT } from './harness.mjs';

const VECTORS = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/vectors/transmitters.json'), 'utf8')).sets;

let w;
before(async () => { w = await startWorker(); });
after(async () => { await w?.stop(); });

/** The vector's claims moved to now: fresh jti and iat, event_timestamp in the same unit. */
function fresh(v, edit = (c) => c) {
  const claims = structuredClone(v.claims);
  const now = Math.floor(Date.now() / 1000);
  claims.iat = now;
  claims.jti = crypto.randomUUID();
  for (const payload of Object.values(claims.events)) {
    if (typeof payload.event_timestamp === 'number') {
      payload.event_timestamp = payload.event_timestamp > 1e11 ? (now - 1) * 1000 : now - 1;
    }
  }
  return edit(claims);
}

async function sign(up, v, claims, { header = {}, key = up.keys[0] } = {}) {
  const h = { ...v.header, kid: key.kid, ...header };
  for (const [k, val] of Object.entries(h)) if (val === undefined) delete h[k];
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(h).sign(key.privateKey);
}

async function streamFor(v, profile) {
  const up = await Upstream.create({ alg: 'RS256', issuer: v.claims.iss, audience: v.claims.aud });
  const source = { ...up.source() };
  if (profile !== undefined) source.profile = profile;
  const cfg = await w.createStream({ source });
  return { up, cfg };
}

describe('source.profile', () => {
  test('defaults to ssf, is shown by every read, and an unknown name is a 400 listing the valid ones', async () => {
    const up = await Upstream.create();
    const cfg = await w.createStream({ source: up.source() });
    assert.equal(cfg.source.profile, 'ssf');
    const read = await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(read.json.source.profile, 'ssf');
    for (const bad of ['Google', 'lenient', '', 7]) {
      const r = await w.post('/ssf/streams', { token: ALICE, body: { source: { ...up.source(), profile: bad } } });
      assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
      assert.match(r.json.description, /source\b.*\bprofile\b/);
      for (const name of ['ssf', 'caep-interop', 'rfc8417', 'google', 'okta']) assert.ok(r.json.description.includes(name), r.json.description);
    }
    // Update and replace take it too.
    const p = await w.request('PATCH', '/ssf/streams', { token: ALICE, body: { stream_id: cfg.stream_id, source: { ...up.source(), profile: 'okta' } } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.source.profile, 'okta');
    const bad = await w.request('PUT', '/ssf/streams', {
      token: ALICE, body: { stream_id: cfg.stream_id, delivery: cfg.delivery, source: { ...up.source(), profile: 'okta2' } },
    });
    assert.equal(bad.status, 400, bad.text);
    const again = await w.get(`/ssf/streams?stream_id=${cfg.stream_id}`, { token: ALICE });
    assert.equal(again.json.source.profile, 'okta', 'a refused replace changes nothing');
  });
});

describe('documented transmitter SETs', () => {
  for (const v of VECTORS) {
    test(`${v.name}: 202 and delivered as received under ${v.profile}, 400 ${v.ssf_refusal} under ssf`, async () => {
      const { up, cfg } = await streamFor(v, v.profile);
      const claims = fresh(v);
      const token = await sign(up, v, claims);
      const r = await w.push(cfg, token);
      assert.equal(r.status, 202, r.text);
      const got = await w.drain(cfg);
      assert.equal(got[claims.jti], token, 'delivered byte for byte, never re-signed');

      const strict = await streamFor(v, undefined);
      const t2 = await sign(strict.up, v, fresh(v));
      const s = await w.push(strict.cfg, t2);
      assert.equal(s.status, 400, s.text);
      assert.equal(s.json.err, 'invalid_request', s.text);
      assert.ok(s.json.description.length > 0);
      assert.deepEqual(await w.drain(strict.cfg), {});
    });
  }
});

describe('what every relaxed profile still refuses', () => {
  for (const v of VECTORS) {
    test(`${v.name} under ${v.profile}: bad signature, wrong iss, wrong aud, alg none, no subject, sub without events`, async () => {
      const { up, cfg } = await streamFor(v, v.profile);
      const cases = [];
      const intruder = await Upstream.create({ alg: 'RS256' });
      cases.push(['signed by another key under the same kid', await sign(up, v, fresh(v), { key: { ...intruder.keys[0], kid: up.keys[0].kid } }), 'invalid_key']);
      cases.push(['wrong iss', await sign(up, v, fresh(v, (c) => ({ ...c, iss: 'https://evil.example/' }))), 'invalid_issuer']);
      cases.push(['wrong aud', await sign(up, v, fresh(v, (c) => ({ ...c, aud: 'https://someone-else.example' }))), 'invalid_audience']);
      const none = `${jose.base64url.encode(JSON.stringify({ ...v.header, alg: 'none' }))}.${jose.base64url.encode(JSON.stringify(fresh(v)))}.`;
      cases.push(['alg none', none, 'invalid_key']);
      cases.push(['sub and no events', await sign(up, v, fresh(v, (c) => {
        const { events, ...rest } = c;
        return { ...rest, sub: '7375626A656374' };
      })), 'invalid_request']);
      const [uri] = Object.keys(v.claims.events);
      if (!uri.endsWith('/verification')) {
        cases.push(['an event without any subject', await sign(up, v, fresh(v, (c) => {
          const { subject, ...payload } = c.events[uri];
          return { ...c, events: { [uri]: payload } };
        })), 'invalid_request']);
      }
      for (const [what, token, err] of cases) {
        const r = await w.push(cfg, token);
        assert.equal(r.status, 400, `${what}: ${r.text}`);
        assert.equal(r.json.err, err, `${what}: ${r.text}`);
      }
      assert.deepEqual(await w.drain(cfg), {}, 'nothing refused was stored');
    });
  }

  test('google: iss with or without the trailing slash, under google only', async () => {
    const v = VECTORS.find((x) => x.name === 'google-account-disabled');
    const { up, cfg } = await streamFor({ ...v, claims: { ...v.claims, iss: 'https://accounts.google.com' } }, 'google');
    assert.equal((await w.push(cfg, await sign(up, v, fresh(v)))).status, 202);
    const ssf = await streamFor({ ...v, claims: { ...v.claims, iss: 'https://accounts.google.com' } }, 'rfc8417');
    const r = await w.push(ssf.cfg, await sign(ssf.up, v, fresh(v)));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.err, 'invalid_issuer');
  });
});

describe('subject settings use the normalised subject', () => {
  test('okta: a removed email subject filters the SET whose subject is nested under user', async () => {
    const v = VECTORS.find((x) => x.name === 'okta-session-revoked');
    const { up, cfg } = await streamFor(v, 'okta');
    const rm = await w.post('/ssf/subjects:remove', {
      token: ALICE, body: { stream_id: cfg.stream_id, subject: { format: 'email', email: 'john.doe@example.com' } },
    });
    assert.equal(rm.status, 204, rm.text);
    const john = fresh(v);
    const jane = fresh(v, (c) => {
      c.events[Object.keys(c.events)[0]].subject.user.email = 'jane.roe@example.com';
      return c;
    });
    assert.equal((await w.push(cfg, await sign(up, v, john))).status, 202);
    assert.equal((await w.push(cfg, await sign(up, v, jane))).status, 202);
    const got = await w.drain(cfg);
    assert.deepEqual(Object.keys(got), [jane.jti], 'only the SET about the subject still in the stream');
  });
});

describe('caep-interop', () => {
  test('RS256 and reason_admin are required; ES256 or no reason_admin is a 400 saying which', async () => {
    const rs = await Upstream.create({ alg: 'RS256' });
    const cfg = await w.createStream({ source: { ...rs.source(), profile: 'caep-interop' } });
    assert.equal((await w.push(cfg, await rs.sign())).status, 202);
    const noReason = await w.push(cfg, await rs.sign({ eventBody: { event_timestamp: Math.floor(Date.now() / 1000) } }));
    assert.equal(noReason.status, 400, noReason.text);
    assert.match(noReason.json.description, /reason_admin/);
    const es = await Upstream.create({ alg: 'ES256' });
    const cfg2 = await w.createStream({ source: { ...es.source(), profile: 'caep-interop' } });
    const r = await w.push(cfg2, await es.sign());
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.err, 'invalid_key');
    assert.match(r.json.description, /RS256/);
  });
});
