#!/usr/bin/env node
'use strict';
// shared-signals: a small command line for Security Event Tokens.

const fs = require('node:fs');
const path = require('node:path');
const api = require('../dist/node.cjs');

const USAGE = `usage: shared-signals <command> [options]

  decode [token|-] [--json]
      Explain a SET without checking its signature: header, claims, subject, events
      and every problem found. Reads the token from stdin when absent or "-".

  verify [token|-] --jwks <file|url|json> [--issuer <iss>] [--audience <aud>]
         [--alg <ES256,RS256,...>] [--profile ssf|caep-interop|rfc8417]
         [--max-age <s>] [--clock-skew <s>] [--now <epoch s>] [--json]
      Verify a SET with the transmitter's keys. Exit status 0 if valid, 1 if not.
      --jwks takes a JWK Set, one JWK, or the key pair keygen prints (public parts
      only are used), as a file or JSON text; or a URL: a jwks_uri, an SSF
      discovery document, or an SSF issuer (then its discovery is fetched, and the
      SET's iss must be that issuer). Says which of issuer and audience it did not
      check.

  sign --key <file|json> [claims-file|-] [--alg <alg>] [--kid <kid>] [--profile ...]
      Sign a claims set (JSON; from stdin when absent or "-") and print the SET.
      The key is the key pair keygen prints, a private JWK, a JWK Set holding one
      private key, or a PEM private key. iat and jti are filled if absent.

  keygen [alg]
      Print a new key pair {privateJwk, publicJwk} (default ES256).

  catalog [--json]
      List the event types known (SSF, CAEP, RISC).

  emit --url <node> --token <emitter token> --event <name|uri> --subject <subject>
       [--field name=value]... [--txn <txn>] [--json]
      Have an SSF node (this package's worker) originate an event: POST <node>/ssf/events.
      It signs one SET per stream that takes the event and prints stream_id -> jti.
      --event: a catalogue name (session-revoked, credential-compromise, ...) or URI.
      --subject: format:value (email:alice@example.com, phone_number:+12065550100,
      opaque:abc, account:acct:alice@example.com, uri:https://..., did:example:1,
      iss_sub:<issuer>|<sub>), or a subject identifier as JSON.
      --field: an event claim; the value is read as JSON when it is JSON (numbers,
      objects), as a string otherwise; name.member=value sets one member of an
      object (reason_admin.en=...). CAEP events get event_timestamp = now unless given.

  --version   Print the package version.
`;

class UsageError extends Error {}

