// The public API of `shared-signals`, written once for every runtime.
//
// This file has no module syntax of its own: scripts/build-js.sh wraps it into a
// CommonJS and an ES module (`createApi` and `SetError` are what each exports). Each
// entry point (Node, browsers, workerd) calls createApi with its wasm-bindgen glue and,
// where the runtime has one, a synchronous native crypto module.
//
// What belongs here: argument checks (TypeError, never a wasm trap), option objects,
// defaults (the clock), SetError construction and caching of parsed key sets. What does
// not: any SET rule. Those live in the Rust core and reach us as results or errors.

/** Error thrown for every token, key or claims problem. */
class SetError extends Error {
  constructor(code, reason, message, options) {
    super(message, options);
    this.name = 'SetError';
    /** RFC 8935 `err` value, e.g. `invalid_request`, `invalid_key`. */
    this.code = code;
    /** Stable fine-grained reason, e.g. `alg_none`, `bad_signature`. */
    this.reason = reason;
  }
}

/**
 * Error thrown by `verifyAccessToken` for a token that must be refused: `code` is the
 * RFC 6750 error a resource server answers with, `status` its HTTP status.
 */
class AccessTokenError extends Error {
  constructor(code, reason, message, status, options) {
    super(message, options);
    this.name = 'AccessTokenError';
    /** `invalid_token` (401) or `insufficient_scope` (403). */
    this.code = code;
    /** Stable fine-grained reason, e.g. `expired`, `access_token_typ`, `bad_signature`. */
    this.reason = reason;
    /** 401 or 403. */
    this.status = status;
  }
}

