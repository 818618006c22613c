// The SET inspector. Vanilla ES module, no framework. Every rule about SETs comes from the
// `shared-signals` WebAssembly build of ssf-core (lib/web.mjs); this file only asks it and
// shows the answers. Untrusted text is only ever put into the page as text nodes.
import { extractSets, pathParts, utc, relative, encodeFragment, decodeFragment } from './parse.js';
import { CLAIM_INFO, HEADER_INFO, FORMAT_INFO, MEMBER_INFO, PROFILE_NAMES } from './explain.js';
import { fetchJson, discoveryUrl, IssuerKeys } from './keys.js';
import { $, h, fill, initTheme } from './dom.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---- state ----------------------------------------------------------------------------------

const state = {
  lib: null, // the shared-signals module once its wasm is loaded
  catalog: new Map(), // event URI -> catalogue entry
  parsed: null, // extractSets() of the input
  results: [], // per SET: {label, token, decoded?, error?, verify?}
  selected: 0,
};

// ---- the validator (wasm) loads in the background; the page works as text meanwhile -----

/** Under the Rules select: what the chosen profile changes from SSF 1.0, one line a rule (core's data). */
function showProfileRules() {
  const list = $('profile-rules');
  const profile = state.lib?.profiles().find((p) => p.name === $('profile').value);
  if (!profile) return;
  const lines = profile.rules.length
    ? profile.rules.map((r) => h('li', { title: `${r.reason} (${r.source})` }, `${r.relaxes ? 'relaxes' : 'adds'}: ${r.summary}`))
    : [h('li', {}, profile.summary)];
  list.replaceChildren(...lines);
}

const ready = (async () => {
  const t0 = performance.now();
  const lib = await import('./lib/web.mjs');
  await lib.init();
  state.lib = lib;
  for (const e of lib.eventCatalog()) {
    state.catalog.set(e.uri, e);
    state.catalog.set(`${e.profile}:${e.name}`, e);
  }
  showProfileRules();
  const ms = Math.round(performance.now() - t0);
  const engine = $('engine');
  engine.textContent = `validator ready (${ms} ms)`;
  engine.dataset.ready = 'true';
  document.documentElement.dataset.ready = 'true';
  return lib;
})().catch((e) => {
  const engine = $('engine');
  engine.textContent = `the validator could not load: ${e.message}`;
  engine.dataset.ready = 'error';
  throw e;
});

initTheme($('theme'));

// ---- tabs (WAI-ARIA tabs pattern: arrows, Home, End) -------------------------------------------

const tabs = [$('tab-inspect'), $('tab-build')];
function selectTab(tab, focus) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) tab.focus();
  if (tab === tabs[1]) ensureBuilder();
  scheduleFragment();
}
for (const t of tabs) {
  t.addEventListener('click', () => selectTab(t, false));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    let next = null;
    if (e.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
    else if (e.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
    else if (e.key === 'Home') next = tabs[0];
    else if (e.key === 'End') next = tabs[tabs.length - 1];
    if (next) {
      e.preventDefault();
      selectTab(next, true);
    }
  });
}
const currentTab = () => (tabs[1].getAttribute('aria-selected') === 'true' ? 'build' : 'inspect');

// ---- URL fragment: the only place state is kept ---------------------------------------------

let fragmentTimer = 0;
let applyingFragment = false;
function currentFragment() {
  return encodeFragment({
    input: $('token-input').value.trim(),
    jwks: $('jwks-input').value.trim(),
    jwksUrl: $('jwks-url').value.trim(),
    issuer: $('issuer').value.trim(),
    audience: $('audience').value.trim(),
    profile: $('profile').value,
    selected: state.results.length > 1 ? String(state.selected) : '',
    tab: currentTab(),
  });
}
function scheduleFragment() {
  if (applyingFragment) return;
  clearTimeout(fragmentTimer);
  fragmentTimer = setTimeout(() => {
    const frag = currentFragment();
    const url = location.pathname + (frag ? `#${frag}` : '');
    if (location.hash.slice(1) !== frag) history.replaceState(null, '', url);
  }, 150);
}
function applyFragment() {
  const s = decodeFragment(location.hash);
  applyingFragment = true;
  $('token-input').value = s.input || '';
  $('jwks-input').value = s.jwks || '';
  $('jwks-url').value = s.jwksUrl || '';
  $('issuer').value = s.issuer || '';
  $('audience').value = s.audience || '';
  $('profile').value = [...$('profile').options].some((o) => o.value === s.profile) ? s.profile : 'ssf';
  // "Each SET's issuer" mode is not part of a shared link: opening a link must not make the
  // browser fetch from hosts the link's token names without the user asking.
  $('keys-by-issuer').checked = false;
  if (s.issuer || s.audience) $('issuer').closest('details').open = true;
  state.selected = Number.parseInt(s.selected || '0', 10) || 0;
  selectTab(s.tab === 'build' ? tabs[1] : tabs[0], false);
  applyingFragment = false;
  analyse();
}
window.addEventListener('hashchange', () => {
  if (location.hash.slice(1) !== currentFragment()) applyFragment();
});

