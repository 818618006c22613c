// The inspector's verdict: the headline is the worst of decoding and verification (never
// green for a forged or unchecked SET) and a failed verification is listed under Problems;
// every render describes the current contents of both boxes, however fast they are typed
// into; a poll response mixing issuers is checked SET by SET against its own issuer's keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, startStatic, startTransmitter, launch, openPage, shot } from './harness.mjs';

const require = createRequire(import.meta.url);
const ss = require(path.join(ROOT, 'js-bindings', 'pkg', 'dist', 'node.cjs'));

const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
let site;
let browser;
let page;
const t = [];

function setOf(iss, jwk, { kid, jti } = {}) {
  return ss.signSet(
    { iss, jti, aud: 'https://rp.example.com', sub_id: { format: 'opaque', id: 'stream-1' }, events: { [VERIFICATION]: { state: 'abc' } } },
    { jwk, ...(kid ? { kid } : {}) },
  );
}

const jti = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).jti;

before(async () => {
  site = await startStatic();
  t.push(await startTransmitter(), await startTransmitter());
  browser = await launch();
  ({ page } = await openPage(browser, `${site.url}/`));
});

after(async () => {
  await browser?.close();
  site?.server.close();
  for (const x of t) x.server.close();
});

async function settle(expectJti) {
  await page.waitForFunction(
    (j) => {
      const card = document.querySelector('#summary .summary');
      return card && card.dataset.verdict !== 'pending' && (!j || document.getElementById('claims').textContent.includes(j));
    },
    expectJti,
    { timeout: 10000 },
  );
  await page.waitForTimeout(300); // the debounce has nothing left to do
  return page.evaluate(() => {
    const card = document.querySelector('#summary .summary');
    return {
      verdict: card.dataset.verdict,
      tone: ['good', 'warn', 'bad', 'neutral'].find((c) => card.classList.contains(c)),
      headline: card.querySelector('.headline-verdict').textContent,
      problems: [...document.querySelectorAll('[data-testid="issues"] li.issue')].map((li) => `${li.dataset.source}:${li.dataset.severity}:${li.dataset.code}`),
      issuesText: document.getElementById('issues').textContent,
      claims: document.getElementById('claims').textContent,
      verify: document.getElementById('verify-result').textContent,
    };
  });
}

async function setBoxes(token, jwks) {
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('jwks-input').fill(jwks);
}

test('a forged signature checked against the right keys: red headline, listed under Problems', async () => {
  const a = ss.generateKey('ES256');
  const b = ss.generateKey('ES256');
  const kid = 'k1';
  // Signed by B under A's kid: the right key set for the kid, the wrong signature.
  const forged = setOf('https://idp.example.com/', b.privateJwk, { kid });
  await setBoxes(forged, JSON.stringify({ keys: [{ ...a.publicJwk, kid }] }));
  const v = await settle(jti(forged));
  await shot(page, 'verdict-forged');
  assert.equal(v.verdict, 'invalid');
  assert.equal(v.tone, 'bad');
  assert.match(v.headline, /Signature invalid \(bad_signature\)/);
  assert.ok(v.problems.includes('verification:error:bad_signature'), v.problems.join());
  assert.match(v.issuesText, /Signature check failed \(invalid_key\)/);
  assert.doesNotMatch(v.issuesText, /No problems/);
});

test('no keys given: never green; "signature not checked" in the headline and under Problems', async () => {
  const a = ss.generateKey('ES256');
  const token = setOf('https://idp.example.com/', a.privateJwk);
  await setBoxes(token, '');
  const v = await settle(jti(token));
  assert.equal(v.verdict, 'unchecked');
  assert.notEqual(v.tone, 'good');
  assert.match(v.headline, /Signature not checked/);
  assert.match(v.issuesText, /signature is not checked/);
  assert.doesNotMatch(v.issuesText, /✓/);
  // Unusable keys: red, and said so under Problems.
  await page.getByTestId('jwks-input').fill('{"keys": [');
  const bad = await settle(jti(token));
  assert.equal(bad.tone, 'bad');
  assert.ok(bad.problems.includes('verification:error:keys_unusable'), bad.problems.join());
});

test('verified with no problems: the only green headline', async () => {
  const a = ss.generateKey('ES256');
  const token = setOf('https://idp.example.com/', a.privateJwk);
  await setBoxes(token, JSON.stringify({ keys: [a.publicJwk] }));
  const v = await settle(jti(token));
  assert.equal(v.verdict, 'valid');
  assert.equal(v.tone, 'good');
  assert.match(v.issuesText, /No problems found, and the signature verifies/);
  assert.deepEqual(v.problems, []);
});

