// Browser tests of the SET inspector (www/dist) in Debian's Chromium via playwright-core.
// Run by scripts/test-www.sh. The vectors are read in place from ../shared/vectors (or
// SSF_VECTORS); what the page must show is what ssf-core says (js-bindings/pkg in Node), plus
// hand-checked facts about each vector.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, VECTORS, startStatic, startTransmitter, launch, openPage, paste, setJwks, shot, vector, vectorFiles } from './harness.mjs';

const require = createRequire(import.meta.url);
const ss = require(path.join(ROOT, 'js-bindings', 'pkg', 'dist', 'node.cjs'));

let site;
let transmitter;
let browser;
let main; // {page, requests, errors}: the page most tests share
const secrets = new Set(); // every token and token segment the browser was given

function remember(token) {
  secrets.add(token);
  const [h, p, s] = token.split('.');
  if (p && p.length > 16) secrets.add(p);
  if (s && s.length > 16) secrets.add(s);
  if (h && h.length > 16) secrets.add(`${h}.${p}`);
}

const text = (page, id) => page.getByTestId(id).innerText();

// The decoder's findings (verification adds its own, data-source="verification").
async function issueCodes(page) {
  return page.$$eval('[data-testid="issues"] li.issue[data-source="decode"]', (els) => els.map((e) => `${e.dataset.severity}:${e.dataset.code}`).sort());
}

async function verificationCodes(page) {
  return page.$$eval('[data-testid="issues"] li.issue[data-source="verification"]', (els) => els.map((e) => e.dataset.code));
}

async function verifyStatus(page) {
  await page.waitForTimeout(250);
  return page.getByTestId('verify-result').innerText();
}

before(async () => {
  assert.ok(fs.existsSync(path.join(ROOT, 'www', 'dist', 'index.html')), 'www/dist is built');
  assert.ok(fs.existsSync(VECTORS), `the vectors are at ${VECTORS}`);
  site = await startStatic();
  transmitter = await startTransmitter();
  browser = await launch();
  main = await openPage(browser, `${site.url}/`);
});

after(async () => {
  await browser?.close();
  site?.server.close();
  transmitter?.server.close();
});

test('the page is usable at once and the validator loads within a second or two', async () => {
  const { page, context } = await browser.newContext().then(async (context) => ({ context, page: await context.newPage() }));
  const t0 = Date.now();
  await page.goto(`${site.url}/`, { waitUntil: 'domcontentloaded' });
  const visible = Date.now() - t0;
  assert.ok(await page.getByTestId('token-input').isVisible());
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  const ready = Date.now() - t0;
  console.log(`# first load: input visible after ${visible} ms, validator ready after ${ready} ms`);
  assert.ok(visible < 1000, `input visible after ${visible} ms`);
  assert.ok(ready < 5000, `validator ready after ${ready} ms`);
  await context.close();
});

test('signed vectors: header, claims, events and issues as ssf-core explains them', async () => {
  const { page } = main;
  for (const file of vectorFiles('signed')) {
    const v = vector(file);
    remember(v.token);
    await paste(page, v.token);
    const expected = ss.decodeSet(v.token);
    const header = await text(page, 'header');
    for (const [k, val] of Object.entries(v.header || expected.header)) {
      assert.ok(header.includes(k) && header.includes(String(val)), `${file}: header shows ${k}`);
    }
    const claims = await text(page, 'claims');
    assert.ok(claims.includes(expected.claims.iss), `${file}: claims show iss`);
    assert.ok(claims.includes(expected.claims.jti), `${file}: claims show jti`);
    assert.match(claims, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/, `${file}: iat in UTC`);
    assert.match(claims, /ago/, `${file}: iat relative`);
    const events = await text(page, 'events');
    for (const e of expected.events) assert.ok(events.includes(e.title), `${file}: event ${e.title} named`);
    assert.deepEqual(await issueCodes(page), expected.issues.map((i) => `${i.severity}:${i.code}`).sort(), `${file}: issues`);
  }
});