// ---- inspecting ------------------------------------------------------------------------------

function expectations() {
  const o = { profile: $('profile').value };
  const iss = $('issuer').value.trim();
  const aud = $('audience').value.trim();
  if (iss) o.issuer = iss;
  if (aud) o.audience = aud;
  return o;
}

// One timer for every input: whichever box changed, the next render reads all of them, so a
// render can never pair one token with the keys (or verdict) of another.
let analyseTimer = 0;
function analyseSoon() {
  clearTimeout(analyseTimer);
  analyseTimer = setTimeout(analyse, 120);
  scheduleFragment();
}

// Each analysis gets a number; one that finishes after a newer one started is dropped.
let generation = 0;

async function analyse() {
  clearTimeout(analyseTimer);
  const gen = ++generation;
  const parsed = extractSets($('token-input').value);
  state.parsed = parsed;
  const kind = $('input-kind');
  kind.textContent = parsed.kind === 'empty' ? '' : `Recognised: ${parsed.description}`;
  kind.classList.toggle('warn-text', /requires/.test(parsed.description));
  if (parsed.kind !== 'empty' && !state.lib) {
    fill($('issues'), h('p', { class: 'muted' }, 'Loading the validator…'));
    try {
      await ready;
    } catch {
      return;
    }
    if (gen !== generation) return;
  }
  state.results = parsed.items.map((item) => ({ ...item, ...decodeOne(item.token) }));
  if (state.selected >= state.results.length) state.selected = 0;
  verifyAll();
  render();
  $('output').dataset.generation = String(gen);
}

function decodeOne(token) {
  try {
    return { decoded: state.lib.decodeSet(token, expectations()) };
  } catch (e) {
    return { error: { code: e.code || 'invalid_request', reason: e.reason || 'error', message: e.message } };
  }
}

// ---- verification ----------------------------------------------------------------------------

let jwks = null; // {text, value?, error?}
function readJwks() {
  const text = $('jwks-input').value.trim();
  if (!text) return null;
  try {
    const value = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { text, error: 'the keys must be a JSON object: a JWK Set {"keys": [...]} or one JWK' };
    }
    return { text, value };
  } catch (e) {
    return { text, error: `the keys are not valid JSON: ${e.message}` };
  }
}

const byIssuer = () => $('keys-by-issuer').checked;
const issuerKeys = new IssuerKeys();

// In "each SET's issuer" mode: the key set of the issuer the SET names, once discovered. A
// finished fetch analyses again, so what is shown always comes from the boxes as they are now.
function issuerKeysFor(r) {
  if (r.error) return { error: 'the token could not be decoded, so it names no issuer', from: null };
  const iss = r.decoded.claims.iss;
  if (typeof iss !== 'string' || !iss) return { error: 'the SET has no iss claim: no issuer to discover keys from', from: null };
  return issuerKeys.lookup(iss, analyse);
}

function verifyAll() {
  jwks = readJwks();
  for (const r of state.results) {
    const keys = byIssuer() ? issuerKeysFor(r) : jwks && { ...jwks, from: null };
    r.verify = verifyOne(r, keys);
  }
}

function verifyOne(r, keys) {
  if (!keys) return { status: 'none' };
  if (keys.pending) return { status: 'pending', from: keys.from };
  if (keys.error) return { status: 'bad-keys', message: keys.error, from: keys.from };
  if (r.error) return { status: 'fail', code: r.error.code, reason: r.error.reason, message: r.error.message, signature: null, from: keys.from };
  const lib = state.lib;
  const opts = { ...expectations(), jwks: keys.value };
  const usedKey = (header) => keyLabel(keys.value, header);
  try {
    lib.verifySet(r.token, opts);
    return { status: 'ok', key: usedKey(r.decoded.header), from: keys.from };
  } catch (e) {
    if (!(e instanceof lib.SetError)) return { status: 'bad-keys', message: e.message };
    const out = { status: 'fail', code: e.code, reason: e.reason, message: e.message, signature: null, from: keys.from };
    if (e.code === 'invalid_key') {
      out.signature = false;
    } else {
      // The rules failed; say whether the signature alone holds, under the loosest rules.
      try {
        lib.verifySet(r.token, { jwks: keys.value, profile: 'rfc8417', clockSkew: 1e9 });
        out.signature = true;
        out.key = usedKey(r.decoded.header);
      } catch (e2) {
        if (e2 && e2.code === 'invalid_key') {
          out.signature = false;
          out.sigReason = e2.reason;
          out.sigMessage = e2.message;
        }
      }
    }
    return out;
  }
}

function keyLabel(value, header) {
  const keys = Array.isArray(value?.keys) ? value.keys : [value];
  const k = keys.find((key) => key && header.kid !== undefined && key.kid === header.kid) || (keys.length === 1 ? keys[0] : null);
  if (!k) return '';
  return [k.kid ? `kid ${k.kid}` : 'the only key', k.kty, k.crv].filter(Boolean).join(', ');
}