function parseArgs(argv) {
  const positional = [];
  const flags = {};
  const takesValue = new Set([
    'jwks', 'issuer', 'audience', 'alg', 'profile', 'max-age', 'clock-skew', 'now', 'key', 'kid',
    'url', 'token', 'event', 'subject', 'txn',
  ]);
  const repeated = new Set(['field']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      flags.help = true;
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (takesValue.has(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        flags[name] = value;
      } else if (repeated.has(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        (flags[name] ??= []).push(value);
      } else if (name === 'json') {
        flags.json = true;
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function readStdin() {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read stdin: ${e.message}`);
  }
}

function tokenArg(positional) {
  const t = positional[0];
  const text = t === undefined || t === '-' ? readStdin() : t;
  return text.trim();
}

// A value that is JSON text, or a path to a file holding it.
function jsonOrFile(value, what) {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('-----BEGIN')) return trimmed;
  try {
    return fs.readFileSync(path.resolve(value), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${value}: ${e.message}`);
  }
}

// ---- keys: each command takes what the others print ----------------------------------------

// Members only a private (or symmetric) JWK has (RFC 7517, RFC 7518 section 6).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const isPrivate = (jwk) => PRIVATE_MEMBERS.some((m) => m in jwk);
const publicPart = (jwk) => Object.fromEntries(Object.entries(jwk).filter(([m]) => !PRIVATE_MEMBERS.includes(m)));

function parseKeyDoc(text, what) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not JSON: ${e.message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${what} is not a JSON object`);
  return doc;
}

// A key document -> the list of JWKs in it: a JWK Set, a key pair {privateJwk, publicJwk}
// (as keygen prints), or one JWK.
function jwksOf(doc, what) {
  if (Array.isArray(doc.keys)) return doc.keys;
  if (doc.privateJwk || doc.publicJwk) return [doc.privateJwk || doc.publicJwk];
  if (typeof doc.kty === 'string') return [doc];
  throw new UsageError(`${what} is neither a JWK Set ({"keys": [...]}), a JWK, nor a key pair ({"privateJwk", "publicJwk"})`);
}

/** The signing key of `--key`: PEM text as is, else the one private JWK of the document. */
function signingKey(value) {
  const text = jsonOrFile(value, 'key').trim();
  if (text.startsWith('-----BEGIN')) return text;
  const doc = parseKeyDoc(text, `the key ${value}`);
  const keys = jwksOf(doc, `the key ${value}`).filter((k) => k && typeof k === 'object');
  const priv = keys.filter(isPrivate);
  if (priv.length === 1) return JSON.stringify(priv[0]);
  if (priv.length > 1) throw new UsageError(`the key ${value} holds ${priv.length} private keys: give one`);
  throw new UsageError(`the key ${value} holds no private key (a public key cannot sign): give the private JWK or the key pair keygen printed`);
}

/** A JWK Set of the public parts of `doc`'s keys. */
function publicSet(doc, what) {
  return { keys: jwksOf(doc, what).filter((k) => k && typeof k === 'object').map(publicPart) };
}

// A network failure says which URL and why (fetch's own message is only "fetch failed").
async function getJson(url) {
  let res;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(10000) });
  } catch (e) {
    const cause = e.cause ? e.cause.code || e.cause.message : e.name === 'TimeoutError' ? 'no answer within 10 s' : e.message;
    throw new UsageError(`GET ${url} failed: ${cause}${e.cause && e.cause.message && e.cause.code ? ` (${e.cause.message})` : ''}`);
  }
  const text = await res.text();
  if (!res.ok) throw new UsageError(`GET ${url}: HTTP ${res.status}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`GET ${url}: the answer is not JSON`);
  }
}

// SSF 1.0 section 7.2: the issuer's path goes after the well-known name.
function discoveryUrl(issuer) {
  const u = new URL(issuer);
  return `${u.origin}/.well-known/ssf-configuration${u.pathname.replace(/\/$/, '')}`;
}

/**
 * `--jwks`: {jwks, issuer?, from}. A URL may be a jwks_uri, a discovery document or an
 * issuer; keys found through discovery belong to its issuer, which the SET must then name.
 */
async function loadJwks(value) {
  if (!/^https?:\/\//i.test(value)) {
    return { jwks: publicSet(parseKeyDoc(jsonOrFile(value, 'JWKS'), `the keys ${value}`), `the keys ${value}`), from: value };
  }
  let doc;
  let first = null;
  try {
    doc = await getJson(value);
  } catch (e) {
    first = e;
  }
  if (!(doc && (Array.isArray(doc.keys) || typeof doc.jwks_uri === 'string')) && !value.includes('/.well-known/')) {
    const disc = discoveryUrl(value);
    try {
      doc = await getJson(disc);
    } catch (e) {
      throw new UsageError(`${first ? first.message : `${value} is not a JWK Set or SSF configuration`}; nor is ${value} an SSF issuer: ${e.message}`);
    }
  } else if (first) {
    throw first;
  }
  if (typeof doc.jwks_uri === 'string' && !Array.isArray(doc.keys)) {
    if (typeof doc.issuer !== 'string') throw new UsageError(`the SSF configuration of ${value} names no issuer`);
    const keys = await getJson(doc.jwks_uri);
    if (!Array.isArray(keys.keys)) throw new UsageError(`${doc.jwks_uri} is not a JWK Set`);
    return { jwks: publicSet(keys, doc.jwks_uri), issuer: doc.issuer, from: `${doc.jwks_uri} (issuer ${doc.issuer})` };
  }
  if (!Array.isArray(doc.keys)) throw new UsageError(`${value} is not a JWK Set`);
  return { jwks: publicSet(doc, value), from: value };
}

function number(flags, name) {
  if (flags[name] === undefined) return undefined;
  const n = Number(flags[name]);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number`);
  return n;
}

function expectations(flags) {
  const o = {};
  if (flags.issuer !== undefined) o.issuer = flags.issuer;
  if (flags.audience !== undefined) o.audience = flags.audience;
  if (flags.alg !== undefined) o.algorithms = flags.alg.split(',').map((s) => s.trim()).filter(Boolean);
  if (flags.profile !== undefined) o.profile = flags.profile;
  const maxAge = number(flags, 'max-age');
  if (maxAge !== undefined) o.maxAge = maxAge;
  const skew = number(flags, 'clock-skew');
  if (skew !== undefined) o.clockSkew = skew;
  const now = number(flags, 'now');
  if (now !== undefined) o.now = now;
  return o;
}

function printExplained(result, out) {
  const line = (s = '') => out.push(s);
  line(`header   ${JSON.stringify(result.header)}`);
  const c = result.claims;
  for (const name of ['iss', 'jti', 'iat', 'aud', 'txn', 'toe']) {
    if (c[name] === undefined) continue;
    let v = JSON.stringify(c[name]);
    if ((name === 'iat' || name === 'toe') && typeof c[name] === 'number') {
      v += `  (${new Date(c[name] * 1000).toISOString()})`;
    }
    line(`${name.padEnd(8)} ${v}`);
  }
  line(`subject  ${result.subject ? JSON.stringify(result.subject) : '(none)'}`);
  for (const e of result.events) {
    const title = e.title ? `${e.title} (${e.profile})` : 'unknown event type';
    line(`event    ${title}`);
    line(`         ${e.uri}`);
    for (const [k, v] of Object.entries(e.fields)) line(`           ${k}: ${JSON.stringify(v)}`);
  }
  if (result.issues) {
    if (result.issues.length === 0) line('issues   none');
    for (const i of result.issues) {
      line(`${i.severity.padEnd(8)} ${i.code}: ${i.message}${i.path ? `  [${i.path}]` : ''}`);
    }
  }
}

// ---- emit: an event for a node to originate ------------------------------------------------

// The member holding the value of each registered subject format (RFC 9493, SSF 1.0).
const SUBJECT_MEMBER = {
  email: 'email', phone_number: 'phone_number', opaque: 'id', account: 'uri', uri: 'uri',
  did: 'url',
};

function subjectArg(value) {
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--subject is not JSON: ${e.message}`);
    }
  }
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError('--subject is format:value (email:alice@example.com) or JSON');
  const format = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (format === 'iss_sub') {
    const bar = rest.lastIndexOf('|');
    if (bar <= 0) throw new UsageError('--subject iss_sub:<issuer>|<sub>');
    return { format, iss: rest.slice(0, bar), sub: rest.slice(bar + 1) };
  }
  const member = SUBJECT_MEMBER[format];
  if (!member) {
    throw new UsageError(`--subject: no shorthand for format ${JSON.stringify(format)} (give JSON, or one of ${Object.keys(SUBJECT_MEMBER).join(', ')}, iss_sub)`);
  }
  // did and account values contain colons themselves: everything after the first is the value.
  const v = format === 'did' ? `did:${rest}` : format === 'account' && !rest.startsWith('acct:') ? `acct:${rest}` : rest;
  return { format, [member]: v };
}