test('signed vectors verify against their pasted JWKS; the wrong key fails with the reason', async () => {
  const { page } = main;
  await page.selectOption('#profile', 'ssf');
  const valid = vector('signed/duo-labs_es256_verification_valid.json');
  await paste(page, valid.token);
  await setJwks(page, JSON.stringify(valid.jwks));
  // Under SSF 1.0 this 2021 SET lacks sub_id: the signature holds, the SET does not.
  let out = await verifyStatus(page);
  assert.match(out, /Signature valid, but the SET is rejected/);
  assert.match(out, /sub_id_missing/);
  assert.match(out, /invalid_request/);
  await shot(page, 'verify-rejected-sub-id');
  // Under plain RFC 8417 it is valid.
  await page.selectOption('#profile', 'rfc8417');
  out = await verifyStatus(page);
  assert.match(out, /✓ Valid SET/);
  assert.match(out, /transmitter-ES256-001/);
  await shot(page, 'verify-success');

  const wrong = vector('signed/duo-labs_es256_verification_wrong_key_same_kid.json');
  await paste(page, wrong.token);
  await setJwks(page, JSON.stringify(wrong.jwks));
  out = await verifyStatus(page);
  assert.match(out, /signature does not check out/);
  assert.match(out, /bad_signature/);
  assert.match(out, /invalid_key/);
  await shot(page, 'verify-failure');

  const golden = vector('signed/i2goSignals_rs256_risc_account_disabled_golden.json');
  await paste(page, golden.token);
  await setJwks(page, JSON.stringify(golden.jwks));
  out = await verifyStatus(page);
  assert.match(out, /✓ Valid SET/);
  assert.match(await text(page, 'events'), /Account Disabled/);
  assert.match(await text(page, 'events'), /hijacking/);

  // A key of the wrong type and broken JSON: clear messages, the page keeps working.
  await setJwks(page, JSON.stringify(valid.jwks));
  out = await verifyStatus(page);
  assert.match(out, /✗/);
  await setJwks(page, '{"keys": [');
  out = await verifyStatus(page);
  assert.match(out, /Cannot use these keys/);
  assert.match(out, /not valid JSON/);
  await setJwks(page, '');
  await page.selectOption('#profile', 'ssf');
});

test('decode-only and unsecured vectors: every issue listed with severity and place', async () => {
  const { page } = main;
  const facts = {
    'decode-only/duo_polling_response_hs256_typ_JWT.json': ['error:alg_hmac', 'error:typ_wrong', 'warning:legacy_event_uri'],
    'decode-only/login_gov_risc_rs256.json': ['error:sub_id_missing', 'warning:legacy_event_subject', 'warning:legacy_subject_type'],
    'decode-only/rfc8935_push_example_hs256.json': ['error:alg_hmac', 'warning:legacy_event_subject'],
    'unsecured/rfc8417_fig1_scim_create_alg_none.json': ['error:alg_none'],
  };
  for (const file of [...vectorFiles('decode-only'), ...vectorFiles('unsecured')]) {
    const v = vector(file);
    if (!v.token) continue; // the poll response has its own test
    remember(v.token);
    await paste(page, v.token);
    const expected = ss.decodeSet(v.token);
    const codes = await issueCodes(page);
    assert.deepEqual(codes, expected.issues.map((i) => `${i.severity}:${i.code}`).sort(), `${file}: issues`);
    for (const f of facts[file] || []) assert.ok(codes.includes(f), `${file}: ${f}`);
    const issues = await text(page, 'issues');
    for (const i of expected.issues) assert.ok(issues.includes(i.message), `${file}: message of ${i.code}`);
    assert.match(issues, /ERROR/i);
    const events = await text(page, 'events');
    for (const e of expected.events) assert.ok(events.includes(e.title || e.uri), `${file}: event ${e.uri}`);
    if (file.includes('login_gov')) {
      await shot(page, 'issues-legacy-risc', { fullPage: true });
      const subject = await page.locator('#subject').innerText();
      assert.match(subject, /iss_sub/);
      assert.match(subject, /legacy/i);
    }
    if (file.includes('alg_none')) {
      await setJwks(page, JSON.stringify({ keys: [] }));
      assert.match(await verifyStatus(page), /alg_none|✗/);
      await setJwks(page, '');
    }
  }
});

