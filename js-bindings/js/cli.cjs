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

  sign --key <file|json> [claims-file|-] [--alg <alg>] [--kid <kid>] [--profile ...]
      Sign a claims set (JSON; from stdin when absent or "-") and print the SET.
      The key is a private JWK or a PEM private key. iat and jti are filled if absent.

  keygen [alg]
      Print a new key pair {privateJwk, publicJwk} (default ES256).

  catalog [--json]
      List the event types known (SSF, CAEP, RISC).
`;

class UsageError extends Error {}

function parseArgs(argv) {
  const positional = [];
  const flags = {};
  const takesValue = new Set([
    'jwks', 'issuer', 'audience', 'alg', 'profile', 'max-age', 'clock-skew', 'now', 'key', 'kid',
  ]);
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

async function loadJwks(value) {
  if (/^https?:\/\//i.test(value)) {
    const res = await fetch(value, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new UsageError(`GET ${value}: HTTP ${res.status}`);
    return res.text();
  }
  return jsonOrFile(value, 'JWKS');
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

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
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
      const jwks = await loadJwks(flags.jwks);
      const token = tokenArg(positional);
      try {
        const result = api.verifySet(token, { jwks, ...expectations(flags) });
        if (flags.json) out.push(JSON.stringify({ valid: true, ...result }, null, 2));
        else {
          out.push('valid');
          printExplained(result, out);
        }
      } catch (e) {
        if (!(e instanceof api.SetError)) throw e;
        status = 1;
        if (flags.json) {
          out.push(JSON.stringify({ valid: false, code: e.code, reason: e.reason, message: e.message }, null, 2));
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
      const key = jsonOrFile(flags.key, 'key');
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