function renderVerify(r) {
  const box = $('verify-result');
  box.className = 'verify';
  delete box.dataset.status;
  if (!r) {
    fill(box);
    return;
  }
  const v = r.verify;
  const from = v.from ? h('p', { class: 'muted' }, 'Keys: those of issuer ', h('code', {}, v.from), ', found through its SSF discovery.') : null;
  if (v.status === 'pending') {
    box.classList.add('neutral');
    box.dataset.status = 'pending';
    fill(box, h('p', {}, 'Fetching the keys of issuer ', h('code', {}, v.from), '…'));
    return;
  }
  if (v.status === 'none') {
    box.classList.add('neutral');
    fill(box, h('p', {}, 'Signature not checked: paste or fetch the transmitter’s keys.'));
    return;
  }
  if (v.status === 'bad-keys') {
    box.classList.add('bad');
    box.dataset.status = 'bad-keys';
    fill(box, h('p', { class: 'verdict' }, v.from ? '✗ No keys for this SET' : '✗ Cannot use these keys'), h('p', {}, v.message));
    return;
  }
  if (v.status === 'ok') {
    box.classList.add('good');
    box.dataset.status = 'valid';
    fill(
      box,
      h('p', { class: 'verdict' }, '✓ Valid SET'),
      h('p', {}, `Signature verified${v.key ? ` with ${v.key}` : ''}, and every ${PROFILE_NAMES[$('profile').value]} rule holds${expectSuffix()}.`),
      from,
      h('p', { class: 'muted' }, 'A push receiver would answer 202 Accepted.'),
    );
    return;
  }
  box.classList.add('bad');
  box.dataset.status = 'invalid';
  const verdict =
    v.signature === true
      ? '✗ Signature valid, but the SET is rejected'
      : v.signature === false
        ? '✗ Invalid: the signature does not check out'
        : '✗ Invalid SET';
  const body = { err: v.code, description: v.message };
  fill(
    box,
    h('p', { class: 'verdict' }, verdict),
    h('p', {}, h('strong', {}, 'Reason: '), v.message, ' ', h('code', { class: 'reason' }, v.reason)),
    v.signature === true && v.key ? h('p', { class: 'muted' }, `The signature itself verifies with ${v.key}.`) : null,
    v.signature === false && v.sigMessage ? h('p', { class: 'muted' }, `Signature: ${v.sigMessage} (${v.sigReason}).`) : null,
    from,
    h('p', { class: 'muted' }, 'A push receiver would answer 400 Bad Request with:'),
    h('pre', { class: 'json small' }, JSON.stringify(body)),
  );
}

function expectSuffix() {
  const parts = [];
  if ($('issuer').value.trim()) parts.push('the expected issuer');
  if ($('audience').value.trim()) parts.push('the expected audience');
  return parts.length ? `, including ${parts.join(' and ')}` : '';
}

// ---- fetching keys: a jwks_uri or an SSF issuer (discovery) -----------------------------------

async function fetchKeys() {
  const status = $('fetch-status');
  const raw = $('jwks-url').value.trim();
  status.className = 'hint';
  if (!raw) {
    status.textContent = 'Type a jwks_uri or the issuer URL of an SSF transmitter first.';
    return;
  }
  let url;
  try {
    url = new URL(raw);
    if (!/^https?:$/.test(url.protocol)) throw new Error('not http(s)');
  } catch {
    status.textContent = 'That is not an http(s) URL.';
    status.classList.add('error-text');
    return;
  }
  const button = $('fetch-keys');
  button.disabled = true;
  status.textContent = 'Fetching…';
  try {
    let doc;
    let via = '';
    let issuerNote = '';
    const isWellKnown = url.pathname.includes('/.well-known/');
    const usable = (d) => d && typeof d === 'object' && (Array.isArray(d.keys) || typeof d.jwks_uri === 'string');
    let firstError = null;
    if (isWellKnown || (url.pathname !== '/' && url.pathname !== '')) {
      try {
        doc = await fetchJson(url.href);
      } catch (e) {
        firstError = e;
      }
    }
    if (!usable(doc) && !isWellKnown) {
      // Not a key set: take it as an SSF issuer and go through discovery.
      const disc = discoveryUrl(url.href);
      try {
        doc = await fetchJson(disc);
      } catch (e) {
        throw firstError ? new Error(`${firstError.message}; nor is there an SSF configuration at ${disc}`) : e;
      }
    }
    if (firstError && !doc) throw firstError;
    if (doc && typeof doc.jwks_uri === 'string' && !Array.isArray(doc.keys)) {
      const issuer = typeof doc.issuer === 'string' ? doc.issuer : '';
      via = `SSF configuration of ${issuer || 'an unnamed issuer'}, then its jwks_uri ${doc.jwks_uri}`;
      if (issuer && !$('issuer').value.trim()) issuerNote = ` Tip: set the expected issuer to ${issuer}.`;
      doc = await fetchJson(doc.jwks_uri);
    } else {
      via = url.href;
    }
    if (!doc || !Array.isArray(doc.keys)) throw new Error('the document has no "keys" array: not a JWK Set');
    $('jwks-input').value = JSON.stringify(doc, null, 2);
    status.textContent = `Fetched ${plural(doc.keys.length, 'key')} from ${via}.${issuerNote}`;
    status.classList.add('ok-text');
    // Keys fetched for the box are meant to be used: leave "each SET's issuer" mode.
    $('keys-by-issuer').checked = false;
    analyse();
    scheduleFragment();
  } catch (e) {
    status.textContent = `Could not fetch keys: ${e.message}`;
    status.classList.add('error-text');
  } finally {
    button.disabled = false;
  }
}

