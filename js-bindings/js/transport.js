// The transport half of `shared-signals`: remote key sets, the RFC 8935 push receiver and
// sender, the RFC 8936 poll client and the SSF management API client (DESIGN.md section 13).
//
// Like api.js this file has no module syntax: scripts/build-js.sh wraps it into a CommonJS
// and an ES module exporting `createTransport`, `PushError`, `SsfError` and `JwksError`.
// Everything here is fetch-based and uses only what Node 20+, workerd, Deno, Bun and
// browsers share (fetch, Request / Response, streams, TextEncoder, AbortController); a
// `(req, res)` pair of node:http is handled through its documented methods, never by
// importing a Node module.
//
// No wire shape is declared here: requests are plain objects that core reads strictly and
// writes back (`wasm.wireMessage`), and every answer from a peer is read by core first.

/** An RFC 8935 push that did not end in a 2xx. */
class PushError extends Error {
  constructor(code, message, { status = null, err, description, retryable = false, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PushError';
    /** Stable code: `push_rejected`, `push_unauthorized`, `push_http_error`, `push_timeout`, `push_network_error`. */
    this.code = code;
    /** The HTTP status of the last answer, `null` when there was none. */
    this.status = status;
    /** The RFC 8935 `err` of a `400` answer's body, when it had one. */
    this.err = err;
    /** The `description` of that body. */
    this.description = description;
    /** Whether sending the same SET again later may succeed. */
    this.retryable = retryable;
  }
}

/** A failed SSF management or poll call. */
class SsfError extends Error {
  constructor(code, message, { status = null, description, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SsfError';
    /** Stable code, e.g. `not_found`, `unauthorized`, `network_error`, `invalid_response`. */
    this.code = code;
    /** The HTTP status, `null` when there was no answer. */
    this.status = status;
    /** The peer's description of the failure (its `description` or `detail`), if any. */
    this.description = description;
  }
}

/** A remote JWK Set that could not be fetched or read. */
class JwksError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'JwksError';
    /** Stable code: `jwks_http_error`, `jwks_timeout`, `jwks_network_error`, `jwks_invalid`, `jwks_too_large`. */
    this.code = code;
  }
}

const SET_MEDIA_TYPE = 'application/secevent+jwt';
const JSON_MEDIA_TYPE = 'application/json';
const JWKS_MAX_BYTES = 256 * 1024;
const RESPONSE_MAX_BYTES = 1024 * 1024;
const POLL_MAX_BYTES = 16 * 1024 * 1024;
const REMOTE = Symbol.for('shared-signals.remoteJwks');
// Core's reasons for "no key of this set fits the token": a rotated key, so refetch once.
const REFETCH_REASONS = ['unknown_kid', 'no_usable_key'];

class TooLarge extends Error {}