function eventType(value) {
  const catalog = api.eventCatalog();
  const t = catalog.find((e) => e.uri === value || e.name === value);
  if (!t) throw new UsageError(`--event ${value}: not an event type name or URI of the catalogue (see: shared-signals catalog)`);
  return t;
}

function fieldValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function eventClaims(type, fields = []) {
  const claims = {};
  for (const f of fields) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`--field ${f}: give name=value`);
    const name = f.slice(0, eq);
    const value = fieldValue(f.slice(eq + 1));
    const dot = name.indexOf('.');
    if (dot > 0) {
      const outer = name.slice(0, dot);
      if (claims[outer] !== undefined && (typeof claims[outer] !== 'object' || claims[outer] === null)) {
        throw new UsageError(`--field ${name}: ${outer} is already a value`);
      }
      (claims[outer] ??= {})[name.slice(dot + 1)] = value;
    } else {
      claims[name] = value;
    }
  }
  if (type.profile === 'caep' && claims.event_timestamp === undefined) {
    claims.event_timestamp = Math.floor(Date.now() / 1000);
  }
  return claims;
}

async function emitEvent(flags) {
  for (const f of ['url', 'token', 'event', 'subject']) {
    if (flags[f] === undefined) throw new UsageError(`emit needs --${f}`);
  }
  const type = eventType(flags.event);
  const body = { sub_id: subjectArg(flags.subject), events: { [type.uri]: eventClaims(type, flags.field) } };
  if (flags.txn !== undefined) body.txn = flags.txn;
  const base = flags.url.replace(/\/+$/, '');
  const url = base.endsWith('/ssf/events') ? base : `${base}/ssf/events`;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${flags.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(30000),
    });
  } catch (e) {
    throw new UsageError(`POST ${url} failed: ${e.cause ? e.cause.code || e.cause.message : e.message}`);
  }
  const text = await res.text();
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  return { status: res.status, answer, body };
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${require('../package.json').version}\n`);
    return 0;
  }
  const { positional, flags } = parseArgs(rest);
  if (!command || flags.help) {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const out = [];
  let status = 0;
  switch (command) {
    case 'decode': {
      const result = api.decodeSet(tokenArg(positional), expectations(flags));
      if (flags.json) out.push(JSON.stringify(result, null, 2));
      else printExplained(result, out);
      if (result.issues.some((i) => i.severity === 'error')) status = 1;
      break;
    }
    case 'verify': {
      if (flags.jwks === undefined) throw new UsageError('verify needs --jwks <file|url|json>');
      const keys = await loadJwks(flags.jwks);
      const token = tokenArg(positional);
      const opts = { jwks: keys.jwks, ...expectations(flags) };
      // Keys from an issuer's discovery are that issuer's: a SET naming another issuer is
      // not made valid by them.
      if (opts.issuer === undefined && keys.issuer !== undefined) opts.issuer = keys.issuer;
      const unchecked = ['issuer', 'audience'].filter((n) => opts[n] === undefined);
      try {
        const result = api.verifySet(token, opts);
        if (flags.json) out.push(JSON.stringify({ valid: true, unchecked, ...result }, null, 2));
        else {
          out.push(unchecked.length ? `valid, but ${unchecked.join(' and ')} not checked (give ${unchecked.map((n) => `--${n}`).join(' and ')})` : 'valid');
          out.push(`keys     ${keys.from}`);
          if (opts.issuer !== undefined) out.push(`checked  issuer ${opts.issuer}${flags.issuer === undefined ? ' (from the discovery document)' : ''}`);
          if (opts.audience !== undefined) out.push(`checked  audience ${opts.audience}`);
          printExplained(result, out);
        }
      } catch (e) {
        if (!(e instanceof api.SetError)) throw e;
        status = 1;
        if (flags.json) {
          out.push(JSON.stringify({ valid: false, code: e.code, reason: e.reason, message: e.message, unchecked }, null, 2));
        } else {
          out.push(`invalid: ${e.message}`);
          out.push(`code     ${e.code}`);
          out.push(`reason   ${e.reason}`);
        }
      }
      break;
    }
    case 'sign': {
      if (flags.key === undefined) throw new UsageError('sign needs --key <file|json>');
      const key = signingKey(flags.key);
      const src = positional[0];
      const text = src === undefined || src === '-' ? readStdin() : jsonOrFile(src, 'claims');
      let claims;
      try {
        claims = JSON.parse(text);
      } catch (e) {
        throw new UsageError(`the claims are not JSON: ${e.message}`);
      }
      const options = { jwk: key };
      if (flags.alg !== undefined) options.alg = flags.alg;
      if (flags.kid !== undefined) options.kid = flags.kid;
      if (flags.profile !== undefined) options.profile = flags.profile;
      out.push(api.signSet(claims, options));
      break;
    }
    case 'keygen': {
      out.push(JSON.stringify(api.generateKey(positional[0] || 'ES256'), null, 2));
      break;
    }
    case 'catalog': {
      const catalog = api.eventCatalog();
      if (flags.json) out.push(JSON.stringify(catalog, null, 2));
      else for (const t of catalog) out.push(`${t.profile.padEnd(5)} ${t.title.padEnd(36)} ${t.uri}`);
      break;
    }
    case 'emit': {
      const { status: http, answer, body } = await emitEvent(flags);
      if (http === 202 && answer && answer.sets) {
        if (flags.json) out.push(JSON.stringify(answer, null, 2));
        else {
          const n = Object.keys(answer.sets).length;
          out.push(`accepted: ${Object.keys(body.events)[0]} about ${JSON.stringify(body.sub_id)}`);
          out.push(`${n} stream${n === 1 ? '' : 's'}${n ? ':' : ''}`);
          for (const [id, jti] of Object.entries(answer.sets)) out.push(`  ${id}  jti ${jti}`);
          for (const [id, why] of Object.entries(answer.refused || {})) out.push(`  ${id}  refused: ${why}`);
        }
      } else {
        status = 1;
        const why = answer && answer.description ? `${answer.err}: ${answer.description}` : `HTTP ${http}`;
        if (flags.json) out.push(JSON.stringify({ status: http, ...(answer || {}) }, null, 2));
        else out.push(`refused (HTTP ${http}) ${why}`);
      }
      break;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return status;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`shared-signals: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (e instanceof api.SetError || e instanceof TypeError) {
      process.stderr.write(`shared-signals: ${e.message}${e.reason ? ` (${e.code}/${e.reason})` : ''}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`shared-signals: ${e && e.stack ? e.stack : e}\n`);
      process.exitCode = 1;
    }
  },
);
