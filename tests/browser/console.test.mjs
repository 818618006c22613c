// The operator console (/console/, DESIGN section 12) in Chromium against the real worker:
// the worker built for the other tests runs in workerd through Miniflare
// (tests/worker/harness.mjs; `make dev` cannot be driven from here), behind a small Node
// server that serves www/dist as the worker's static assets would, with the console's CSP
// from www/src/_headers, and hands every other path to the worker. The test pushes
// accepted and rejected SETs, then reads them back through the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, DIST, launch, openPage, shot } from './harness.mjs';
import { startWorker, Upstream, ALICE, BOB } from '../worker/harness.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm' };

/** The CSP `_headers` gives /console/* (the test fails if the rule is gone). */
function consoleCsp() {
  const lines = fs.readFileSync(path.join(DIST, '_headers'), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.trim() === '/console/*');
  assert.ok(at >= 0, '_headers has a /console/* rule');
  const csp = lines.slice(at + 1).find((l) => l.trim().startsWith('Content-Security-Policy:'));
  return csp.split(':').slice(1).join(':').trim();
}

let w;
let site;
let browser;
let alice;
let bobStream;
const pushed = { accepted: [], rejected: [] };

async function startSite(worker) {
  const csp = consoleCsp();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.normalize(path.join(DIST, decodeURIComponent(url.pathname)));
    if (file.startsWith(DIST) && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (file.startsWith(DIST) && fs.existsSync(file) && !url.pathname.startsWith('/ssf/')) {
      const headers = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' };
      if (url.pathname.startsWith('/console/')) headers['content-security-policy'] = csp;
      res.writeHead(200, headers).end(fs.readFileSync(file));
      return;
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = { ...req.headers };
    delete headers.host;
    const r = await worker.mf.dispatchFetch(`http://ssf.test${req.url}`, {
      method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

before(async () => {
  w = await startWorker();
  site = await startSite(w);
  browser = await launch();
  const up = await Upstream.create();
  alice = await w.createStream({ source: up.source(), description: 'alice production' });
  bobStream = await w.createStream({ source: up.source(), description: 'bob stream' }, BOB);
  for (let i = 0; i < 3; i++) {
    const set = await up.sign();
    pushed.accepted.push(set);
    assert.equal((await w.push(alice, set)).status, 202);
  }
  const wrongAud = await up.sign({ claims: { aud: 'https://other.example.com' } });
  const wrongIss = await up.sign({ claims: { iss: 'https://impostor.example.com' } });
  for (const set of [wrongAud, wrongIss]) {
    pushed.rejected.push(set);
    assert.equal((await w.push(alice, set)).status, 400);
  }
  assert.equal((await w.push(alice, await up.sign(), { authorization: 'Bearer nope' })).status, 401);
});

after(async () => {
  await browser?.close();
  site?.server.close();
  await w?.stop();
});

const rows = (page) => page.$$eval('[data-testid="activity"] tbody tr', (trs) => trs.map((t) => t.dataset.kind));

test('paste a token, see only your streams, their health, activity and chart; filter by kind', async () => {
  const { page, requests, errors } = await openPage(browser, `${site.url}/console/`);
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
  fs.copyFileSync(file, path.join(ROOT, 'www', 'console-screenshot.png'));

  // The token: in sessionStorage only, sent only to this origin, in the Authorization header.
  const stored = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage) }));
  assert.match(stored.session, new RegExp(ALICE));
  assert.doesNotMatch(stored.local, new RegExp(ALICE));
  for (const r of requests) {
    assert.ok(r.url.startsWith(`${site.url}/`), `request outside the origin: ${r.url}`);
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
  const { page, context } = await openPage(browser, `${site.url}/console/`);
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
  await fresh.goto(`${site.url}/console/`);
  assert.equal(await fresh.getByTestId('console-token').inputValue(), '');
  await context.close();
});