function createTransport(api, wasm) {
  const { SetError } = api;
  const encoder = new TextEncoder();

  // ---- small helpers ----------------------------------------------------------------

  function kindOf(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  }

  function need(cond, what, expected, value) {
    if (!cond) throw new TypeError(`${what} must be ${expected}, got ${kindOf(value)}`);
  }

  function options(value, fnName) {
    if (value === undefined) return {};
    need(value !== null && typeof value === 'object' && !Array.isArray(value), `${fnName}: options`, 'an object', value);
    return value;
  }

  function millis(opts, name, fallback, fnName) {
    const v = opts[name];
    if (v === undefined) return fallback;
    need(typeof v === 'number' && Number.isFinite(v) && v >= 0, `${fnName}: options.${name}`, 'a non-negative number of milliseconds', v);
    return v;
  }

  function fetchOf(opts, fnName) {
    const f = opts.fetch;
    if (f === undefined) return (input, init) => globalThis.fetch(input, init);
    need(typeof f === 'function', `${fnName}: options.fetch`, 'a function', f);
    return f;
  }

  function httpUrl(value, what) {
    let url;
    try {
      url = new URL(String(value));
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || (typeof value !== 'string' && !(value instanceof URL))) {
      throw new TypeError(`${what} must be an absolute http(s) URL`);
    }
    return url.href;
  }

  // A wire message read by core; a thrown string is core's error as JSON text.
  function wire(kind, value) {
    api.supportedAlgorithms(); // throws the package's "not initialised" error before wasm runs
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    try {
      return JSON.parse(wasm.wireMessage(kind, text));
    } catch (e) {
      if (typeof e !== 'string') throw e;
      const info = JSON.parse(e);
      throw new SetError(info.code, info.reason, info.message);
    }
  }

  const sleep = (ms, signal) =>
    new Promise((resolve) => {
      if (signal && signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        if (signal) signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (signal) signal.addEventListener('abort', done, { once: true });
    });

  // Exponential backoff with full jitter in its upper half.
  const backoff = (attempt, baseMs, maxMs) => {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };

  // A signal that fires on `outer` or after `ms`; `timedOut()` says which.
  function deadline(ms, outer) {
    const ctl = new AbortController();
    let expired = false;
    const timer = ms > 0 ? setTimeout(() => { expired = true; ctl.abort(); }, ms) : null;
    const forward = () => ctl.abort(outer.reason);
    if (outer) {
      if (outer.aborted) ctl.abort(outer.reason);
      else outer.addEventListener('abort', forward, { once: true });
    }
    return {
      signal: ctl.signal,
      timedOut: () => expired,
      done() {
        if (timer !== null) clearTimeout(timer);
        if (outer) outer.removeEventListener('abort', forward);
      },
    };
  }

  // Reads a body stream as UTF-8, refusing (and cancelling the stream) past `maxBytes`.
  async function readStream(stream, maxBytes) {
    if (!stream) return '';
    const reader = stream.getReader();
    const chunks = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        reader.cancel().catch(() => {});
        throw new TooLarge();
      }
      chunks.push(value);
    }
    return decodeChunks(chunks, total);
  }

  function decodeChunks(chunks, total) {
    if (chunks.length === 1) return new TextDecoder('utf-8', { fatal: true }).decode(chunks[0]);
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  }

  function declaredLength(value) {
    if (value === null || value === undefined) return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  function mediaType(value) {
    return String(value || '').split(';')[0].trim().toLowerCase();
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  // Compares a presented secret with the expected one in time that depends only on the
  // expected length (never on where the two first differ, nor on the presented length).
  function sameSecret(presented, expected) {
    const given = encoder.encode(typeof presented === 'string' ? presented : '');
    let diff = given.length ^ expected.length;
    for (let i = 0; i < expected.length; i++) diff |= expected[i] ^ (given[i] | 0);
    return diff === 0;
  }

  // ---- remote key sets ----------------------------------------------------------------

  function createRemoteJwks(url, opts) {
    const fnName = 'createRemoteJwks';
    const href = httpUrl(url, `${fnName}: url`);
    opts = options(opts, fnName);
    const cooldownMs = millis(opts, 'cooldownMs', 30_000, fnName);
    const cacheMaxAgeMs = millis(opts, 'cacheMaxAgeMs', 600_000, fnName);
    const timeoutMs = millis(opts, 'timeoutMs', 5_000, fnName);
    const doFetch = fetchOf(opts, fnName);
    let jwks = null;
    let fetchedAt = -Infinity;
    let pending = null;

    async function load() {
      api.supportedAlgorithms(); // throws the package's "not initialised" error before wasm runs
      const d = deadline(timeoutMs);
      let text;
      try {
        let res;
        try {
          // Key material never follows a redirect: a 3xx is an error like any non-2xx.
          res = await doFetch(href, {
            headers: { accept: 'application/jwk-set+json, application/json' },
            redirect: 'manual',
            signal: d.signal,
          });
        } catch (e) {
          if (d.timedOut()) throw new JwksError('jwks_timeout', `JWKS fetch timed out after ${timeoutMs} ms`, { cause: e });
          throw new JwksError('jwks_network_error', `JWKS fetch failed: ${e && e.message}`, { cause: e });
        }
        if (res.status < 200 || res.status > 299) {
          res.body?.cancel().catch(() => {});
          throw new JwksError('jwks_http_error', `JWKS endpoint answered ${res.status}`);
        }
        try {
          text = await readStream(res.body, JWKS_MAX_BYTES);
        } catch (e) {
          if (e instanceof TooLarge) throw new JwksError('jwks_too_large', `JWKS document over ${JWKS_MAX_BYTES} bytes`);
          if (d.timedOut()) throw new JwksError('jwks_timeout', `JWKS fetch timed out after ${timeoutMs} ms`, { cause: e });
          throw new JwksError('jwks_invalid', 'JWKS document is not UTF-8 text', { cause: e });
        }
      } finally {
        d.done();
      }
      const doc = parseJson(text);
      if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.keys)) {
        throw new JwksError('jwks_invalid', 'JWKS document is not a JSON object with a keys array');
      }
      try {
        new wasm.Keys(text).free(); // core's reading of the set, as verification will do it
      } catch (e) {
        const info = typeof e === 'string' ? parseJson(e) : null;
        throw new JwksError('jwks_invalid', `JWKS document refused: ${info ? info.message : e}`);
      }
      jwks = doc;
      fetchedAt = Date.now();
      return doc;
    }

    // One fetch at a time: concurrent verifications wait for the same answer.
    function refresh() {
      if (pending === null) {
        pending = load().finally(() => {
          pending = null;
        });
      }
      return pending;
    }

    const source = {
      url: href,
      /** The key set last fetched, or `null`. */
      get jwks() {
        return jwks;
      },
      /** Fetches the key set now (whatever the cache and cooldown say). */
      reload: () => refresh(),
      [REMOTE]: {
        keys: () => (jwks !== null && Date.now() - fetchedAt < cacheMaxAgeMs ? jwks : refresh()),
        mayRefetch: () => Date.now() - fetchedAt >= cooldownMs,
        refetch: () => refresh(),
      },
    };
    return Object.freeze(source);
  }

  function remoteOf(jwks) {
    return jwks !== null && typeof jwks === 'object' ? jwks[REMOTE] : undefined;
  }

  async function verifySetAsync(token, opts) {
    return withRemoteKeys(api.verifySet, token, opts);
  }

  /** `verifyAccessToken`, where `jwks` may also be a remote key source. */
  async function verifyAccessTokenAsync(token, opts) {
    return withRemoteKeys(api.verifyAccessToken, token, opts);
  }

  // Runs a synchronous verifier with the keys of a remote key source (fetching them when
  // not cached), once more after a refetch when the token names a key they lack.
  async function withRemoteKeys(verify, token, opts) {
    const remote = opts !== null && typeof opts === 'object' ? remoteOf(opts.jwks) : undefined;
    if (remote === undefined) return verify(token, opts);
    const keys = await remote.keys();
    try {
      return verify(token, { ...opts, jwks: keys });
    } catch (e) {
      const tokenError = e instanceof SetError || e instanceof api.AccessTokenError;
      if (!tokenError || !REFETCH_REASONS.includes(e.reason) || !remote.mayRefetch()) throw e;
    }
    return verify(token, { ...opts, jwks: await remote.refetch() });
  }

  // ---- RFC 8935 receiver --------------------------------------------------------------

  const prepared = new WeakMap();

  function preparePush(opts, fnName) {
    need(opts !== null && typeof opts === 'object' && !Array.isArray(opts), `${fnName}: options`, 'an object', opts);
    let p = prepared.get(opts);
    if (p !== undefined) return p;
    need(opts.jwks !== undefined, `${fnName}: options.jwks`, 'a JWK Set, a JWK or a remote key source', opts.jwks);
    need(typeof opts.onSet === 'function', `${fnName}: options.onSet`, 'a function', opts.onSet);
    const auth = opts.authorizationHeader;
    need(auth === undefined || (typeof auth === 'string' && auth.length > 0), `${fnName}: options.authorizationHeader`, 'a non-empty string', auth);
    const limit = opts.maxBytes === undefined ? wasm.maxTokenLength() : opts.maxBytes;
    need(Number.isInteger(limit) && limit > 0, `${fnName}: options.maxBytes`, 'a positive integer', limit);
    need(opts.onError === undefined || typeof opts.onError === 'function', `${fnName}: options.onError`, 'a function', opts.onError);
    const { onSet, onError, authorizationHeader, maxBytes, ...verify } = opts;
    p = {
      verify,
      onSet,
      onError,
      expected: auth === undefined ? null : encoder.encode(auth),
      maxBytes: limit,
    };
    prepared.set(opts, p);
    return p;
  }

  const errBody = (err, description) => JSON.stringify(wire('pushError', { err, description }));
  const answer = (status, err, description, headers) => ({
    status,
    headers: { 'content-type': JSON_MEDIA_TYPE, ...headers },
    body: errBody(err, description),
  });

  // The whole receiver, on a neutral view of the request: {method, header(name), read(max)}.
  async function handlePush(req, p) {
    if (req.method !== 'POST') {
      return answer(405, 'invalid_request', 'SETs are delivered with POST', { allow: 'POST' });
    }
    if (p.expected !== null && !sameSecret(req.header('authorization'), p.expected)) {
      return answer(401, 'authentication_failed', 'missing or wrong Authorization', { 'www-authenticate': 'Bearer' });
    }
    if (mediaType(req.header('content-type')) !== SET_MEDIA_TYPE) {
      return answer(415, 'invalid_request', `Content-Type must be ${SET_MEDIA_TYPE}`, { 'accept-post': SET_MEDIA_TYPE });
    }
    const tooBig = () => answer(413, 'invalid_request', `body over ${p.maxBytes} bytes`, { connection: 'close' });
    const length = declaredLength(req.header('content-length'));
    if (length !== null && length > p.maxBytes) return tooBig();
    let token;
    try {
      token = (await req.read(p.maxBytes)).trim();
    } catch (e) {
      if (e instanceof TooLarge) return tooBig();
      return answer(400, 'invalid_request', 'the body is not UTF-8 text');
    }
    if (token === '') return answer(400, 'invalid_request', 'the body is empty (one compact SET expected)');
    let set;
    try {
      set = await verifySetAsync(token, p.verify);
    } catch (e) {
      if (e instanceof SetError) return answer(400, e.code, e.message);
      report(p, e);
      // Our key source is unreachable: the SET may be fine, so the transmitter retries.
      if (e instanceof JwksError) return answer(503, 'temporarily_unavailable', 'the issuer keys are unavailable', { 'retry-after': '30' });
      return answer(500, 'server_error', 'the SET could not be processed');
    }
    try {
      await p.onSet(set, { token, jti: set.claims.jti });
    } catch (e) {
      // The application refused the SET on a rule of its own (say `invalid_state`).
      if (e instanceof SetError) return answer(400, e.code, e.message);
      report(p, e);
      return answer(500, 'server_error', 'the SET could not be processed');
    }
    return { status: 202, headers: {}, body: null };
  }

  function report(p, e) {
    if (p.onError) {
      try {
        p.onError(e);
      } catch {
        // A failing logger must not change the answer.
      }
    }
  }

  async function receivePush(request, opts) {
    const p = preparePush(opts, 'receivePush');
    need(request !== null && typeof request === 'object' && typeof request.headers?.get === 'function', 'receivePush: request', 'a Fetch API Request', request);
    const out = await handlePush(
      {
        method: request.method,
        header: (name) => request.headers.get(name),
        read: (max) => readStream(request.body, max),
      },
      p,
    );
    return new Response(out.body, { status: out.status, headers: out.headers });
  }

  // Reads a node:http request body (or the one a body parser already read) up to `max`.
  function readNode(req, max) {
    const parsed = req.body;
    if (typeof parsed === 'string' || parsed instanceof Uint8Array) {
      const bytes = typeof parsed === 'string' ? encoder.encode(parsed) : parsed;
      if (bytes.byteLength > max) return Promise.reject(new TooLarge());
      return Promise.resolve(decodeChunks([bytes], bytes.byteLength));
    }
    return new Promise((resolve, reject) => {
      const chunks = [];
      let total = 0;
      const cleanup = () => {
        req.removeListener('data', onData);
        req.removeListener('end', onEnd);
        req.removeListener('error', onFail);
      };
      const onData = (chunk) => {
        total += chunk.byteLength;
        if (total > max) {
          // Stop reading here; the 413 goes out with Connection: close.
          cleanup();
          req.pause();
          reject(new TooLarge());
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        try {
          resolve(decodeChunks(chunks, total));
        } catch (e) {
          reject(e);
        }
      };
      const onFail = (e) => {
        cleanup();
        reject(e);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onFail);
    });
  }

  function nodePushHandler(opts) {
    const p = preparePush(opts, 'nodePushHandler');
    return async function pushHandler(req, res) {
      let out;
      try {
        out = await handlePush(
          {
            method: req.method,
            header: (name) => {
              const v = req.headers[name];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
            read: (max) => readNode(req, max),
          },
          p,
        );
      } catch (e) {
        report(p, e);
        out = answer(500, 'server_error', 'the SET could not be processed');
      }
      if (out.body !== null) out.headers['content-length'] = String(encoder.encode(out.body).byteLength);
      res.writeHead(out.status, out.headers);
      res.end(out.body === null ? undefined : out.body);
    };
  }

  // ---- RFC 8935 transmitter -----------------------------------------------------------

  function retryAfterMs(res) {
    const v = res.headers.get('retry-after');
    if (v === null) return null;
    const secs = Number(v);
    if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
    const at = Date.parse(v);
    return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
  }

  async function pushOnce(endpoint, token, o) {
    const headers = { 'content-type': SET_MEDIA_TYPE, accept: JSON_MEDIA_TYPE };
    if (o.authorizationHeader !== undefined) headers.authorization = o.authorizationHeader;
    const d = deadline(o.timeoutMs, o.signal);
    try {
      let res;
      try {
        res = await o.fetch(endpoint, { method: 'POST', headers, body: token, redirect: 'manual', signal: d.signal });
      } catch (e) {
        if (o.signal && o.signal.aborted) throw e;
        if (d.timedOut()) return new PushError('push_timeout', `no answer within ${o.timeoutMs} ms`, { retryable: true, cause: e });
        return new PushError('push_network_error', `push failed: ${e && e.message}`, { retryable: true, cause: e });
      }
      if (res.status >= 200 && res.status <= 299) {
        res.body?.cancel().catch(() => {});
        return { status: res.status };
      }
      let text = '';
      try {
        text = await readStream(res.body, RESPONSE_MAX_BYTES);
      } catch {
        // An unreadable error body says nothing more than its status.
      }
      const status = res.status;
      if (status === 400) {
        let body;
        try {
          body = wire('pushError', text);
        } catch {
          body = {};
        }
        const what = body.err ? `${body.err}: ${body.description}` : 'no RFC 8935 error body';
        return new PushError('push_rejected', `the receiver refused the SET (${what})`, { status, err: body.err, description: body.description });
      }
      if (status === 401 || status === 403) {
        return new PushError('push_unauthorized', `the receiver refused the credentials (${status})`, { status });
      }
      const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
      const e = new PushError('push_http_error', `the receiver answered ${status}`, { status, retryable });
      e.retryAfterMs = retryable ? retryAfterMs(res) : null;
      return e;
    } finally {
      d.done();
    }
  }

  async function pushSet(endpointUrl, token, opts) {
    const fnName = 'pushSet';
    const endpoint = httpUrl(endpointUrl, `${fnName}: endpointUrl`);
    need(typeof token === 'string' && token.length > 0, `${fnName}: token`, 'a compact SET (a non-empty string)', token);
    opts = options(opts, fnName);
    const auth = opts.authorizationHeader;
    need(auth === undefined || typeof auth === 'string', `${fnName}: options.authorizationHeader`, 'a string', auth);
    const retries = opts.retries === undefined ? 2 : opts.retries;
    need(Number.isInteger(retries) && retries >= 0, `${fnName}: options.retries`, 'a non-negative integer', retries);
    const o = {
      authorizationHeader: auth,
      timeoutMs: millis(opts, 'timeoutMs', 10_000, fnName),
      retryDelayMs: millis(opts, 'retryDelayMs', 500, fnName),
      maxRetryDelayMs: millis(opts, 'maxRetryDelayMs', 30_000, fnName),
      fetch: fetchOf(opts, fnName),
      signal: opts.signal,
    };
    for (let attempt = 0; ; attempt++) {
      const r = await pushOnce(endpoint, token, o);
      if (!(r instanceof PushError)) return r;
      if (!r.retryable || attempt >= retries || (o.signal && o.signal.aborted)) {
        delete r.retryAfterMs;
        throw r;
      }
      const hinted = r.retryAfterMs;
      delete r.retryAfterMs;
      await sleep(Math.min(o.maxRetryDelayMs, hinted ?? backoff(attempt, o.retryDelayMs, o.maxRetryDelayMs)), o.signal);
    }
  }

  // ---- HTTP calls with JSON answers (poll and management) --------------------------------

  const STATUS_CODES = { 400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 409: 'conflict', 413: 'too_large', 429: 'rate_limited' };

  function authorizer(opts, fnName) {
    const { token, getToken } = opts;
    need(token === undefined || (typeof token === 'string' && token.length > 0), `${fnName}: options.token`, 'a non-empty string', token);
    need(getToken === undefined || typeof getToken === 'function', `${fnName}: options.getToken`, 'a function', getToken);
    if (token === undefined && getToken === undefined) throw new TypeError(`${fnName}: options.token or options.getToken is required`);
    return async () => `Bearer ${getToken ? await getToken() : token}`;
  }

  // One JSON call. Resolves {status, json} for `ok` statuses, throws SsfError otherwise.
  async function callJson(ctx, method, url, body, ok, signal) {
    const headers = { accept: JSON_MEDIA_TYPE, authorization: await ctx.auth() };
    if (body !== undefined) headers['content-type'] = JSON_MEDIA_TYPE;
    const d = deadline(ctx.timeoutMs, signal);
    try {
      let res;
      try {
        res = await ctx.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: d.signal });
      } catch (e) {
        if (signal && signal.aborted) throw e;
        if (d.timedOut()) throw new SsfError('timeout', `${method} ${url}: no answer within ${ctx.timeoutMs} ms`, { cause: e });
        throw new SsfError('network_error', `${method} ${url}: ${e && e.message}`, { cause: e });
      }
      let text;
      try {
        text = await readStream(res.body, ctx.maxBytes);
      } catch (e) {
        if (signal && signal.aborted) throw e;
        throw new SsfError('invalid_response', `${method} ${url}: unreadable answer (${res.status})`, { status: res.status, cause: e });
      }
      if (!ok.includes(res.status)) {
        const doc = parseJson(text);
        let description;
        if (doc && typeof doc === 'object') {
          description = typeof doc.description === 'string' ? doc.description : typeof doc.detail === 'string' ? doc.detail : undefined;
        }
        const code = STATUS_CODES[res.status] || (res.status >= 500 ? 'server_error' : 'http_error');
        throw new SsfError(code, `${method} ${url}: ${res.status}${description ? ` (${description})` : ''}`, { status: res.status, description });
      }
      return { status: res.status, text };
    } finally {
      d.done();
    }
  }

  // Reads an answer with core; a refused one is the peer's fault.
  function readAnswer(kind, text, what) {
    try {
      return wire(kind, text);
    } catch (e) {
      throw new SsfError('invalid_response', `${what}: ${e.message}`, { cause: e });
    }
  }

  // ---- RFC 8936 poll client -------------------------------------------------------------

  class PollClient {
    constructor(opts) {
      const fnName = 'PollClient';
      need(opts !== null && typeof opts === 'object', `${fnName}: options`, 'an object', opts);
      this.endpoint = httpUrl(opts.endpoint, `${fnName}: options.endpoint`);
      const maxEvents = opts.maxEvents === undefined ? 100 : opts.maxEvents;
      need(Number.isInteger(maxEvents) && maxEvents > 0, `${fnName}: options.maxEvents`, 'a positive integer', maxEvents);
      need(opts.longPoll === undefined || typeof opts.longPoll === 'boolean', `${fnName}: options.longPoll`, 'a boolean', opts.longPoll);
      need(opts.verify === undefined || (opts.verify !== null && typeof opts.verify === 'object'), `${fnName}: options.verify`, 'an object', opts.verify);
      need(opts.onError === undefined || typeof opts.onError === 'function', `${fnName}: options.onError`, 'a function', opts.onError);
      const longPoll = opts.longPoll !== false;
      this._o = {
        maxEvents,
        longPoll,
        verify: opts.verify,
        onError: opts.onError,
        intervalMs: millis(opts, 'intervalMs', 1_000, fnName),
        retryDelayMs: millis(opts, 'retryDelayMs', 1_000, fnName),
        maxRetryDelayMs: millis(opts, 'maxRetryDelayMs', 60_000, fnName),
      };
      this._ctx = {
        auth: authorizer(opts, fnName),
        fetch: fetchOf(opts, fnName),
        // A long poll is held by the transmitter; the timeout only catches a dead peer.
        timeoutMs: millis(opts, 'timeoutMs', longPoll ? 120_000 : 30_000, fnName),
        maxBytes: POLL_MAX_BYTES,
      };
    }

    /**
     * Polls until `signal` aborts, calling `handler` once per SET (in the order received)
     * and acknowledging each in the next request once its handler resolved.
     */
    async run(handler, runOpts) {
      need(typeof handler === 'function', 'PollClient.run: handler', 'a function', handler);
      runOpts = options(runOpts, 'PollClient.run');
      const { signal } = runOpts;
      const o = this._o;
      let ack = [];
      let setErrs = {};
      let failures = 0;
      const stopped = () => signal !== undefined && signal.aborted;
      const request = (extra) => {
        const body = { ...extra };
        if (ack.length) body.ack = ack;
        if (Object.keys(setErrs).length) body.setErrs = setErrs;
        return wire('pollRequest', body);
      };
      const settled = () => {
        ack = [];
        setErrs = {};
      };
      while (!stopped()) {
        let answer;
        try {
          const body = request({ maxEvents: o.maxEvents, returnImmediately: !o.longPoll });
          const r = await callJson(this._ctx, 'POST', this.endpoint, body, [200], signal);
          answer = readAnswer('pollResponse', r.text, 'poll response');
          settled();
          failures = 0;
        } catch (e) {
          if (stopped()) break;
          if (!(e instanceof SsfError) || !retryablePoll(e)) throw e;
          this._report(e);
          await sleep(backoff(failures++, o.retryDelayMs, o.maxRetryDelayMs), signal);
          continue;
        }
        const entries = Object.entries(answer.sets);
        for (const [jti, token] of entries) {
          if (stopped()) break;
          let input = token;
          if (o.verify !== undefined) {
            try {
              input = await verifySetAsync(token, o.verify);
            } catch (e) {
              if (e instanceof SetError) {
                setErrs[jti] = { err: e.code, description: e.message };
                continue;
              }
              this._report(e);
              continue; // keys unavailable: leave it for redelivery
            }
          }
          try {
            await handler(input, { jti, token });
            ack.push(jti);
          } catch (e) {
            if (e instanceof SetError) setErrs[jti] = { err: e.code, description: e.message };
            else this._report(e);
          }
        }
        if (stopped()) break;
        if (entries.length === 0 && !answer.moreAvailable && !o.longPoll) await sleep(o.intervalMs, signal);
      }
      // What was handled is acknowledged before returning, so it is not delivered again.
      if (ack.length || Object.keys(setErrs).length) {
        try {
          // Short: stopping should not wait as long as a long poll may.
          const ctx = { ...this._ctx, timeoutMs: Math.min(this._ctx.timeoutMs, 10_000) };
          await callJson(ctx, 'POST', this.endpoint, request({ maxEvents: 0, returnImmediately: true }), [200, 202, 204]);
          settled();
        } catch (e) {
          this._report(e);
        }
      }
    }

    _report(e) {
      if (this._o.onError) {
        try {
          this._o.onError(e);
        } catch {
          // A failing logger must not stop the loop.
        }
      }
    }
  }

  // Network trouble, timeouts and overloaded or failing peers pass; a refused request or
  // credential does not (polling again would only repeat it).
  function retryablePoll(e) {
    return e.status === null || e.status === 429 || e.status === 408 || e.status >= 500 || e.code === 'invalid_response';
  }

  // ---- SSF management API client ----------------------------------------------------------

  class SsfClient {
    constructor(opts) {
      const fnName = 'SsfClient';
      need(opts !== null && typeof opts === 'object', `${fnName}: options`, 'an object', opts);
      if (opts.issuer === undefined && opts.configurationUrl === undefined) {
        throw new TypeError(`${fnName}: options.issuer or options.configurationUrl is required`);
      }
      if (opts.issuer !== undefined) httpUrl(opts.issuer, `${fnName}: options.issuer`);
      // Kept as written: SSF 7.2 compares it exactly with the metadata's `issuer`.
      this.issuer = opts.issuer;
      this.configurationUrl = opts.configurationUrl === undefined ? undefined : httpUrl(opts.configurationUrl, `${fnName}: options.configurationUrl`);
      this._ctx = {
        auth: authorizer(opts, fnName),
        fetch: fetchOf(opts, fnName),
        timeoutMs: millis(opts, 'timeoutMs', 30_000, fnName),
        maxBytes: RESPONSE_MAX_BYTES,
      };
      this._metadata = null;
    }

    /** The transmitter's metadata (discovery document), fetched once. */
    async metadata() {
      if (this._metadata === null) {
        let url = this.configurationUrl;
        if (url === undefined) {
          try {
            url = wasm.discoveryUrl(this.issuer);
          } catch (e) {
            throw new TypeError(`SsfClient: options.issuer: ${typeof e === 'string' ? JSON.parse(e).message : e}`);
          }
        }
        const r = await callJson(this._ctx, 'GET', url, undefined, [200]);
        const doc = readAnswer('metadata', r.text, 'transmitter metadata');
        // SSF 7.2: the issuer in the document must be the one it was discovered from.
        if (this.issuer !== undefined && doc.issuer !== this.issuer) {
          throw new SsfError('issuer_mismatch', `metadata issuer ${JSON.stringify(doc.issuer)} is not ${JSON.stringify(this.issuer)}`, { status: r.status });
        }
        this._metadata = doc;
      }
      return this._metadata;
    }

    async _endpoint(name) {
      const m = await this.metadata();
      const url = m[name];
      if (typeof url !== 'string') throw new SsfError('unsupported', `the transmitter has no ${name}`);
      return url;
    }

    async _call(endpoint, method, { query, body, kind, ok = [200] } = {}) {
      let url = await this._endpoint(endpoint);
      if (query !== undefined) {
        const u = new URL(url);
        for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
        url = u.href;
      }
      const r = await callJson(this._ctx, method, url, body, ok);
      if (kind === undefined) return undefined;
      const what = `${method} ${endpoint}`;
      if (kind === 'streamConfig[]') {
        const list = parseJson(r.text);
        if (!Array.isArray(list)) throw new SsfError('invalid_response', `${what}: not a JSON array`, { status: r.status });
        return list.map((c) => readAnswer('streamConfig', JSON.stringify(c), what));
      }
      return readAnswer(kind, r.text, what);
    }

    async createStream(config = {}) {
      const url = await this._endpoint('configuration_endpoint');
      const { issuer } = await this.metadata();
      const r = await callJson(this._ctx, 'POST', url, outgoing('createStream', config), [200, 201]);
      // Core's SSF client rules: among them SSF 8.1.1.1, the stream's iss is the issuer.
      try {
        return JSON.parse(wasm.createdStream(issuer, r.status, r.text));
      } catch (e) {
        if (typeof e !== 'string') throw e;
        const info = JSON.parse(e);
        const code = /not the transmitter's issuer/.test(info.message) ? 'issuer_mismatch' : 'invalid_response';
        throw new SsfError(code, `POST configuration_endpoint: ${info.message}`, { status: r.status });
      }
    }

    async getStream(streamId) {
      return this._call('configuration_endpoint', 'GET', { query: { stream_id: id(streamId) }, kind: 'streamConfig' });
    }

    async listStreams() {
      return this._call('configuration_endpoint', 'GET', { kind: 'streamConfig[]' });
    }

    async updateStream(streamId, changes = {}) {
      const body = outgoing('updateStream', { ...changes, stream_id: id(streamId) });
      return this._call('configuration_endpoint', 'PATCH', { body, kind: 'streamConfig' });
    }

    async replaceStream(streamId, config = {}) {
      const body = outgoing('updateStream', { ...config, stream_id: id(streamId) });
      return this._call('configuration_endpoint', 'PUT', { body, kind: 'streamConfig' });
    }

    async deleteStream(streamId) {
      return this._call('configuration_endpoint', 'DELETE', { query: { stream_id: id(streamId) }, ok: [200, 202, 204] });
    }

    async getStatus(streamId) {
      return this._call('status_endpoint', 'GET', { query: { stream_id: id(streamId) }, kind: 'streamStatus' });
    }

    async setStatus(streamId, status, extra = {}) {
      const body = outgoing('streamStatus', { ...extra, stream_id: id(streamId), status });
      return this._call('status_endpoint', 'POST', { body, kind: 'streamStatus' });
    }

    async addSubject(streamId, subject, extra = {}) {
      const body = outgoing('addSubject', { ...extra, stream_id: id(streamId), subject });
      return this._call('add_subject_endpoint', 'POST', { body, ok: [200, 201, 202, 204] });
    }

    async removeSubject(streamId, subject) {
      const body = outgoing('removeSubject', { stream_id: id(streamId), subject });
      return this._call('remove_subject_endpoint', 'POST', { body, ok: [200, 202, 204] });
    }

    async requestVerification(streamId, extra = {}) {
      const body = outgoing('verification', { ...extra, stream_id: id(streamId) });
      return this._call('verification_endpoint', 'POST', { body, ok: [200, 202, 204] });
    }
  }

  // A request core refuses never leaves the package.
  function outgoing(kind, body) {
    try {
      return wire(kind, body);
    } catch (e) {
      if (!(e instanceof SetError)) throw e;
      throw new SsfError('invalid_request', e.message, { cause: e });
    }
  }

  function id(streamId) {
    need(typeof streamId === 'string' && streamId.length > 0, 'SsfClient: streamId', 'a non-empty string', streamId);
    return streamId;
  }

  // The error classes are module-level (one class per module instance), exported beside
  // createTransport by the wrappers.
  return { createRemoteJwks, verifySetAsync, verifyAccessTokenAsync, receivePush, nodePushHandler, pushSet, PollClient, SsfClient };
}
