// Fetching key sets: by a URL the user typed, or by the issuer a SET names (SSF discovery).
// The only requests the page makes for keys go through here. Nothing from a token but its
// `iss` is ever part of a request, and only when the user asked for keys by issuer.
import { describeFetchError } from './explain.js';

export async function fetchJson(url) {
  let res;
  try {
    // Only the URL goes out: no credentials, no referrer, nothing from the token.
    res = await fetch(url, { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', mode: 'cors', redirect: 'error' });
  } catch (e) {
    throw new Error(describeFetchError(url, e));
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${url} did not return JSON`);
  }
}

/** SSF 1.0 section 7.2: the issuer's path goes after the well-known name. */
export function discoveryUrl(issuer) {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/$/, '');
  return `${u.origin}/.well-known/ssf-configuration${path}`;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// A URL taken from a pasted token (or from the document it led to) is fetched only when it is
// https, or plain http to this machine: a token must not steer the browser at other hosts of
// the user's network over http.
function checkedUrl(raw, what) {
  let u;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${what} ${JSON.stringify(raw)} is not a URL`);
  }
  if (u.username || u.password) throw new Error(`${what} ${u.href} carries credentials; not fetched`);
  if (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))) return u;
  throw new Error(`${what} ${u.href} is not https (plain http only to this machine); not fetched`);
}

/**
 * Key sets by issuer, each fetched once per page (or until `clear`) through the issuer's SSF
 * discovery document, whose `issuer` must be identical to the SET's `iss` (SSF 1.0 section 7.2),
 * else anyone's keys could be made to look like the issuer's.
 * `lookup(iss, onSettled)` -> {pending: true} | {value, from} | {error, from}.
 */
export class IssuerKeys {
  constructor() {
    this.entries = new Map();
  }

  clear() {
    this.entries.clear();
  }

  lookup(iss, onSettled) {
    const known = this.entries.get(iss);
    if (known) return known;
    const entry = { pending: true, from: iss };
    this.entries.set(iss, entry);
    this.discover(iss).then(
      ({ value, via }) => this.settle(iss, entry, { value, from: iss, via }, onSettled),
      (e) => this.settle(iss, entry, { error: `keys of issuer ${iss}: ${e.message}`, from: iss }, onSettled),
    );
    return entry;
  }

  settle(iss, entry, result, onSettled) {
    if (this.entries.get(iss) !== entry) return; // cleared meanwhile
    this.entries.set(iss, result);
    onSettled();
  }

  async discover(iss) {
    checkedUrl(iss, 'the issuer');
    const disc = discoveryUrl(iss);
    const doc = await fetchJson(disc);
    if (!doc || typeof doc !== 'object') throw new Error(`${disc} is not an SSF configuration`);
    if (doc.issuer !== iss) {
      throw new Error(`${disc} names the issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(iss)}: its keys are not the issuer's`);
    }
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${disc} has no jwks_uri`);
    const jwksUri = checkedUrl(doc.jwks_uri, 'its jwks_uri').href;
    const value = await fetchJson(jwksUri);
    if (!value || !Array.isArray(value.keys)) throw new Error(`${jwksUri} has no "keys" array: not a JWK Set`);
    return { value, via: `${disc}, then ${jwksUri}` };
  }
}