test('JWS vectors that are not SETs: decoded where possible, rejected as SETs, errors shown', async () => {
  const { page } = main;
  for (const file of vectorFiles('jws')) {
    const v = vector(file);
    remember(v.token);
    await paste(page, v.token);
    let expected = null;
    try {
      expected = ss.decodeSet(v.token);
    } catch (e) {
      expected = { error: e };
    }
    await setJwks(page, JSON.stringify(v.jwks));
    const out = await verifyStatus(page);
    assert.match(out, /✗/, `${file}: not a valid SET`);
    // The failed verification is a problem too, unless the decoder already named its reason.
    let reason = null;
    try {
      ss.verifySet(v.token, { jwks: v.jwks });
    } catch (e) {
      reason = e.reason;
    }
    assert.ok(reason, `${file}: fails in Node too`);
    const decodeErrors = expected.error ? [] : expected.issues.filter((i) => i.severity === 'error').map((i) => i.code);
    assert.deepEqual(await verificationCodes(page), expected.error || decodeErrors.includes(reason) ? [] : [reason], `${file}: verification listed`);
    if (expected.error) {
      const issues = await text(page, 'issues');
      assert.ok(issues.includes(expected.error.message), `${file}: decode error shown`);
      assert.ok((await issueCodes(page)).includes(`error:${expected.error.reason}`));
    } else {
      assert.deepEqual(await issueCodes(page), expected.issues.map((i) => `${i.severity}:${i.code}`).sort(), `${file}`);
      assert.ok((await issueCodes(page)).includes('error:typ_missing'));
    }
  }
  await setJwks(page, '');
});

test('an RFC 8936 poll response: every SET listed, each one inspectable', async () => {
  const { page } = main;
  const v = vector('decode-only/rfc8936_poll_response_unsecured.json');
  for (const t of Object.values(v.poll_response.sets)) remember(t);
  await paste(page, JSON.stringify(v.poll_response, null, 2));
  assert.match(await page.locator('#input-kind').innerText(), /RFC 8936 poll response: 2 SETs/);
  const list = await page.locator('#set-list').innerText();
  for (const jti of Object.keys(v.poll_response.sets)) assert.ok(list.includes(jti), `lists ${jti}`);
  await shot(page, 'poll-response', { fullPage: true });
  const [jti1, jti2] = Object.keys(v.poll_response.sets);
  assert.ok((await text(page, 'claims')).includes(jti1));
  await page.locator(`#set-list button[data-index="1"]`).click();
  await page.waitForTimeout(150);
  assert.ok((await text(page, 'claims')).includes(jti2));
  const codes = await issueCodes(page);
  assert.ok(codes.includes('error:alg_none'));
  assert.ok(codes.includes('error:sub_present'));
  assert.ok(codes.includes('warning:multiple_events'));
  assert.equal(await page.locator('[data-testid="events"] article.event').count(), 2);

  // A saved poll response (wrapped in a fixture object) whose SET is a placeholder.
  const fixture = vector('ssf-json-fixtures/poll_response.json');
  await paste(page, JSON.stringify(fixture, null, 2));
  assert.match(await page.locator('#input-kind').innerText(), /poll response: 1 SET, more available/);
  assert.match(await text(page, 'header'), /RS256/); // the readable segment, shown as text
  const codes2 = await issueCodes(page);
  assert.equal(codes2.length, 1);
  assert.match(codes2[0], /^error:/);
  // A claims set is not a SET: the page says so and points at the builder.
  await paste(page, JSON.stringify({ iss: 'x', events: { 'urn:x': {} } }));
  assert.match(await text(page, 'issues'), /claims set, not a signed SET/);
});

