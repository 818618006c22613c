// An emulated upstream SSF 1.0 transmitter on loopback, for the registration tests: discovery
// (with path insertion), JWKS, a stream store, status, verification (the verification SET
// pushed to the receiver or put in the stream's poll queue), an RFC 8936 poll endpoint
// (acks, setErrs, long polls), and a client-credentials token endpoint issuing short-lived
// tokens. Faults are switches on the instance (`faults`), and everything it received is
// recorded (`calls`, `acks`, `setErrs`).
import http from 'node:http';
import crypto from 'node:crypto';
import { Upstream, EV, sleep } from './harness.mjs';

export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';

export class Transmitter {
  /** Every access token any instance issued (for secret scans). */
  static issued = [];

  /**
   * `path`: the issuer's path ('/tenant-1' gives issuer http://127.0.0.1:PORT/tenant-1);
   * `bearer`: the static API token it accepts; `client`: {id, secret} for the token
   * endpoint; `tokenSeconds`: access token lifetime; `holdMs`: how long an empty long poll
   * is held.
   */
  static async start({ path = '/tenant-1', bearer = 'upstream-api-token', client = { id: 'edge-node', secret: 's3cr3t:pa ss' }, tokenSeconds = 60, holdMs = 400 } = {}) {
    const t = new Transmitter();
    Object.assign(t, { path, bearer, client, tokenSeconds, holdMs });
    t.streams = new Map();
    t.tokens = new Map(); // access token -> expires at (ms)
    t.calls = [];
    t.acks = [];
    t.setErrs = [];
    t.tokenRequests = 0;
    t.faults = {};
    t.waiters = [];
    t.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => t.handle(req, res, Buffer.concat(chunks).toString()).catch((e) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ description: String(e) }));
      }));
    });
    await new Promise((ok) => t.server.listen(0, '127.0.0.1', ok));
    t.origin = `http://127.0.0.1:${t.server.address().port}`;
    t.issuer = `${t.origin}${path}`;
    t.signer = await Upstream.create({ alg: 'ES256', issuer: t.issuer });
    return t;
  }

  async stop() {
    for (const w of this.waiters.splice(0)) w();
    this.server.closeAllConnections?.();
    await new Promise((ok) => this.server.close(ok));
  }

  /** The `source` a receiver gives the worker to register here. */
  source({ delivery = 'push', auth = 'bearer', configurationUrl } = {}) {
    const a = auth === 'bearer'
      ? { bearer: this.bearer }
      : { client_credentials: { token_endpoint: `${this.origin}/token`, client_id: this.client.id, client_secret: this.client.secret, scope: 'ssf' } };
    const register = { delivery, auth: a };
    if (configurationUrl) register.configuration_url = configurationUrl;
    return { issuer: this.issuer, register };
  }

  metadata() {
    return {
      spec_version: '1_0',
      issuer: this.faults.discoveryIssuer ?? this.issuer,
      jwks_uri: `${this.origin}/jwks`,
      configuration_endpoint: `${this.origin}/streams`,
      status_endpoint: `${this.origin}/status`,
      verification_endpoint: `${this.origin}/verify`,
      delivery_methods_supported: this.faults.onlyPush ? [PUSH] : [PUSH, POLL],
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    };
  }

  authorized(req) {
    const h = req.headers.authorization ?? '';
    if (h === `Bearer ${this.bearer}`) return true;
    const m = /^Bearer (.+)$/.exec(h);
    const until = m && this.tokens.get(m[1]);
    return Boolean(until && until > Date.now());
  }

  async handle(req, res, body) {
    const url = new URL(req.url, this.origin);
    const p = url.pathname;
    const json = (status, v) => {
      res.writeHead(status, v === undefined ? {} : { 'content-type': 'application/json' });
      res.end(v === undefined ? undefined : JSON.stringify(v));
    };
    this.calls.push({ method: req.method, path: p, query: url.search, authorization: req.headers.authorization, body });
    if (p === `/.well-known/ssf-configuration${this.path.replace(/\/$/, '')}`) return json(200, this.metadata());
    if (p === '/jwks') return json(200, this.signer.jwks());
    if (p === '/token') return this.token(req, body, json);
    if (!this.authorized(req)) return json(401, { err: 'authentication_failed', description: 'bad token' });
    if (p === '/streams' && req.method === 'POST') return this.create(JSON.parse(body), json);
    if (p === '/streams' && req.method === 'DELETE') {
      const id = url.searchParams.get('stream_id');
      if (!this.streams.has(id)) return json(404, { description: 'no such stream' });
      this.streams.get(id).deleted = true;
      this.streams.delete(id);
      return json(204);
    }
    if (p === '/status' && req.method === 'POST') {
      const b = JSON.parse(body);
      const s = this.streams.get(b.stream_id);
      if (!s) return json(404, { description: 'no such stream' });
      if (this.faults.statusFails) return json(503, { description: 'status store down' });
      s.status = b.status;
      return json(200, { stream_id: s.id, status: s.status });
    }
    if (p === '/verify' && req.method === 'POST') {
      const b = JSON.parse(body);
      const s = this.streams.get(b.stream_id);
      if (!s) return json(404, { description: 'no such stream' });
      json(204);
      await this.deliver(s, { event: EV.verification, eventBody: b.state === undefined ? {} : { state: b.state }, subject: { format: 'opaque', id: s.id } });
      return undefined;
    }
    const poll = /^\/poll\/(.+)$/.exec(p);
    if (poll && req.method === 'POST') return this.poll(poll[1], JSON.parse(body), json);
    return json(404, { description: 'no such endpoint' });
  }

  token(req, body, json) {
    this.tokenRequests++;
    const expected = `Basic ${Buffer.from(`${formEncode(this.client.id)}:${formEncode(this.client.secret)}`).toString('base64')}`;
    const form = new URLSearchParams(body);
    if (req.headers.authorization !== expected) return json(401, { error: 'invalid_client', error_description: 'client authentication failed' });
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    const token = crypto.randomBytes(16).toString('hex');
    this.tokens.set(token, Date.now() + this.tokenSeconds * 1000);
    Transmitter.issued.push(token);
    return json(200, { access_token: token, token_type: 'Bearer', expires_in: this.tokenSeconds });
  }

  create(b, json) {
    if (this.faults.createStatus) return json(this.faults.createStatus, { description: 'this transmitter refuses new streams today' });
    const id = `up-${crypto.randomBytes(6).toString('hex')}`;
    const method = b.delivery?.method ?? POLL;
    const s = {
      id, status: 'enabled', aud: `rp-${crypto.randomBytes(4).toString('hex')}`, method, queue: new Map(),
      delivery: method === PUSH ? { method, endpoint_url: b.delivery.endpoint_url, authorization_header: b.delivery.authorization_header } : { method, endpoint_url: `${this.origin}/poll/${id}` },
      events_requested: b.events_requested,
    };
    this.streams.set(id, s);
    const supported = [EV.sessionRevoked, EV.credentialChange, EV.verification, EV.streamUpdated];
    return json(201, {
      stream_id: id,
      iss: this.faults.createIss ?? this.issuer,
      aud: s.aud,
      events_supported: supported,
      events_requested: b.events_requested,
      events_delivered: b.events_requested ? supported.filter((e) => b.events_requested.includes(e)) : supported,
      delivery: method === PUSH ? { method, endpoint_url: s.delivery.endpoint_url } : s.delivery,
    });
  }

  /** Signs a SET for stream `s` (`opts` as Upstream.sign) and pushes it or queues it for polls. */
  async deliver(s, opts = {}) {
    const token = await this.signer.sign({ ...opts, claims: { aud: s.aud, ...(opts.claims ?? {}) } });
    return this.deliverRaw(s, token);
  }

  /** A SET signed some other way (`sign(signer)` -> token), delivered like `deliver`. */
  async deliverRaw(s, token) {
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).jti;
    if (s.method === PUSH) {
      const r = await fetch(s.delivery.endpoint_url, {
        method: 'POST',
        headers: { 'content-type': 'application/secevent+jwt', authorization: s.delivery.authorization_header },
        body: token,
      });
      s.pushes = [...(s.pushes ?? []), { jti, status: r.status, body: await r.text() }];
    } else {
      s.queue.set(jti, token);
      for (const w of this.waiters.splice(0)) w();
    }
    return jti;
  }

  async poll(id, b, json) {
    const s = this.streams.get(id);
    if (!s) return json(404, { description: 'no such stream' });
    if (this.faults.pollFailures > 0) {
      this.faults.pollFailures--;
      return json(503, { description: 'poll backend down' });
    }
    for (const jti of b.ack ?? []) {
      this.acks.push(jti);
      s.queue.delete(jti);
    }
    for (const [jti, e] of Object.entries(b.setErrs ?? {})) {
      this.setErrs.push({ jti, ...e });
      s.queue.delete(jti);
    }
    if (s.queue.size === 0 && !b.returnImmediately) {
      await Promise.race([sleep(this.holdMs), new Promise((r) => this.waiters.push(r))]);
    }
    const max = b.maxEvents ?? 100;
    const sets = Object.fromEntries([...s.queue.entries()].slice(0, max));
    return json(200, { sets, moreAvailable: s.queue.size > max });
  }

  /** The only stream (most tests create one). */
  only() {
    const all = [...this.streams.values()];
    if (all.length !== 1) throw new Error(`${all.length} upstream streams`);
    return all[0];
  }
}

/** application/x-www-form-urlencoded of one value (RFC 6749 2.3.1 asks it before Basic). */
function formEncode(v) {
  return encodeURIComponent(v).replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}
