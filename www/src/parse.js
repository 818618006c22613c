// Turns what a user pastes into the SETs it carries. Pure functions, no DOM, no wasm:
// a compact SET, an RFC 8935 push request (with or without its HTTP request line and
// headers), an RFC 8936 poll response ({"sets": {jti: SET}}), a JSON string, or a JSON
// object with a `token` member. Every result names what was recognised.

const COMPACT = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * @param {string} text
 * @returns {{kind: string, description: string, items: {label: string, token: string}[], error?: string}}
 */
export function extractSets(text) {
  const input = String(text ?? '').replace(/^\uFEFF/, '').trim();
  if (input === '') return { kind: 'empty', description: '', items: [] };

  // An HTTP request as captured: request line, headers, blank line, body.
  const http = /^(POST|PUT)\s+\S+\s+HTTP\/[\d.]+\r?\n/i.exec(input);
  if (http) {
    const split = input.search(/\r?\n\r?\n/);
    const headers = split < 0 ? input : input.slice(0, split);
    const body = split < 0 ? '' : input.slice(split).trim();
    const type = /^content-type:\s*([^\r\n;]+)/im.exec(headers);
    const inner = extractSets(body);
    if (inner.kind === 'empty') {
      return { kind: 'error', description: 'HTTP request', items: [], error: 'the request has no body' };
    }
    const ct = type ? type[1].trim().toLowerCase() : '';
    let description = `HTTP request (${ct || 'no Content-Type'})`;
    if (inner.kind === 'token' || inner.kind === 'tokens') {
      description = 'RFC 8935 push request';
      if (ct !== 'application/secevent+jwt') {
        description += ct
          ? `: Content-Type is ${ct}, RFC 8935 requires application/secevent+jwt`
          : ': no Content-Type, RFC 8935 requires application/secevent+jwt';
      }
    } else if (inner.kind === 'poll') {
      description = 'RFC 8936 poll response in an HTTP message';
    }
    return { ...inner, kind: inner.kind === 'error' ? 'error' : `http-${inner.kind}`, description };
  }

  if (input.startsWith('{') || input.startsWith('"') || input.startsWith('[')) {
    let value;
    try {
      value = JSON.parse(input);
    } catch (e) {
      return { kind: 'error', description: 'JSON', items: [], error: `not valid JSON: ${e.message}` };
    }
    return fromJson(value);
  }

  // Compact tokens: whitespace inside one token (line-wrapped) is dropped; several tokens
  // separated by whitespace, each with its three segments, are several SETs.
  const pieces = input.split(/\s+/).filter(Boolean);
  if (pieces.length > 1 && pieces.every((p) => COMPACT.test(p))) {
    return {
      kind: 'tokens',
      description: `${pieces.length} compact SETs`,
      items: pieces.map((token, i) => ({ label: `SET ${i + 1}`, token })),
    };
  }
  const token = pieces.join('');
  const description = COMPACT.test(token)
    ? 'compact SET'
    : 'text that is not a compact JWS (three base64url parts separated by dots); decoded anyway to say why';
  return { kind: 'token', description, items: [{ label: 'SET', token }] };
}