test('an RFC 8935 push request pasted with its HTTP headers', async () => {
  const { page } = main;
  const v = vector('decode-only/rfc8935_push_example_hs256.json');
  const request = `POST /Events HTTP/1.1\nHost: notify.rp.example.com\nAccept: application/json\nContent-Type: application/secevent+jwt\n\n${v.token.replace(/(.{60})/g, '$1\n')}`;
  await paste(page, request);
  assert.match(await page.locator('#input-kind').innerText(), /RFC 8935 push request/);
  assert.match(await text(page, 'events'), /Account Disabled/);
  await paste(page, request.replace('application/secevent+jwt', 'application/jwt'));
  assert.match(await page.locator('#input-kind').innerText(), /requires application\/secevent\+jwt/);
});

test('invalid input shows its error without breaking the page', async () => {
  const { page, errors } = main;
  for (const bad of ['not a token at all', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30.', '{"sets": {"x": 5}}', '{"nope": 1', '....']) {
    await paste(page, bad);
    const issues = await text(page, 'issues');
    assert.match(issues, /ERROR/i, `error shown for ${bad}`);
  }
  await shot(page, 'invalid-token');
  const v = vector('signed/duo-labs_es256_verification_valid.json');
  await paste(page, v.token);
  assert.match(await text(page, 'events'), /Verification/);
  assert.deepEqual(errors.filter((e) => !/favicon/.test(e)), [], 'no script errors');
});

test('spec examples: each claims set, signed, shows its events by name and its subject by format', async () => {
  const { page } = main;
  const { privateJwk } = ss.generateKey('ES256');
  const catalog = new Map(ss.eventCatalog().map((e) => [e.uri, e]));
  let n = 0;
  for (const file of vectorFiles('spec-examples')) {
    const x = vector(file);
    let claims;
    if (x.kind === 'set_claims') claims = x.value;
    else if (x.kind === 'json' && x.value && typeof x.value.format === 'string') {
      claims = { iss: 'https://tx.example.com', aud: 'https://rx.example.com', sub_id: x.value, events: { 'https://schemas.openid.net/secevent/ssf/event-type/verification': {} } };
    } else {
      console.log(`# not a claims set or subject identifier (a fragment such as reason_admin or spec_urn): ${file}`);
      continue;
    }
    const token = ss.signSet(claims, { jwk: privateJwk, profile: 'rfc8417' });
    remember(token);
    await paste(page, token);
    const events = await text(page, 'events');
    for (const uri of Object.keys(claims.events)) {
      const entry = catalog.get(uri);
      assert.ok(events.includes(entry ? entry.title : uri), `${file}: ${uri}`);
    }
    const subject = claims.sub_id;
    if (subject) {
      const shown = await page.locator('#subject').innerText();
      assert.ok(shown.includes(subject.format), `${file}: subject format ${subject.format}`);
      if (subject.format === 'complex') {
        for (const member of Object.keys(subject).filter((k) => k !== 'format')) assert.ok(shown.includes(member), `${file}: member ${member}`);
      }
    }
    n++;
  }
  assert.ok(n >= 30, `checked ${n} examples`);
});

test('fetching keys from a jwks_uri, an SSF issuer and an issuer with a path; the token never goes out', async () => {
  const { page } = main;
  const { privateJwk, publicJwk } = ss.generateKey('ES256');
  transmitter.keys = { keys: [publicJwk] };
  const token = ss.signSet(
    { iss: transmitter.url, aud: 'https://rx.example.com', sub_id: { format: 'email', email: 'a@example.com' }, events: { 'https://schemas.openid.net/secevent/caep/event-type/session-revoked': { event_timestamp: 1700000000 } } },
    { jwk: privateJwk },
  );
  remember(token);
  await paste(page, token);
  for (const [url, via] of [
    [`${transmitter.url}/jwks.json`, /Fetched 1 key from http/],
    [transmitter.url, /SSF configuration of/],
    [`${transmitter.url}/tenant1`, /tenant1\/keys/],
    [`${transmitter.url}/.well-known/ssf-configuration`, /SSF configuration of/],
  ]) {
    await setJwks(page, '');
    await page.locator('#jwks-url').fill(url);
    await page.locator('#fetch-keys').click();
    await page.waitForFunction(() => !/Fetching/.test(document.getElementById('fetch-status').textContent));
    const status = await page.locator('#fetch-status').innerText();
    assert.match(status, via, `${url}: ${status}`);
    assert.match(await verifyStatus(page), /✓ Valid SET/, url);
  }
  await shot(page, 'verify-fetched-discovery');
  await setJwks(page, '');
  await page.locator('#jwks-url').fill(`${transmitter.url}/no-cors.json`);
  await page.locator('#fetch-keys').click();
  await page.waitForFunction(() => !/Fetching/.test(document.getElementById('fetch-status').textContent));
  assert.match(await page.locator('#fetch-status').innerText(), /Could not fetch keys.*CORS/s);
  // What the transmitter saw: GETs of its documents, nothing of the token.
  assert.ok(transmitter.requests.length >= 5);
  for (const r of transmitter.requests) {
    assert.ok(['GET', 'OPTIONS'].includes(r.method), r.method);
    const all = `${r.url} ${JSON.stringify(r.headers)} ${r.body}`;
    for (const s of secrets) assert.ok(!all.includes(s), `request ${r.url} carries token material`);
    assert.ok(!r.headers.referer, 'no referrer');
    assert.ok(!r.headers.cookie, 'no cookie');
  }
  await page.locator('#jwks-url').fill('');
});

test('build and sign from the catalogue, then inspect and verify the result (keyboard only)', async () => {
  const { page } = main;
  await page.locator('#tab-inspect').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('html[data-builder="ready"]');
  assert.equal(await page.locator('#tab-build').getAttribute('aria-selected'), 'true');
  assert.ok(await page.locator('#panel-build').isVisible());
  assert.ok(!(await page.locator('#panel-inspect').isVisible()));
  const catalog = ss.eventCatalog();
  const cc = catalog.find((e) => e.name === 'credential-change');
  await page.selectOption('#b-event', cc.uri);
  await page.selectOption('#bf-change_type', 'revoke');
  await page.locator('#bf-credential_type').fill('fido2-roaming');
  await page.locator('#bf-friendly_name').fill('Jane’s key');
  await page.locator('#bf-reason_admin').fill('en: Key reported lost\nde: Schlüssel verloren');
  await page.selectOption('#b-format', 'complex');
  await page.selectOption('#b-alg', 'ES256');
  await page.locator('#b-generate').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('b-key').value.includes('"d"'));
  assert.ok(!(await page.locator('#b-public').inputValue()).includes('"d"'), 'public JWKS has no private member');
  await page.locator('#b-sign').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#b-result:not([hidden])');
  const token = await page.locator('#b-token').inputValue();
  remember(token);
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const curl = await page.locator('#b-curl').inputValue();
  assert.ok(curl.includes(token));
  assert.match(curl, /Content-Type: application\/secevent\+jwt/);
  await page.locator('#b-auth').fill('Bearer abc');
  assert.match(await page.locator('#b-curl').inputValue(), /Authorization: Bearer abc/);
  await page.setViewportSize({ width: 1360, height: 1250 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'builder');
  await page.setViewportSize({ width: 1360, height: 900 });
  // Node agrees the token is a valid SSF SET.
  const verified = ss.verifySet(token, { jwks: await page.locator('#b-public').inputValue() });
  assert.equal(verified.events[0].name, 'credential-change');
  assert.equal(verified.subject.format, 'complex');
  await page.locator('#b-inspect').click();
  assert.equal(await page.locator('#tab-inspect').getAttribute('aria-selected'), 'true');
  await page.waitForFunction(() => /Credential Change/.test(document.querySelector('[data-testid="events"]').textContent));
  assert.match(await verifyStatus(page), /✓ Valid SET/);
  const events = await text(page, 'events');
  assert.match(events, /fido2-roaming/);
  assert.match(events, /Schlüssel verloren/);
  await shot(page, 'decoded-set', { fullPage: true });
});

test('the URL fragment restores the same view; nothing is put in the query string', async () => {
  const { page } = main;
  const golden = vector('signed/i2goSignals_rs256_risc_account_disabled_golden.json');
  await paste(page, golden.token);
  await setJwks(page, JSON.stringify(golden.jwks));
  await page.selectOption('#profile', 'rfc8417');
  await page.waitForTimeout(400);
  const url = page.url();
  assert.equal(new URL(url).search, '', 'no query string');
  assert.ok(new URL(url).hash.length > 100, 'state in the fragment');
  const before = {};
  for (const id of ['header', 'claims', 'events', 'issues', 'verify-result']) before[id] = await text(page, id);
  const other = await openPage(browser, url);
  await other.page.waitForFunction(() => document.querySelector('[data-testid="events"]').textContent.length > 0);
  await other.page.waitForTimeout(300);
  for (const id of Object.keys(before)) {
    assert.equal((await text(other.page, id)).replace(/\d+ (seconds?|minutes?) ago/g, ''), before[id].replace(/\d+ (seconds?|minutes?) ago/g, ''), id);
  }
  assert.equal(await other.page.locator('#profile').inputValue(), 'rfc8417');
  assert.match(await text(other.page, 'verify-result'), /✓ Valid SET/);
  // A poll response with the second SET selected.
  const poll = vector('decode-only/rfc8936_poll_response_unsecured.json');
  await paste(other.page, JSON.stringify(poll.poll_response));
  await other.page.locator('#set-list button[data-index="1"]').click();
  await other.page.waitForTimeout(400);
  const third = await openPage(browser, other.page.url());
  await third.page.waitForSelector('#set-list button[data-index="1"]');
  assert.equal(await third.page.locator('#set-list tr[aria-current="true"] button').getAttribute('data-index'), '1');
  assert.equal(await text(third.page, 'claims'), await text(other.page, 'claims'));
  await other.context.close();
  await third.context.close();
  await page.selectOption('#profile', 'ssf');
});

test('dark mode: follows the system and the manual toggle; screenshots of both', async () => {
  const dark = await openPage(browser, `${site.url}/`, { colorScheme: 'dark' });
  await dark.page.locator('#example').click();
  await dark.page.waitForFunction(() => /Credential Change/.test(document.querySelector('[data-testid="events"]').textContent));
  await dark.page.waitForTimeout(300);
  const bg = () => dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const darkBg = await bg();
  await shot(dark.page, 'example-dark');
  assert.match(await text(dark.page, 'verify-result'), /✓ Valid SET/);
  await dark.page.locator('#theme').click(); // auto -> light
  assert.equal(await dark.page.evaluate(() => document.documentElement.dataset.theme), 'light');
  assert.notEqual(await bg(), darkBg);
  await dark.page.locator('#theme').click(); // light -> dark
  assert.equal(await bg(), darkBg);
  await dark.page.setViewportSize({ width: 420, height: 900 });
  await shot(dark.page, 'narrow-dark');
  remember(await dark.page.getByTestId('token-input').inputValue());
  for (const r of dark.requests) {
    const all = `${r.url} ${JSON.stringify(r.headers)} ${r.body}`;
    for (const s of secrets) assert.ok(!all.includes(s), `${r.url} carries token material`);
  }
  await dark.context.close();
});

test('the light view of an example SET, for the README', async () => {
  const v = await openPage(browser, `${site.url}/`, { viewport: { width: 1280, height: 900 } });
  await v.page.locator('#example').click();
  await v.page.waitForFunction(() => /Valid SET/.test(document.querySelector('[data-testid="verify-result"]').textContent));
  remember(await v.page.getByTestId('token-input').inputValue());
  await v.page.locator('#example').blur();
  await shot(v.page, 'readme');
  await v.context.close();
});

test('no network request carries a token or any part of one', async () => {
  const { requests } = main;
  assert.ok(secrets.size > 20, `${secrets.size} secrets tracked`);
  assert.ok(requests.length > 3);
  const origins = new Set(requests.map((r) => new URL(r.url).origin));
  for (const o of origins) assert.ok(o === site.url || o === transmitter.url || o === 'null', `only the two local origins: ${o}`);
  for (const r of requests) {
    const all = `${r.method} ${r.url} ${JSON.stringify(r.headers)} ${r.body}`;
    for (const s of secrets) assert.ok(!all.includes(s), `${r.method} ${r.url} carries token material`);
    if (new URL(r.url).origin === site.url) assert.equal(r.method, 'GET');
  }
});