test('fast typing: every render is of both boxes as they are now', async () => {
  const a = ss.generateKey('ES256');
  const b = ss.generateKey('ES256');
  const tokenA = setOf('https://a.example.com/', a.privateJwk);
  const tokenB = setOf('https://b.example.com/', b.privateJwk);
  const keysA = JSON.stringify({ keys: [a.publicJwk] });
  const keysB = JSON.stringify({ keys: [b.publicJwk] });
  for (let round = 0; round < 3; round++) {
    await setBoxes(tokenA, keysA);
    assert.equal((await settle(jti(tokenA))).verdict, 'valid');
    // The token, then within a few milliseconds the keys, typed key by key.
    await page.getByTestId('token-input').fill(tokenB);
    await page.getByTestId('jwks-input').fill('');
    await page.getByTestId('jwks-input').focus();
    await page.keyboard.type(keysB, { delay: 0 });
    const v = await settle(jti(tokenB));
    assert.ok(v.claims.includes('https://b.example.com/'), 'the claims are the new token\'s');
    assert.ok(!v.claims.includes(jti(tokenA)), 'nothing of the old token is left');
    assert.equal(v.verdict, 'valid', `round ${round}: ${v.headline}`);
    // The keys first, then the token typed: the verdict follows the pair as it is.
    await page.getByTestId('jwks-input').fill(keysA);
    await page.getByTestId('token-input').fill('');
    await page.getByTestId('token-input').focus();
    await page.keyboard.type(tokenB, { delay: 0 });
    const w = await settle(jti(tokenB));
    assert.equal(w.verdict, 'invalid', `round ${round}: B's token against A's keys: ${w.headline}`);
  }
});

test('a poll response of two issuers: each SET checked against its own issuer\'s keys, and named', { timeout: 60_000 }, async () => {
  const [t1, t2] = t;
  const k1 = ss.generateKey('ES256');
  const k2 = ss.generateKey('RS256');
  t1.keys = { keys: [k1.publicJwk] };
  t2.keys = { keys: [k2.publicJwk] };
  const relayed = setOf(t1.url, k1.privateJwk);
  const own = setOf(t2.url, k2.privateJwk);
  const impostor = setOf(t1.url, k2.privateJwk, { kid: k1.publicJwk.kid }); // claims t1, signed by t2's key
  const slash = setOf(`${t2.url}/`, k2.privateJwk); // discovery names the issuer without the slash
  const sets = { [jti(relayed)]: relayed, [jti(own)]: own, [jti(impostor)]: impostor, [jti(slash)]: slash };
  await setBoxes(JSON.stringify({ sets, moreAvailable: false }, null, 2), JSON.stringify(t1.keys));
  await settle();
  // One key set for all: the second issuer's SET fails.
  const before = await page.locator('#set-list').innerText();
  assert.match(before, /✗/);
  for (const x of t) x.requests.length = 0;
  await page.locator('#keys-by-issuer').check();
  await page.waitForFunction(() => !/fetching keys/.test(document.getElementById('set-list').textContent), null, { timeout: 10000 });
  await page.waitForTimeout(300);
  const rows = await page.$$eval('#set-list tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  await shot(page, 'verdict-per-issuer', { fullPage: true });
  const byJti = Object.fromEntries(rows.map((r) => [r[0], r]));
  assert.equal(byJti[jti(relayed)][1], t1.url, 'the issuer of each SET is named');
  assert.equal(byJti[jti(own)][1], t2.url);
  assert.match(byJti[jti(relayed)][4], /✓ valid/);
  assert.match(byJti[jti(own)][4], /✓ valid/);
  assert.match(byJti[jti(impostor)][4], /✗/, 'a SET claiming an issuer is checked with that issuer\'s keys');
  assert.match(byJti[jti(slash)][4], /keys unusable/);
  // The details of one SET say whose keys were used.
  await page.locator(`#set-list button:text("${jti(own)}")`).click();
  const v = await settle(jti(own));
  assert.equal(v.verdict, 'valid');
  assert.ok(v.verify.includes(`Keys: those of issuer ${t2.url}`), v.verify);
  await page.locator(`#set-list button:text("${jti(slash)}")`).click();
  const s = await settle(jti(slash));
  assert.equal(s.tone, 'bad');
  assert.match(s.verify, /names the issuer .* not .*: its keys are not the issuer's/);
  // Only discovery documents and key sets were asked for, and each issuer once.
  const asked = t.flatMap((x) => x.requests.map((r) => `${r.method} ${r.url}`));
  assert.deepEqual([...new Set(asked)].sort(), ['GET /.well-known/ssf-configuration', 'GET /jwks.json']);
  // Three issuers (t1, t2, and t2 written with a slash), each asked once.
  assert.equal(asked.filter((a) => a.includes('ssf-configuration')).length, 3, asked.join());
  // A shared link does not carry the mode: opening it fetches nothing from the issuers.
  await page.waitForTimeout(300);
  const link = page.url();
  for (const x of t) x.requests.length = 0;
  const other = await openPage(browser, link);
  await other.page.waitForSelector('#set-list tbody tr');
  await other.page.waitForTimeout(1000);
  assert.equal(await other.page.locator('#keys-by-issuer').isChecked(), false);
  assert.deepEqual(t.flatMap((x) => x.requests), [], 'no request to an issuer on opening a link');
  await other.context.close();
  await page.locator('#keys-by-issuer').uncheck();
});