// ---- rendering ----------------------------------------------------------------------------

function render() {
  renderList();
  const r = state.results[state.selected];
  renderVerify(r);
  if (!r) {
    const p = state.parsed;
    fill($('summary'));
    if (p && p.kind === 'error') {
      fill($('issues'), issueList([{ severity: 'error', code: 'unreadable_input', message: p.error }]));
    } else if (p && p.kind !== 'empty') {
      fill($('issues'), h('p', { class: 'muted' }, 'The poll response holds no SETs.'));
    } else {
      fill($('issues'), h('p', { class: 'muted' }, 'Paste a SET to see what it says.'));
    }
    for (const id of ['events', 'subject', 'claims', 'header']) fill($(id));
    return;
  }
  if (r.error) {
    fill(
      $('summary'),
      h('div', { class: 'summary card bad' }, h('p', { class: 'verdict' }, 'Not a readable SET'), h('p', {}, r.error.message)),
    );
    fill(
      $('issues'),
      issueList([{ severity: 'error', code: r.error.reason, message: r.error.message, path: '' }]),
    );
    fill($('events'), h('p', { class: 'muted' }, 'Nothing to show: the token could not be decoded.'));
    const seg = rawSegments(r.token);
    fill($('subject'), h('p', { class: 'muted' }, '—'));
    fill($('header'), seg[0] !== null ? [h('p', { class: 'hint' }, 'The first segment, decoded as text (not validated):'), h('pre', { class: 'json small' }, seg[0])] : h('p', { class: 'muted' }, '—'));
    fill($('claims'), seg[1] !== null ? [h('p', { class: 'hint' }, 'The second segment, decoded as text (not validated):'), h('pre', { class: 'json small' }, seg[1])] : h('p', { class: 'muted' }, '—'));
    return;
  }
  const d = r.decoded;
  renderSummary(r);
  const problems = allProblems(r);
  fill($('issues'), problems.length ? issueList(problems, d) : noProblemsText(r.verify));
  fill($('events'), d.events.length ? d.events.map((e) => renderEvent(e, d)) : h('p', { class: 'muted' }, 'No events.'));
  fill($('subject'), d.subject ? renderSubjectBlock(d) : h('p', { class: 'muted' }, 'No subject (no sub_id, and no subject inside an event).'));
  fill($('claims'), renderClaims(d.claims, flagged(d.issues, 'claims')));
  fill($('header'), renderHeader(d.header, flagged(d.issues, 'header')));
}

// What verification found, as a problem beside the decoder's (a reason the decoder already
// reported as an error is not listed twice).
function verificationProblem(r) {
  const v = r.verify;
  const decodeErrors = new Set((r.decoded?.issues || []).filter((i) => i.severity === 'error').map((i) => i.code));
  if (v.status === 'bad-keys') return { severity: 'error', code: 'keys_unusable', message: `The signature could not be checked: ${v.message}`, source: 'verification' };
  if (v.status !== 'fail' || decodeErrors.has(v.reason)) return null;
  const what = v.signature === false ? 'Signature check failed' : 'Verification failed';
  return { severity: 'error', code: v.reason, message: `${what} (${v.code}): ${v.message}`, source: 'verification' };
}

function allProblems(r) {
  const p = verificationProblem(r);
  return p ? [p, ...r.decoded.issues] : [...r.decoded.issues];
}

function noProblemsText(v) {
  if (v.status === 'ok') return h('p', { class: 'ok-text' }, '✓ No problems found, and the signature verifies.');
  if (v.status === 'pending') return h('p', { class: 'muted' }, 'No problems found in the token; its issuer’s keys are being fetched.');
  return h('p', { class: 'muted' }, 'No problems found in the token, but its signature is not checked: paste or fetch the transmitter’s keys.');
}

// The headline: the worst of what decoding and verification found. Green only for a verified
// SET without errors or warnings; a SET whose signature was not checked is never green.
function verdictOf(r) {
  const c = counts(r.decoded.issues);
  const v = r.verify;
  if (v.status === 'fail' || v.status === 'bad-keys') {
    const text = v.status === 'bad-keys' ? '✗ Signature not checked: the keys are unusable' : v.signature === false ? `✗ Signature invalid (${v.reason})` : `✗ Rejected (${v.reason})`;
    return { tone: 'bad', verdict: 'invalid', text };
  }
  if (c.error) return { tone: 'bad', verdict: 'invalid', text: `✗ ${plural(c.error, 'error')}: a receiver must reject this SET` };
  if (v.status === 'pending') return { tone: 'neutral', verdict: 'pending', text: 'Checking the signature…' };
  if (v.status === 'none') return { tone: c.warning ? 'warn' : 'neutral', verdict: 'unchecked', text: 'Signature not checked: no keys given' };
  if (c.warning) return { tone: 'warn', verdict: 'valid-with-warnings', text: `✓ Signature verified, with ${plural(c.warning, 'warning')}` };
  return { tone: 'good', verdict: 'valid', text: '✓ Signature verified, no problems' };
}

