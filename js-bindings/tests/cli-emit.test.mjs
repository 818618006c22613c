// `shared-signals emit`: an operator fires a test event at the real worker (workerd) without
// writing JSON by hand; the SET that reaches the stream carries what the flags said.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPeer, EV, jtiOf, harness } from './worker-peer.mjs';
import { cli } from './helpers.mjs';

const EMITTER = 'cli-emitter-token';

let peer;
let revokedStream;
let changeStream;
before(async () => {
  peer = await startPeer({ SSF_EMITTER_TOKENS: JSON.stringify([EMITTER]) });
  revokedStream = await peer.createStream({ source: undefined });
  changeStream = await peer.createStream({ source: undefined, events_requested: [EV.credentialChange] });
});
after(async () => { await peer?.stop(); });

const poll = async (cfg) => {
  const r = await peer.call('POST', cfg.delivery.endpoint_url, { body: { returnImmediately: true } });
  assert.equal(r.status, 200, r.text);
  return Object.values(r.json.sets);
};

test('emit by name with a shorthand subject, nested and typed fields, and a txn', async () => {
  const r = await cli(['emit', '--url', peer.base, '--token', EMITTER, '--event', 'session-revoked',
    '--subject', 'email:alice@example.com', '--field', 'reason_admin.en=Laptop stolen', '--field', 'initiating_entity=admin',
    '--txn', 'ticket-77']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`${revokedStream.stream_id}  jti [0-9a-f]{32}`));
  assert.doesNotMatch(r.stdout, new RegExp(changeStream.stream_id));
  const [set] = await poll(revokedStream);
  assert.ok(r.stdout.includes(jtiOf(set)), 'the printed jti is the SET delivered');
  const claims = harness.decodeClaims(set);
  assert.deepEqual(claims.sub_id, { format: 'email', email: 'alice@example.com' });
  const ev = claims.events[EV.sessionRevoked];
  assert.deepEqual(ev.reason_admin, { en: 'Laptop stolen' });
  assert.equal(ev.initiating_entity, 'admin');
  assert.equal(typeof ev.event_timestamp, 'number', 'CAEP events get event_timestamp');
  assert.equal(claims.txn, 'ticket-77');
});

test('emit by URI with an iss_sub subject, --json output', async () => {
  const r = await cli(['emit', '--url', `${peer.base}/`, '--token', EMITTER, '--event', EV.credentialChange,
    '--subject', 'iss_sub:https://idp.example.com/|user-1', '--field', 'credential_type=password', '--field', 'change_type=update', '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const answer = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(answer.sets), [changeStream.stream_id], 'only the stream taking credential-change');
  const [set] = await poll(changeStream);
  assert.deepEqual(harness.decodeClaims(set).sub_id, { format: 'iss_sub', iss: 'https://idp.example.com/', sub: 'user-1' });
});

test('what the node refuses is exit status 1 with its reason; bad flags are usage errors', async () => {
  const bad = await cli(['emit', '--url', peer.base, '--token', EMITTER, '--event', 'credential-change',
    '--subject', 'email:alice@example.com', '--field', 'credential_type=password', '--field', 'change_type=destroy']);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /refused \(HTTP 400\) invalid_request: .*change_type/);
  const denied = await cli(['emit', '--url', peer.base, '--token', 'wrong', '--event', 'session-revoked', '--subject', 'email:a@b.c']);
  assert.equal(denied.code, 1);
  assert.match(denied.stdout, /HTTP 401/);
  assert.doesNotMatch(denied.stdout + denied.stderr, /wrong/, 'the token is not echoed');
  for (const args of [
    ['--event', 'no-such-event', '--subject', 'email:a@b.c'],
    ['--event', 'session-revoked', '--subject', 'nonsense'],
    ['--event', 'session-revoked'],
  ]) {
    const r = await cli(['emit', '--url', peer.base, '--token', EMITTER, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.deepEqual(await poll(revokedStream), [], 'nothing was queued by the refused ones');
});
