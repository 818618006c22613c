// The operator console (/console/, DESIGN section 12) in Chromium against `make dev`'s worker
// (scripts/dev.sh: wrangler dev serving the built worker and www/dist as its static assets,
// with www/src/_headers applied). The test pushes accepted and rejected SETs to it, then reads
// them back through the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launch, openPage, shot } from './harness.mjs';
import { startDev, freePort, tempDir, Upstream, TOKENS, ALICE, BOB } from '../worker/harness.mjs';

let dev;
let state;
let base;
let browser;
let alice;
let bobStream;
const pushed = { accepted: [], rejected: [] };

async function call(method, p, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] ??= 'application/json';
  const r = await fetch(p.startsWith('http') ? p : base + p, {
    method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: text ? JSON.parse(text) : undefined };
}
const push = (cfg, set, authorization = cfg.push.authorization_header) =>
  call('POST', cfg.push.endpoint_url, { body: set, headers: { 'content-type': 'application/secevent+jwt', authorization } });

async function createStream(body, token) {
  const r = await call('POST', '/ssf/streams', { token, body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  const port = await freePort();
  state = tempDir('ssf-console-');
  base = `http://127.0.0.1:${port}`;
  dev = await startDev({ PORT: String(port), SSF_DEV_STATE: state, SSF_TOKENS: JSON.stringify(TOKENS) });
  browser = await launch();
  const up = await Upstream.create();
  alice = await createStream({ source: up.source(), description: 'alice production' }, ALICE);
  bobStream = await createStream({ source: up.source(), description: 'bob stream' }, BOB);
  for (let i = 0; i < 3; i++) {
    const set = await up.sign();
    pushed.accepted.push(set);
    assert.equal((await push(alice, set)).status, 202);
  }
  const wrongAud = await up.sign({ claims: { aud: 'https://other.example.com' } });
  const wrongIss = await up.sign({ claims: { iss: 'https://impostor.example.com' } });
  for (const set of [wrongAud, wrongIss]) {
    pushed.rejected.push(set);
    assert.equal((await push(alice, set)).status, 400);
  }
  assert.equal((await push(alice, await up.sign(), 'Bearer nope')).status, 401);
});

after(async () => {
  await browser?.close();
  await dev?.stop();
  if (state) fs.rmSync(state, { recursive: true, force: true });
});

test('the console is served with its own strict CSP', async () => {
  const r = await fetch(`${base}/console/`);
  assert.equal(r.status, 200);
  const csp = r.headers.get('content-security-policy') ?? '';
  assert.match(csp, /connect-src 'self'(;|,|$)/, csp);
  assert.doesNotMatch(await r.text(), /https?:\/\/(?!127)/, 'no external URL in the page');
});

const rows = (page) => page.$$eval('[data-testid="activity"] tbody tr', (trs) => trs.map((t) => t.dataset.kind));

test('paste a token, see only your streams, their health, activity and chart; filter by kind', async () => {
  const { page, requests, errors } = await openPage(browser, `${base}/console/`);
  await page.getByTestId('console-token').fill(ALICE);
  await page.click('#connect');
  await page.waitForSelector(`[data-testid="streams"] [data-stream="${alice.stream_id}"]`);
  const listed = await page.getByTestId('streams').innerText();
  assert.match(listed, /alice production/);
  assert.doesNotMatch(listed, new RegExp(bobStream.stream_id));

  await page.click(`[data-stream="${alice.stream_id}"]`);
  await page.waitForSelector('[data-testid="activity"] tbody tr');
  const health = await page.getByTestId('health').innerText();
  assert.match(health, /status\s+enabled/);
  assert.match(health, /queue depth\s+3/);
  assert.match(health, /oldest pending\s+\d+ s/);
  assert.match(health, /registration/);

  const kinds = await rows(page);
  assert.equal(kinds.filter((k) => k === 'push_accepted').length, 3, kinds.join());
  assert.equal(kinds.filter((k) => k === 'push_rejected').length, 2, kinds.join());
  const table = await page.getByTestId('activity').innerText();
  assert.match(table, /invalid_audience/);
  assert.match(table, /invalid_issuer/);

  const bars = await page.$$eval('[data-testid="activity-chart"] rect', (rs) => Object.fromEntries(rs.map((r) => [r.dataset.reason, Number(r.dataset.count)])));
  assert.equal(bars.authentication_failed, 1, JSON.stringify(bars));
  assert.equal(Object.values(bars).reduce((a, b) => a + b, 0), 3, JSON.stringify(bars));

  await page.selectOption('#kind', 'push_rejected');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="activity"] tbody tr')].every((t) => t.dataset.kind === 'push_rejected'));
  assert.deepEqual(await rows(page), ['push_rejected', 'push_rejected']);
  await page.selectOption('#kind', '');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="activity"] tbody tr').length === 5);

  const file = await shot(page, 'console', { fullPage: true });
  // The README's screenshot is refreshed only when asked (a test run leaves the tree as it was).
  if (process.env.SSF_UPDATE_SCREENSHOTS === '1') fs.copyFileSync(file, path.join(ROOT, 'www', 'console-screenshot.png'));

  // The token: in sessionStorage only, sent only to this origin, in the Authorization header.
  const stored = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage) }));
  assert.match(stored.session, new RegExp(ALICE));
  assert.doesNotMatch(stored.local, new RegExp(ALICE));
  for (const r of requests) {
    assert.ok(r.url.startsWith(`${base}/`), `request outside the origin: ${r.url}`);
    assert.ok(!r.url.includes(ALICE) && !r.body.includes(ALICE), 'the token in a URL or body');
  }
  assert.ok(requests.some((r) => r.headers.authorization === `Bearer ${ALICE}` && r.url.includes('/ssf/activity')));
  // The page never shows the SETs or the push credential.
  const whole = await page.content();
  for (const set of [...pushed.accepted, ...pushed.rejected]) assert.equal(whole.includes(set.split('.')[2]), false);
  assert.equal(whole.includes(alice.push.authorization_header.split(' ')[1]), false);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a wrong token is refused with a message; a reload keeps the token for the tab only', async () => {
  const { page, context } = await openPage(browser, `${base}/console/`);
  await page.getByTestId('console-token').fill('not-a-token');
  await page.click('#connect');
  await page.waitForFunction(() => /refused: 401/.test(document.getElementById('console-status').textContent));
  assert.equal(await page.$$eval('[data-testid="streams"] [data-stream]', (e) => e.length), 0);
  await page.getByTestId('console-token').fill(BOB);
  await page.click('#connect');
  await page.waitForSelector(`[data-stream="${bobStream.stream_id}"]`);
  await page.reload();
  await page.waitForSelector(`[data-stream="${bobStream.stream_id}"]`);
  assert.equal(await page.$$eval(`[data-stream="${alice.stream_id}"]`, (e) => e.length), 0);
  const fresh = await context.newPage();
  await fresh.goto(`${base}/console/`);
  assert.equal(await fresh.getByTestId('console-token').inputValue(), '');
  await context.close();
});