// Member name -> worst severity of the issues located at it (or under it).
function flagged(issues, where) {
  const out = new Map();
  const rank = { error: 3, warning: 2, info: 1 };
  for (const i of issues) {
    const parts = pathParts(i.path);
    if (parts[0] !== where || parts.length < 2) continue;
    const prev = out.get(parts[1]);
    if (!prev || rank[i.severity] > rank[prev]) out.set(parts[1], i.severity);
  }
  return out;
}

function flagCell(k, flags) {
  const sev = flags.get(k);
  return h('th', { scope: 'row' }, h('code', {}, k), sev && sev !== 'info' ? h('span', { class: `flag sev-${sev}`, title: `${sev}: see Problems` }, sev === 'error' ? ' ✗' : ' !') : null);
}

// Best effort, for showing what an undecodable token holds: base64url -> text, or null.
function rawSegments(token) {
  return String(token).split('.').slice(0, 2).map((part) => {
    if (!part || !/^[A-Za-z0-9_-]+={0,2}$/.test(part)) return null;
    try {
      const bin = atob(part.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'));
      const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
      return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? null : text;
    } catch {
      return null;
    }
  }).concat([null, null]).slice(0, 2);
}

function counts(issues) {
  const c = { error: 0, warning: 0, info: 0 };
  for (const i of issues) c[i.severity] = (c[i.severity] || 0) + 1;
  return c;
}

function countText(issues) {
  const c = counts(issues);
  const parts = [];
  if (c.error) parts.push(plural(c.error, 'error'));
  if (c.warning) parts.push(plural(c.warning, 'warning'));
  if (c.info) parts.push(plural(c.info, 'note'));
  return parts.length ? parts.join(' · ') : 'no problems';
}

function eventLabel(e) {
  return e.title || e.uri.split(/[/:]/).filter(Boolean).pop() || e.uri;
}

function renderList() {
  const box = $('set-list');
  if (state.results.length < 2) {
    fill(box);
    return;
  }
  const rows = state.results.map((r, i) =>
    h(
      'tr',
      { 'aria-current': i === state.selected ? 'true' : null, class: i === state.selected ? 'current' : null },
      h('td', {}, h('button', { type: 'button', class: 'linkish', 'data-index': i, onclick: () => select(i) }, r.label)),
      h('td', { class: 'issuer' }, r.error || typeof r.decoded.claims.iss !== 'string' ? '—' : h('code', {}, r.decoded.claims.iss)),
      h('td', {}, r.error ? 'unreadable' : r.decoded.events.map(eventLabel).join(', ')),
      h('td', { class: r.error || counts(allProblems(r)).error ? 'error-text' : '' }, r.error ? '1 error' : countText(allProblems(r))),
      h('td', {}, verifyShort(r.verify)),
    ),
  );
  fill(
    box,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'list-h' },
      h('h2', { id: 'list-h' }, `${plural(state.results.length, 'SET')} in this ${state.parsed.kind.includes('poll') ? 'poll response' : 'input'}`),
      h('p', { class: 'hint' }, 'Choose one to see it in detail.'),
      h(
        'table',
        { class: 'grid list' },
        h('thead', {}, h('tr', {}, h('th', {}, state.parsed.kind.includes('poll') ? 'jti' : 'SET'), h('th', {}, 'Issuer'), h('th', {}, 'Events'), h('th', {}, 'Problems'), h('th', {}, 'Signature'))),
        h('tbody', {}, rows),
      ),
    ),
  );
}

function verifyShort(v) {
  if (!v || v.status === 'none') return 'not checked';
  if (v.status === 'pending') return 'fetching keys…';
  if (v.status === 'ok') return '✓ valid';
  if (v.status === 'bad-keys') return 'keys unusable';
  if (v.signature === true) return `✓ valid, SET rejected (${v.reason})`;
  return `✗ ${v.reason}`;
}

function select(i) {
  state.selected = i;
  render();
  scheduleFragment();
  const btn = $('set-list').querySelector(`button[data-index="${i}"]`);
  if (btn) btn.focus();
}

function renderSummary(r) {
  const d = r.decoded;
  const verdict = verdictOf(r);
  const names = d.events.map((e) => `${eventLabel(e)}${e.profile ? ` (${PROFILE_NAMES[e.profile] || e.profile})` : ''}`);
  const iat = typeof d.claims.iat === 'number' ? d.claims.iat : null;
  fill(
    $('summary'),
    h(
      'div',
      { class: `summary card ${verdict.tone}`, 'data-verdict': verdict.verdict, 'data-testid': 'summary' },
      h('p', { class: 'headline-verdict' }, verdict.text),
      h('p', { class: 'verdict' }, names.length ? names.join(' + ') : 'A SET without events'),
      h(
        'p',
        {},
        typeof d.claims.iss === 'string' ? ['from ', h('code', {}, d.claims.iss)] : 'no issuer',
        iat !== null ? [', issued ', h('time', { datetime: new Date(iat * 1000).toISOString(), title: utc(iat) }, relative(iat, nowSeconds()))] : null,
        d.subject ? [', about ', subjectShort(d.subject)] : null,
      ),
      h('p', { class: 'counts' }, countText(allProblems(r)), ' · signature ', verifyShort(r.verify)),
    ),
  );
}

