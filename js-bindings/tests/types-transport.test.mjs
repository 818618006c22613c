// The transport declarations (index.d.ts / index.d.mts) type-check a sample using every
// export of DESIGN.md section 13, as ES module and CommonJS, and reject misuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(process.cwd(), 'types-transport');

const ESM_SAMPLE = `
import {
  createRemoteJwks, verifySetAsync, receivePush, nodePushHandler, pushSet, PushError,
  PollClient, SsfClient, SsfError, JwksError, SetError,
} from 'shared-signals';
import type {
  RemoteJwks, PushReceiverOptions, VerifiedSet, StreamConfiguration, TransmitterMetadata,
  PushErrorCode, SsfErrorCode, JwksErrorCode, StreamStatusResult,
} from 'shared-signals';
import http from 'node:http';

const jwks: RemoteJwks = createRemoteJwks('https://idp.example.com/jwks.json', { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 5_000, fetch });
const set: VerifiedSet = await verifySetAsync('t', { jwks, issuer: 'https://idp.example.com/' });
const options: PushReceiverOptions = {
  jwks, issuer: 'https://idp.example.com/', audience: 'https://rp.example.com/',
  authorizationHeader: 'Bearer x', maxBytes: 65536,
  onSet: async (s, ctx) => { const j: string = ctx.jti; void [s.claims, j]; },
};
const res: Response = await receivePush(new Request('https://rp.example.com/ssf', { method: 'POST' }), options);
http.createServer(nodePushHandler(options)).listen(0);

const pushed: { status: number } = await pushSet('https://rp.example.com/ssf', 't', { authorizationHeader: 'Bearer x', timeoutMs: 1000, retries: 2 });
try { await pushSet(new URL('https://rp.example.com/ssf'), 't'); } catch (e) {
  if (e instanceof PushError) { const c: PushErrorCode = e.code; const s: number | null = e.status; const r: boolean = e.retryable; void [c, s, r, e.err, e.description]; }
}

const ac = new AbortController();
await new PollClient({ endpoint: 'https://tr.example.com/poll', token: 't', maxEvents: 10, longPoll: true, verify: { jwks, issuer: 'x' } })
  .run(async (s, ctx) => { void [s, ctx.jti, ctx.token]; }, { signal: ac.signal });
new PollClient({ endpoint: 'https://tr.example.com/poll', getToken: async () => 't' });

const ssf = new SsfClient({ issuer: 'https://tr.example.com', token: 't' });
const meta: TransmitterMetadata = await ssf.metadata();
const cfg: StreamConfiguration = await ssf.createStream({ events_requested: ['x'] });
const list: StreamConfiguration[] = await ssf.listStreams();
await ssf.getStream(cfg.stream_id);
await ssf.updateStream(cfg.stream_id, { description: 'd' });
await ssf.replaceStream(cfg.stream_id, {});
const st: StreamStatusResult = await ssf.setStatus(cfg.stream_id, 'paused', { reason: 'r' });
await ssf.getStatus(cfg.stream_id);
await ssf.addSubject(cfg.stream_id, { format: 'email', email: 'a@b.c' }, { verified: true });
await ssf.removeSubject(cfg.stream_id, { format: 'email', email: 'a@b.c' });
await ssf.requestVerification(cfg.stream_id, { state: 's' });
await ssf.deleteStream(cfg.stream_id);
new SsfClient({ configurationUrl: 'https://tr.example.com/.well-known/ssf-configuration', getToken: () => 't' });
try { await ssf.metadata(); } catch (e) {
  if (e instanceof SsfError) { const c: SsfErrorCode = e.code; const s: number | null = e.status; void [c, s, e.description]; }
  if (e instanceof JwksError) { const c: JwksErrorCode = e.code; void c; }
  if (e instanceof SetError) { void e.reason; }
}

// Misuse the types must catch.
// @ts-expect-error onSet is required
receivePush(new Request('https://x/'), { jwks });
// @ts-expect-error a token or getToken is required
new PollClient({ endpoint: 'https://x/' });
// @ts-expect-error not a stream status
ssf.setStatus('id', 'sleeping');
// @ts-expect-error retries is a number
pushSet('https://x/', 't', { retries: 'twice' });
// @ts-expect-error an issuer or configurationUrl is required
new SsfClient({ token: 't' });

void [set, res, pushed, meta, list, st];
export {};
`;

const CJS_SAMPLE = `
import ssf = require('shared-signals');
const jwks: ssf.RemoteJwks = ssf.createRemoteJwks('https://idp.example.com/jwks.json');
const handler = ssf.nodePushHandler({ jwks, onSet: () => {} });
const client = new ssf.PollClient({ endpoint: 'https://tr.example.com/poll', token: 't' });
const e: ssf.PushError | ssf.SsfError = new ssf.SsfError('not_found', 'gone');
void [handler, client, e];
`;

test('tsc accepts the transport samples (ES module and CommonJS) and rejects misuse', () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const files = [['sample.mts', ESM_SAMPLE], ['sample.cts', CJS_SAMPLE]].map(([name, text]) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  });
  const tsc = path.join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');
  const flags = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022', '--types', 'node'];
  try {
    execFileSync(process.execPath, [tsc, ...flags, ...files], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