function fromJson(value) {
  if (typeof value === 'string') {
    return { kind: 'token', description: 'compact SET (JSON string)', items: [{ label: 'SET', token: value.trim() }] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
      return {
        kind: 'tokens',
        description: `JSON array of ${value.length} SETs`,
        items: value.map((token, i) => ({ label: `SET ${i + 1}`, token })),
      };
    }
    return { kind: 'error', description: 'JSON', items: [], error: 'expected a poll response object or a SET' };
  }
  const holder = findSets(value);
  if (holder) {
    const entries = Object.entries(holder.sets);
    const bad = entries.filter(([, t]) => typeof t !== 'string');
    if (bad.length > 0) {
      return {
        kind: 'error',
        description: 'RFC 8936 poll response',
        items: [],
        error: `"sets" must map each jti to a SET string; ${bad.map(([k]) => JSON.stringify(k)).join(', ')} is not a string`,
      };
    }
    let description = `RFC 8936 poll response: ${entries.length} SET${entries.length === 1 ? '' : 's'}`;
    if (typeof holder.moreAvailable === 'boolean') {
      description += holder.moreAvailable ? ', more available' : ', no more available';
    }
    return {
      kind: 'poll',
      description,
      items: entries.map(([jti, token]) => ({ label: jti, token, key: jti })),
    };
  }
  if (typeof value.token === 'string') {
    return { kind: 'token', description: 'compact SET (from a "token" member)', items: [{ label: 'SET', token: value.token.trim() }] };
  }
  if (value.events && typeof value.events === 'object') {
    return {
      kind: 'error',
      description: 'JSON claims set',
      items: [],
      error: 'this is a claims set, not a signed SET: use "Build & sign" to sign it',
      claims: value,
    };
  }
  return { kind: 'error', description: 'JSON', items: [], error: 'no "sets" member (RFC 8936 poll response) and no token found' };
}

// The poll response itself, or one level down (a saved response wrapped in an object).
function findSets(value) {
  if (value.sets && typeof value.sets === 'object' && !Array.isArray(value.sets)) return value;
  for (const v of Object.values(value)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && v.sets && typeof v.sets === 'object' && !Array.isArray(v.sets)) {
      return v;
    }
  }
  return null;
}

/** Decodes a JSON-pointer-like issue path (`/claims/events/https:~1~1...`) into its parts. */
export function pathParts(path) {
  if (!path) return [];
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Seconds since the epoch -> "2021-11-12 18:19:36 UTC". */
export function utc(seconds) {
  const d = new Date(seconds * 1000);
  if (!Number.isFinite(d.getTime())) return 'not a valid date';
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** Seconds since the epoch -> "3 days ago" / "in 5 minutes", relative to `now` (seconds). */
export function relative(seconds, now) {
  const diff = seconds - now;
  const abs = Math.abs(diff);
  if (abs < 5) return 'just now';
  const [unit, size] = UNITS.find(([, s]) => abs >= s) || UNITS[UNITS.length - 1];
  const n = Math.round(diff / size);
  return new Intl.RelativeTimeFormat('en', { numeric: 'always' }).format(n, unit);
}

// ---- URL fragment state -------------------------------------------------------------------

function b64urlEncode(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlDecode(text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

const TEXT_KEYS = { input: 't', jwks: 'k', jwksUrl: 'u', issuer: 'i', audience: 'a' };

/** State -> fragment (without '#'). Text members are base64url of UTF-8. */
export function encodeFragment(state) {
  const parts = [];
  for (const [name, key] of Object.entries(TEXT_KEYS)) {
    if (state[name]) parts.push(`${key}=${b64urlEncode(state[name])}`);
  }
  if (state.profile && state.profile !== 'ssf') parts.push(`p=${encodeURIComponent(state.profile)}`);
  if (state.selected) parts.push(`s=${encodeURIComponent(String(state.selected))}`);
  if (state.tab && state.tab !== 'inspect') parts.push(`v=${encodeURIComponent(state.tab)}`);
  return parts.join('&');
}

/** Fragment (with or without '#') -> state; members that do not decode are left out. */
export function decodeFragment(fragment) {
  const state = {};
  const text = String(fragment || '').replace(/^#/, '');
  if (!text) return state;
  const byKey = Object.fromEntries(Object.entries(TEXT_KEYS).map(([n, k]) => [k, n]));
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    try {
      if (byKey[key]) state[byKey[key]] = b64urlDecode(value);
      else if (key === 'p') state.profile = decodeURIComponent(value);
      else if (key === 's') state.selected = decodeURIComponent(value);
      else if (key === 'v') state.tab = decodeURIComponent(value);
    } catch {
      // A damaged member is ignored; the rest of the state still applies.
    }
  }
  return state;
}