function subjectShort(s) {
  if (!s || typeof s !== 'object') return '?';
  const f = s.format ?? s.subject_type;
  const simple = (x) => {
    if (!x || typeof x !== 'object') return JSON.stringify(x);
    for (const k of ['email', 'phone_number', 'uri', 'url', 'id', 'sub', 'jti', 'assertion_id']) {
      if (typeof x[k] === 'string') return x[k];
    }
    if (Array.isArray(x['ip-addresses'])) return x['ip-addresses'].join(', ');
    return x.format || 'subject';
  };
  if (f === 'complex') {
    return Object.entries(s)
      .filter(([k]) => k !== 'format')
      .map(([k, v]) => `${k} ${simple(v)}`)
      .join(', ');
  }
  if (f === 'aliases' && Array.isArray(s.identifiers)) return s.identifiers.map(simple).join(' = ');
  return simple(s);
}

// Issues, with their location in words.
function issueList(issues, decoded) {
  const order = { error: 0, warning: 1, info: 2 };
  const sorted = [...issues].sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
  return h(
    'ul',
    { class: 'issues' },
    sorted.map((i) =>
      h(
        'li',
        { class: `issue sev-${i.severity}`, 'data-code': i.code, 'data-severity': i.severity, 'data-source': i.source || 'decode' },
        h('span', { class: `badge sev-${i.severity}` }, i.severity === 'info' ? 'note' : i.severity),
        h(
          'div',
          { class: 'issue-body' },
          h('p', { class: 'issue-message' }, i.message),
          h('p', { class: 'issue-meta' }, h('code', {}, i.code), i.path ? [' at ', h('span', { class: 'where' }, where(i.path, decoded))] : null),
        ),
      ),
    ),
  );
}

function where(path, decoded) {
  const parts = pathParts(path);
  if (parts.length === 0) return 'the whole token';
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i > 0 && parts[i - 1] === 'events' && decoded) {
      const e = decoded.events.find((x) => x.uri === p);
      out.push(e ? `${e.name || eventLabel(e)} event` : `event ${p}`);
    } else {
      out.push(p);
    }
  }
  return out.join(' › ');
}