const JWKS_STRING_CACHE_SIZE = 32;
const KEY_OBJECT_CACHE_SIZE = 256;

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function typeError(what, expected, value) {
  return new TypeError(`${what} must be ${expected}, got ${describe(value)}`);
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function createApi(wasm, platform) {
  const nativeCrypto = platform && platform.crypto ? platform.crypto : null;
  const isReady = platform && platform.isReady ? platform.isReady : () => true;
  let useNative = nativeCrypto !== null;
  let maxTokenLength = 0;
  let supported = null;

  function ready() {
    if (!isReady()) {
      throw new Error(
        'shared-signals: the WebAssembly module is not initialised yet; `await init()` first',
      );
    }
    if (supported === null) {
      supported = JSON.parse(wasm.supportedAlgorithms());
      maxTokenLength = wasm.maxTokenLength();
    }
  }

  const setError = (info) => new SetError(info.code, info.reason, info.message);
  const accessTokenError = (info) => new AccessTokenError(info.code, info.reason, info.message, info.status);

  // Runs a wasm export; a thrown string is core's error as JSON text, made into an error
  // by `makeError`.
  function call(fn, makeError = setError) {
    try {
      return fn();
    } catch (e) {
      if (typeof e === 'string') {
        let info;
        try {
          info = JSON.parse(e);
        } catch {
          throw new Error(`shared-signals: unexpected failure: ${e}`);
        }
        throw makeError(info);
      }
      throw e;
    }
  }

  function checkToken(token, fnName) {
    if (typeof token !== 'string') throw typeError(`${fnName}: token`, 'a string', token);
    // Core enforces the exact limit; this only keeps absurd inputs out of wasm memory.
    if (token.length > 4 * maxTokenLength) {
      throw new SetError(
        'invalid_request',
        'too_large',
        `token exceeds the limit of ${maxTokenLength}`,
      );
    }
  }

  // ---- options ------------------------------------------------------------------------

  function optString(opts, name, fnName) {
    const v = opts[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw typeError(`${fnName}: options.${name}`, 'a string', v);
    return v;
  }

  function optSeconds(opts, name, fnName) {
    const v = opts[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw typeError(`${fnName}: options.${name}`, 'a non-negative number of seconds', v);
    }
    return Math.floor(v);
  }

  function optNow(opts, fnName) {
    const v = opts.now;
    if (v === undefined) return Math.floor(Date.now() / 1000);
    if (v instanceof Date) {
      const t = v.getTime();
      if (Number.isFinite(t)) return Math.floor(t / 1000);
    } else if (typeof v === 'number' && Number.isFinite(v)) {
      return Math.floor(v);
    }
    throw typeError(`${fnName}: options.now`, 'a Date or a number of seconds since the epoch', v);
  }

  function optAlgorithms(opts, fnName) {
    const v = opts.algorithms;
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw typeError(`${fnName}: options.algorithms`, 'an array of strings', v);
    for (const a of v) {
      if (typeof a !== 'string') {
        throw typeError(`${fnName}: options.algorithms[]`, 'a string', a);
      }
      if (!supported.includes(a)) {
        throw new TypeError(
          `${fnName}: options.algorithms: ${JSON.stringify(a)} is not one of ${supported.join(', ')}`,
        );
      }
    }
    return v;
  }

  function optProfile(opts, fnName) {
    const v = opts.profile;
    if (v === undefined) return undefined;
    const names = profiles().map((p) => p.name);
    if (typeof v !== 'string' || !names.includes(v)) {
      throw new TypeError(`${fnName}: options.profile must be one of ${names.join(', ')}`);
    }
    return v;
  }

  function expectations(opts, fnName) {
    return JSON.stringify({
      now: optNow(opts, fnName),
      issuer: optString(opts, 'issuer', fnName),
      audience: optString(opts, 'audience', fnName),
      algorithms: optAlgorithms(opts, fnName),
      clockSkew: optSeconds(opts, 'clockSkew', fnName),
      maxAge: optSeconds(opts, 'maxAge', fnName),
      profile: optProfile(opts, fnName),
    });
  }

  // ---- key sets -----------------------------------------------------------------------

  // Parsed key sets, so that a JWKS passed again is not parsed again, keyed by content (the
  // JSON text: an object edited in place, a compromised key removed or replaced, is a new
  // entry at the next verify; serialising a JWKS costs microseconds, a stale key set a
  // forged SET accepted). A small LRU.
  const byText = new Map();
  // Imported host keys by RFC 7638 thumbprint, shared by every key set.
  const keyObjects = new Map();

  function makeEntry(json) {
    const keys = call(() => new wasm.Keys(json));
    return { keys, host: nativeCrypto ? nativeHost(keys) : null };
  }

  function keySet(jwks, fnName) {
    let text;
    if (typeof jwks === 'string') {
      text = singleKeyAsSet(jwks);
    } else {
      if (jwks === null || typeof jwks !== 'object' || Array.isArray(jwks)) {
        throw typeError(`${fnName}: options.jwks`, 'a JWK Set (object or JSON text) or a JWK', jwks);
      }
      try {
        text = JSON.stringify(Array.isArray(jwks.keys) || !('kty' in jwks) ? jwks : { keys: [jwks] });
      } catch (e) {
        throw new TypeError(`${fnName}: options.jwks cannot be serialised as JSON`, { cause: e });
      }
    }
    let entry = byText.get(text);
    if (entry) {
      byText.delete(text);
    } else {
      entry = makeEntry(text);
      if (byText.size >= JWKS_STRING_CACHE_SIZE) {
        byText.delete(byText.keys().next().value);
      }
    }
    byText.set(text, entry);
    return entry;
  }

  // A single JWK given as JSON text is accepted as a set of one.
  function singleKeyAsSet(text) {
    try {
      const v = JSON.parse(text);
      if (isPlainObject(v) && !('keys' in v) && 'kty' in v) return JSON.stringify({ keys: [v] });
    } catch {
      // Not JSON: core reports it precisely.
    }
    return text;
  }

  // ---- host crypto (Node's crypto.verify with cached KeyObjects) -------------------------

  // EdDSA is absent on purpose: OpenSSL's Ed25519 accepts what RFC 8032 section 5.1.7's
  // strict check refuses (a small-order R), so core's own check always does it and the
  // verdict is the same in every runtime (and the same as the worker's).
  // Hash and salt per alg come from core's one algorithm table.
  let table = null;
  function algorithms() {
    if (table === null) {
      table = {};
      for (const [alg, t] of Object.entries(JSON.parse(wasm.algorithmTable()))) {
        if (t.scheme !== 'eddsa') table[alg] = t;
      }
    }
    return table;
  }

  function importKey(keys, index) {
    const thumb = keys.thumbprint(index);
    let key = keyObjects.get(thumb);
    if (key === undefined) {
      try {
        key = nativeCrypto.createPublicKey({ key: JSON.parse(keys.keyJson(index)), format: 'jwk' });
      } catch {
        key = null; // the wasm provider will do this key
      }
      if (keyObjects.size >= KEY_OBJECT_CACHE_SIZE) {
        keyObjects.delete(keyObjects.keys().next().value);
      }
      keyObjects.set(thumb, key);
    }
    return key;
  }

  // The object core's host provider calls: 1 valid, 0 invalid, -1 "do it yourself".
  function nativeHost(keys) {
    const perKey = [];
    return {
      verify(alg, index, data, signature) {
        if (!useNative) return -1;
        let slot = perKey[index];
        if (slot === undefined) {
          const key = importKey(keys, index);
          slot = perKey[index] = key ? { key, params: {} } : null;
        }
        const t = algorithms()[alg];
        if (slot === null || t === undefined) return -1;
        let params = slot.params[alg];
        if (params === undefined) {
          if (t.scheme === 'ecdsa') {
            params = { key: slot.key, dsaEncoding: 'ieee-p1363' };
          } else if (t.scheme === 'rsa-pss') {
            params = {
              key: slot.key,
              padding: nativeCrypto.constants.RSA_PKCS1_PSS_PADDING,
              saltLength: t.saltLength,
            };
          } else {
            params = slot.key;
          }
          slot.params[alg] = params;
        }
        try {
          return nativeCrypto.verify(t.hash, data, params, signature) ? 1 : 0;
        } catch {
          return -1;
        }
      },
    };
  }

  // ---- results ------------------------------------------------------------------------

  // The profiles are core's data: names, and the rules each applies on top of SSF 1.0.
  let profilesCache = null;
  function profiles() {
    if (profilesCache === null) profilesCache = deepFreeze(JSON.parse(wasm.profiles()));
    return profilesCache;
  }

  let catalogCache = null;
  let catalogByUri = null;
  function catalog() {
    if (catalogCache === null) {
      catalogCache = deepFreeze(JSON.parse(wasm.catalog()));
      catalogByUri = new Map(catalogCache.map((t) => [t.uri, t]));
    }
    return catalogCache;
  }

  // Completes core's events ({uri, type, issues}) with their catalogue entry and payload.
  function explain(result) {
    catalog();
    const payloads = result.claims.events;
    result.events = result.events.map(({ uri, type, issues }) => {
      const t = type === null ? undefined : catalogByUri.get(type);
      return {
        uri,
        profile: t ? t.profile : null,
        name: t ? t.name : null,
        title: t ? t.title : null,
        description: t ? t.description : null,
        fields: payloads[uri],
        issues,
      };
    });
    return result;
  }

  // ---- the API ------------------------------------------------------------------------

  function decodeSet(token, options) {
    ready();
    checkToken(token, 'decodeSet');
    let opts = null;
    if (options !== undefined) {
      if (!isPlainObject(options)) throw typeError('decodeSet: options', 'an object', options);
      opts = expectations(options, 'decodeSet');
    }
    return explain(JSON.parse(call(() => wasm.decode(token, opts))));
  }

  function verifySet(token, options) {
    ready();
    checkToken(token, 'verifySet');
    if (!isPlainObject(options)) {
      throw typeError('verifySet: options', 'an object with a jwks member', options);
    }
    if (options.jwks === undefined) {
      throw new TypeError('verifySet: options.jwks is required (a JWK Set, a JWK or JSON text)');
    }
    const opts = expectations(options, 'verifySet');
    const entry = keySet(options.jwks, 'verifySet');
    return explain(JSON.parse(call(() => wasm.verify(token, entry.keys, opts, entry.host))));
  }

  function requiredString(opts, name, fnName) {
    const v = optString(opts, name, fnName);
    if (v === undefined || v === '') throw typeError(`${fnName}: options.${name}`, 'a non-empty string', v);
    return v;
  }

  function verifyAccessToken(token, options) {
    ready();
    checkToken(token, 'verifyAccessToken');
    if (!isPlainObject(options)) {
      throw typeError('verifyAccessToken: options', 'an object with jwks, issuer and audience', options);
    }
    if (options.jwks === undefined) {
      throw new TypeError('verifyAccessToken: options.jwks is required (a JWK Set, a JWK or JSON text)');
    }
    const fnName = 'verifyAccessToken';
    const opts = JSON.stringify({
      now: optNow(options, fnName),
      issuer: requiredString(options, 'issuer', fnName),
      audience: requiredString(options, 'audience', fnName),
      scope: optString(options, 'scope', fnName),
      algorithms: optAlgorithms(options, fnName),
      clockSkew: optSeconds(options, 'clockSkew', fnName),
    });
    // A key set that cannot be used is the caller's problem, not the token's: SetError.
    const entry = keySet(options.jwks, fnName);
    const json = call(() => wasm.verifyAccessToken(token, entry.keys, opts, entry.host), accessTokenError);
    return JSON.parse(json);
  }

  function signSet(claims, options) {
    ready();
    if (!isPlainObject(claims)) throw typeError('signSet: claims', 'a plain object', claims);
    if (!isPlainObject(options)) throw typeError('signSet: options', 'an object with a jwk member', options);
    const { jwk } = options;
    let key;
    if (typeof jwk === 'string') {
      key = jwk;
    } else if (isPlainObject(jwk)) {
      key = JSON.stringify(jwk);
    } else {
      throw typeError('signSet: options.jwk', 'a private JWK (object or JSON text) or a PKCS#8 PEM', jwk);
    }
    const alg = optString(options, 'alg', 'signSet');
    if (alg !== undefined && !supported.includes(alg)) {
      throw new TypeError(`signSet: options.alg: ${JSON.stringify(alg)} is not one of ${supported.join(', ')}`);
    }
    const kid = optString(options, 'kid', 'signSet');
    const profile = optProfile(options, 'signSet');
    const body = { ...claims };
    // The two claims every SET needs and nobody should have to invent by hand.
    if (body.iat === undefined) body.iat = Math.floor(Date.now() / 1000);
    if (body.jti === undefined) body.jti = randomId();
    let json;
    try {
      json = JSON.stringify(body);
    } catch (e) {
      throw new TypeError('signSet: claims cannot be serialised as JSON', { cause: e });
    }
    return call(() => wasm.sign(json, key, alg, kid, profile));
  }

  function generateKey(alg) {
    ready();
    const name = alg === undefined ? 'ES256' : alg;
    if (typeof name !== 'string') throw typeError('generateKey: alg', 'a string', alg);
    if (!supported.includes(name)) {
      throw new TypeError(`generateKey: ${JSON.stringify(name)} is not one of ${supported.join(', ')}`);
    }
    // RSA key generation is slow in wasm; where the runtime can do it natively it does,
    // and core reads and checks the result like any other key.
    let fresh = null;
    if (nativeCrypto && /^[RP]S/.test(name) && typeof nativeCrypto.generateKeyPairSync === 'function') {
      try {
        const { privateKey } = nativeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
        fresh = JSON.stringify(privateKey.export({ format: 'jwk' }));
      } catch {
        fresh = null;
      }
    }
    return JSON.parse(call(() => wasm.generate(name, fresh)));
  }

  function eventCatalog() {
    ready();
    return catalog();
  }

  function supportedAlgorithms() {
    ready();
    return supported.slice();
  }

  /** Turns the runtime's native signature checks on or off (on by default where present). */
  function useNativeCrypto(enabled) {
    if (typeof enabled !== 'boolean') throw typeError('useNativeCrypto: enabled', 'a boolean', enabled);
    useNative = enabled && nativeCrypto !== null;
    return useNative;
  }

  return {
    SetError,
    AccessTokenError,
    decodeSet,
    verifySet,
    verifyAccessToken,
    signSet,
    generateKey,
    eventCatalog,
    profiles,
    supportedAlgorithms,
    useNativeCrypto,
  };
}

function randomId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID().replace(/-/g, '');
  if (c && typeof c.getRandomValues === 'function') {
    const b = c.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }
  throw new SetError('invalid_request', 'rng_unavailable', 'no random number generator available for jti');
}

function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
