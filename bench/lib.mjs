// Shared helpers of the Node benchmarks: keys, the typical SET, and an interleaved timer.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const NOW = 1_700_000_000;
export const ISS = 'https://idp.example.com/';
export const AUD = 'https://sp.example.com/caep';
export const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

/** The same typical SET as core/benches/set.rs (CAEP session-revoked, email subject). */
export function claims(overrides = {}) {
  return {
    iss: ISS,
    jti: '756E69717565206964656E746966696572',
    iat: NOW,
    aud: AUD,
    txn: '8675309',
    sub_id: { format: 'email', email: 'alice@example.com' },
    events: {
      [SESSION_REVOKED]: {
        event_timestamp: 1699999990,
        initiating_entity: 'policy',
        reason_admin: { en: 'Landspeed Policy Violation: C076E82F' },
        reason_user: {
          en: 'Access attempt from multiple regions.',
          'es-410': 'Intento de acceso desde varias regiones.',
        },
      },
    },
    ...overrides,
  };
}

/** The fixed test keys of core/tests/data as private and public JWKs. */
export function keys() {
  const read = (f) => readFileSync(path.join(ROOT, 'core/tests/data', f), 'utf8');
  const make = (file, alg, kid) => {
    const priv = createPrivateKey(read(file)).export({ format: 'jwk' });
    const pub = { ...priv };
    for (const k of ['d', 'p', 'q', 'dp', 'dq', 'qi']) delete pub[k];
    return { alg, kid, privateJwk: { ...priv, kid, alg }, publicJwk: { ...pub, kid, alg, use: 'sig' } };
  };
  return {
    ES256: make('p256.pem', 'ES256', 'ec-1'),
    RS256: make('rsa2048.pem', 'RS256', 'rsa-1'),
    PS256: make('rsa2048.pem', 'PS256', 'rsa-pss-1'),
  };
}

/** Runs `fn` (sync or async) in a loop for about `ms` milliseconds; returns ops/s. */
export async function rate(fn, ms, isAsync) {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let n = 0;
  let now = start;
  while (now < deadline) {
    // Batches of 16 keep the clock reads out of the measurement.
    if (isAsync) {
      for (let i = 0; i < 16; i++) await fn();
    } else {
      for (let i = 0; i < 16; i++) fn();
    }
    n += 16;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Measures several contenders in interleaved rounds (A B C A B C ...), so that drift of a
 * shared machine hits all of them alike; returns the median ops/s of each.
 */
export async function compare(contenders, { rounds = 5, ms = 300, warmupMs = 200 } = {}) {
  for (const c of contenders) await rate(c.fn, warmupMs, c.async);
  const seen = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) seen[c.name].push(await rate(c.fn, ms, c.async));
  }
  return Object.fromEntries(contenders.map((c) => [c.name, median(seen[c.name])]));
}