// Events, each with its catalogue entry.
function renderEvent(e, decoded) {
  // Legacy URIs (e.g. the pre-SSF "sse" verification) decode to a catalogue name.
  const entry = state.catalog.get(e.uri) || (e.name ? state.catalog.get(`${e.profile}:${e.name}`) : null);
  const fieldsDef = entry ? entry.fields : [];
  const defined = new Map(fieldsDef.map((f) => [f.name, f]));
  const rows = [];
  // Core says when event_timestamp is in milliseconds (Okta); the page does not guess.
  const ms = e.issues.some((i) => i.code === 'event_timestamp_milliseconds');
  for (const f of fieldsDef) {
    if (Object.prototype.hasOwnProperty.call(e.fields, f.name)) {
      rows.push(fieldRow(f.name, e.fields[f.name], f, entry, ms));
    } else if (f.required) {
      rows.push(
        h('tr', { class: 'missing' }, h('th', { scope: 'row' }, h('code', {}, f.name)), h('td', { class: 'error-text' }, 'missing (required)'), h('td', {}, f.description)),
      );
    }
  }
  for (const [name, value] of Object.entries(e.fields)) {
    if (defined.has(name)) continue;
    rows.push(fieldRow(name, value, null, entry, ms));
  }
  const optionalAbsent = fieldsDef.filter((f) => !f.required && !(f.name in e.fields)).map((f) => f.name);
  const profile = e.profile ? PROFILE_NAMES[e.profile] || e.profile : 'Unknown';
  return h(
    'article',
    { class: 'event', 'data-event': e.name || e.uri },
    h(
      'header',
      { class: 'event-head' },
      h('span', { class: `badge profile-${e.profile || 'unknown'}` }, profile),
      h('h3', {}, eventLabel(e)),
      entry ? null : h('span', { class: 'badge profile-unknown' }, 'not in the catalogue'),
      entry && entry.deprecated ? h('span', { class: 'badge sev-warning' }, 'deprecated') : null,
    ),
    h('p', { class: 'uri' }, h('code', {}, e.uri)),
    h('p', {}, e.description || unknownEventText(e.uri)),
    rows.length
      ? h('table', { class: 'grid fields' }, h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Value'), h('th', {}, 'Meaning'))), h('tbody', {}, rows))
      : h('p', { class: 'muted' }, 'The event carries no fields.'),
    optionalAbsent.length ? h('p', { class: 'hint' }, `Optional fields not sent: ${optionalAbsent.join(', ')}.`) : null,
    e.issues.length ? issueList(e.issues, decoded) : null,
  );
}

function unknownEventText(uri) {
  if (uri.startsWith('urn:ietf:params:scim:event:')) {
    return 'A SCIM provisioning event (RFC 8417 uses it as an example): outside SSF, CAEP and RISC, so its members are shown as sent.';
  }
  if (uri.startsWith('https://schemas.openid.net/secevent/')) {
    return 'Under the OpenID namespace but not an SSF, CAEP or RISC 1.0 event type: a private extension, an old draft name or a misspelling. Its members are shown as sent.';
  }
  return 'An event type ssf-core does not know (a private or other-profile event); its members are shown as sent.';
}

function fieldRow(name, value, def, entry, milliseconds = false) {
  let meaning;
  if (def) meaning = def.description;
  else if (name === 'subject') meaning = 'Legacy in-event subject (pre-SSF); SSF 1.0 puts the subject in the top-level sub_id.';
  else if (entry) meaning = 'Not defined for this event type by the catalogue; kept as sent.';
  else meaning = '';
  return h('tr', {}, h('th', { scope: 'row' }, h('code', {}, name)), h('td', {}, formatValue(name, value, def, milliseconds)), h('td', { class: 'meaning' }, meaning));
}

function timeValue(v) {
  return h(
    'span',
    { class: 'time' },
    h('time', { datetime: new Date(v * 1000).toISOString() }, utc(v)),
    h('span', { class: 'rel' }, ` · ${relative(v, nowSeconds())}`),
    h('span', { class: 'raw' }, ` (${v})`),
  );
}

function formatValue(name, value, def, milliseconds = false) {
  const type = def ? def.type : null;
  if (name === 'subject' && value && typeof value === 'object') return renderSubject(value, true);
  if (name === 'event_timestamp' && milliseconds && typeof value === 'number') {
    return h('span', {}, timeValue(Math.floor(value / 1000)), h('span', { class: 'raw' }, ' in milliseconds'));
  }
  if (typeof value === 'number' && (type === 'number' || /(_at|timestamp|^iat|^toe)$/.test(name))) return timeValue(value);
  if (type === 'lang-map' && value && typeof value === 'object' && !Array.isArray(value)) {
    return h(
      'dl',
      { class: 'langs' },
      Object.entries(value).map(([lang, text]) => [h('dt', {}, lang), h('dd', {}, typeof text === 'string' ? text : JSON.stringify(text))]),
    );
  }
  if ((type === 'enum' || type === 'open-enum') && typeof value === 'string' && def.values) {
    const known = def.values.includes(value);
    return h(
      'span',
      {},
      h('code', { class: 'value' }, value),
      known ? null : h('span', { class: type === 'enum' ? 'error-text' : 'warn-text' }, ` not one of ${def.values.join(', ')}`),
    );
  }
  if (typeof value === 'string') return h('code', { class: 'value' }, value);
  if (typeof value === 'boolean' || typeof value === 'number' || value === null) return h('code', { class: 'value' }, JSON.stringify(value));
  if (Array.isArray(value) && value.every((x) => typeof x === 'string')) {
    return h('ul', { class: 'plain' }, value.map((x) => h('li', {}, h('code', {}, x))));
  }
  return h('pre', { class: 'json small' }, JSON.stringify(value, null, 2));
}

// Subjects, rendered by format.
function renderSubjectBlock(d) {
  const fromEvent = !d.claims.sub_id;
  return [
    fromEvent ? h('p', { class: 'warn-text' }, 'Found inside an event (legacy style): SSF 1.0 expects a top-level sub_id.') : h('p', { class: 'hint' }, 'The top-level sub_id claim (RFC 9493).'),
    renderSubject(d.subject),
  ];
}

function renderSubject(s, compact) {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return h('pre', { class: 'json small' }, JSON.stringify(s, null, 2));
  const legacy = s.format === undefined && s.subject_type !== undefined;
  const format = s.format ?? s.subject_type;
  const info = FORMAT_INFO[format];
  const formatMeaning = [info || `Not a registered format${format === undefined ? ' (format missing)' : ''}: understood only by bilateral agreement.`, legacy ? ' (subject_type is the legacy name of format.)' : ''].join('');
  const rows = [
    h(
      'tr',
      { class: 'format-row' },
      h('th', { scope: 'row' }, legacy ? 'subject_type' : 'format'),
      h('td', { title: compact ? formatMeaning : null }, h('code', {}, String(format))),
      compact ? null : h('td', { class: 'meaning' }, formatMeaning),
    ),
  ];
  for (const [k, v] of Object.entries(s)) {
    if (k === 'format' || k === 'subject_type') continue;
    let valueCell;
    if (format === 'complex' && v && typeof v === 'object') valueCell = renderSubject(v, true);
    else if (format === 'aliases' && k === 'identifiers' && Array.isArray(v)) valueCell = h('ol', { class: 'plain' }, v.map((x) => h('li', {}, renderSubject(x, true))));
    else valueCell = formatValue(k, v, null);
    const meaning = format === 'complex' ? MEMBER_INFO[k] || 'A member name SSF does not define; allowed, understood by agreement.' : '';
    rows.push(h('tr', {}, h('th', { scope: 'row' }, h('code', {}, k)), h('td', {}, valueCell), compact ? null : h('td', { class: 'meaning' }, meaning)));
  }
  return h('table', { class: `grid subject${compact ? ' compact' : ''}`, 'data-format': String(format) }, h('tbody', {}, rows));
}

// Claims and header: known members explained, then the JSON.
function renderClaims(claims, flags) {
  const rows = Object.entries(claims).map(([k, v]) => {
    const info = CLAIM_INFO[k];
    let value;
    if (k === 'events' && v && typeof v === 'object') value = h('span', {}, plural(Object.keys(v).length, 'event'), ': see Events');
    else if (k === 'sub_id') value = h('span', {}, subjectShort(v), ': see Subject');
    else if ((k === 'iat' || k === 'toe' || k === 'exp' || k === 'nbf') && typeof v === 'number') value = timeValue(v);
    else if (k === 'aud' && Array.isArray(v)) value = h('ul', { class: 'plain' }, v.map((x) => h('li', {}, h('code', {}, String(x)))));
    else value = formatValue(k, v, null);
    const sev = flags.get(k);
    return h('tr', { class: sev ? `flag-${sev}` : null }, flagCell(k, flags), h('td', {}, value), h('td', { class: 'meaning' }, info || 'Not defined by RFC 8417 or SSF; receivers ignore it.'));
  });
  return [h('table', { class: 'grid claims' }, h('tbody', {}, rows)), jsonDetails('Claims as JSON', claims)];
}

function renderHeader(header, flags) {
  const rows = Object.entries(header).map(([k, v]) =>
    h('tr', { class: flags.get(k) ? `flag-${flags.get(k)}` : null }, flagCell(k, flags), h('td', {}, formatValue(k, v, null)), h('td', { class: 'meaning' }, HEADER_INFO[k] || 'Not a header parameter this validator uses.')),
  );
  return [h('table', { class: 'grid header' }, h('tbody', {}, rows)), jsonDetails('Header as JSON', header)];
}

function jsonDetails(title, value) {
  return h('details', { class: 'raw-json' }, h('summary', {}, title), h('pre', { class: 'json', tabindex: '0' }, JSON.stringify(value, null, 2)));
}

// ---- example, share, clear --------------------------------------------------------------------

async function example() {
  const lib = await ready;
  const { privateJwk, publicJwk } = lib.generateKey('ES256');
  const now = nowSeconds();
  const token = lib.signSet(
    {
      iss: 'https://idp.example.com/',
      aud: 'https://app.example.com',
      txn: 'f3c9b2e1',
      sub_id: {
        format: 'complex',
        user: { format: 'email', email: 'jane.doe@example.com' },
        device: { format: 'opaque', id: 'laptop-4217' },
      },
      events: {
        'https://schemas.openid.net/secevent/caep/event-type/credential-change': {
          credential_type: 'fido2-roaming',
          change_type: 'revoke',
          friendly_name: 'Jane’s security key',
          initiating_entity: 'admin',
          reason_admin: { en: 'Key reported lost' },
          event_timestamp: now - 3 * 3600,
        },
      },
    },
    { jwk: privateJwk },
  );
  $('token-input').value = token;
  $('jwks-input').value = JSON.stringify({ keys: [publicJwk] }, null, 2);
  analyseSoon();
}

async function copy(text, button) {
  const old = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Copy failed';
  }
  setTimeout(() => {
    button.textContent = old;
  }, 1500);
}

$('token-input').addEventListener('input', analyseSoon);
for (const id of ['jwks-input', 'profile', 'issuer', 'audience']) $(id).addEventListener('input', analyseSoon);
$('keys-by-issuer').addEventListener('change', () => {
  // Turning the mode on asks every issuer again (keys rotate); off forgets them.
  issuerKeys.clear();
  analyseSoon();
});
$('profile').addEventListener('change', showProfileRules);
$('jwks-url').addEventListener('input', scheduleFragment);
$('jwks-url').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') fetchKeys();
});
$('fetch-keys').addEventListener('click', fetchKeys);
$('example').addEventListener('click', example);
$('share').addEventListener('click', () => {
  clearTimeout(fragmentTimer);
  const frag = currentFragment();
  history.replaceState(null, '', `${location.pathname}${frag ? `#${frag}` : ''}`);
  copy(location.href, $('share'));
});
$('clear').addEventListener('click', () => {
  for (const id of ['token-input', 'jwks-input', 'jwks-url', 'issuer', 'audience']) $(id).value = '';
  $('fetch-status').textContent = '';
  analyse();
  scheduleFragment();
  $('token-input').focus();
});

// ---- the builder (loaded on first use) ------------------------------------------------------

let builder = null;
function ensureBuilder() {
  if (builder) return;
  builder = import('./builder.js').then(async (m) => {
    const lib = await ready;
    m.setup({ lib, h, fill, $, copy, utc, relative, nowSeconds, FORMAT_INFO, onInspect: inspectSigned });
  });
}

function inspectSigned(token, publicJwks) {
  $('token-input').value = token;
  $('jwks-input').value = publicJwks;
  selectTab(tabs[0], true);
  analyse();
  scheduleFragment();
}

applyFragment();
