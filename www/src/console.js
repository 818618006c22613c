// The operator console (/console/): a receiver's streams, their health and activity log,
// read from this worker's own API (same origin only; the page's CSP allows nothing else)
// with the bearer token pasted by the operator. The token is kept in sessionStorage, so it
// leaves with the tab. Everything the API answers is put into the page as text nodes.
import { $, h, fill, initTheme, svg } from './dom.js';

initTheme($('theme'));

// The kinds of DESIGN section 12, in the order the filter lists them.
const KINDS = ['push_accepted', 'push_duplicate', 'push_rejected', 'delivered', 'acked', 'set_err',
  'push_failed', 'emitted', 'status_changed', 'subject_added', 'subject_removed', 'verification',
  'config_updated', 'upstream'];
const TOKEN_KEY = 'ssf-console-token';
const PAGES = 5; // of 1,000 entries: the console shows at most the last 5,000
const state = { token: '', streams: [], selected: null };

for (const k of KINDS) $('kind').append(h('option', { value: k }, k));

function say(text, kind = 'info') {
  const el = $('console-status');
  el.textContent = text;
  el.dataset.kind = kind;
}

async function api(path) {
  const r = await fetch(path, { headers: { authorization: `Bearer ${state.token}` }, cache: 'no-store' });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${r.status}: ${body?.description ?? r.statusText}`);
  return body;
}

const q = (s) => encodeURIComponent(s);

function age(ms) {
  if (ms === null || ms === undefined) return 'none pending';
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
const when = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'never');

async function connect() {
  state.token = $('console-token').value.trim();
  if (!state.token) return say('Paste a receiver token first.', 'error');
  try {
    sessionStorage.setItem(TOKEN_KEY, state.token);
  } catch {
    // Kept in memory only.
  }
  try {
    const list = await api('/ssf/streams');
    state.streams = Array.isArray(list) ? list : [list];
    say(`${state.streams.length} stream${state.streams.length === 1 ? '' : 's'}`, 'ok');
    renderStreams();
  } catch (e) {
    state.streams = [];
    renderStreams();
    say(`The worker refused: ${e.message}`, 'error');
  }
}

function renderStreams() {
  const items = state.streams.map((s) => h('li', {},
    h('button', {
      type: 'button',
      class: s.stream_id === state.selected ? 'stream selected' : 'stream',
      'data-stream': s.stream_id,
      onclick: () => open(s.stream_id),
    },
    h('code', {}, s.stream_id),
    h('span', { class: 'hint' }, ` ${s.description ?? ''} · ${s.delivery?.method?.endsWith('8935') ? 'push' : 'poll'}`))));
  fill($('streams'), items.length ? items : h('li', { class: 'hint' }, 'No streams.'));
}

async function open(id) {
  state.selected = id;
  renderStreams();
  await Promise.all([renderHealth(), renderActivity()]);
}

async function renderHealth() {
  const id = state.selected;
  const cfg = state.streams.find((s) => s.stream_id === id) ?? {};
  try {
    const info = await api(`/ssf/queue?stream_id=${q(id)}`);
    const rows = [
      ['status', info.status],
      ['queue depth', info.depth],
      ['oldest pending', age(info.oldest_pending_age_ms)],
      ['push', pushState(info.push)],
      ['registration', cfg.registration ? JSON.stringify(cfg.registration.state ?? cfg.registration) : 'not registered upstream'],
    ];
    fill($('health'),
      h('dl', { class: 'health' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { 'data-item': k }, String(v))])),
      h('h3', { class: 'sub-label' }, 'Push rejections by reason, last hour'),
      chart(info.rejections_last_hour ?? {}));
  } catch (e) {
    fill($('health'), h('p', { class: 'error' }, e.message));
  }
}

function pushState(p) {
  if (!p) return 'poll stream';
  const failure = p.last_failure ? `last failure ${when(p.last_failure.at)} (${p.last_failure.status ?? 'no answer'})` : 'no failure';
  return `last success ${when(p.last_success_at)}; ${failure}; ${p.consecutive_failures} consecutive failures`;
}

/** A horizontal bar chart, inline SVG: one bar per reason. */
function chart(byReason) {
  const entries = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const bar = 22;
  const width = 480;
  const label = 190;
  const height = Math.max(1, entries.length) * bar + 8;
  const el = svg('svg', {
    'data-testid': 'activity-chart', viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img',
    class: 'chart', 'aria-label': entries.length ? entries.map(([r, n]) => `${r}: ${n}`).join(', ') : 'no rejections',
  });
  if (!entries.length) {
    el.append(svg('text', { x: 4, y: 18, class: 'chart-label' }, 'no rejections in the last hour'));
    return el;
  }
  entries.forEach(([reason, n], i) => {
    const y = 4 + i * bar;
    const w = Math.max(2, ((width - label - 40) * n) / max);
    el.append(
      svg('text', { x: label - 6, y: y + 15, class: 'chart-label', 'text-anchor': 'end' }, reason),
      svg('rect', { x: label, y: y + 3, width: w, height: bar - 8, class: 'chart-bar', 'data-reason': reason, 'data-count': n }),
      svg('text', { x: label + w + 6, y: y + 15, class: 'chart-label' }, String(n)));
  });
  return el;
}

async function renderActivity() {
  const id = state.selected;
  if (!id) return;
  const kind = $('kind').value;
  try {
    const all = [];
    let after = '';
    for (let i = 0; i < PAGES; i++) {
      const page = await api(`/ssf/activity?stream_id=${q(id)}&limit=1000${kind ? `&kind=${q(kind)}` : ''}${after}`);
      all.push(...page.entries);
      if (page.next === null) break;
      after = `&after=${page.next}`;
    }
    $('activity-heading').textContent = `Activity (${all.length})`;
    const rows = all.reverse().map((e) => {
      const { id: entryId, at, kind: k, ...rest } = e;
      return h('tr', { 'data-kind': k },
        h('td', {}, String(entryId)), h('td', {}, when(at)), h('td', {}, h('code', {}, k)),
        h('td', { class: 'details' }, Object.entries(rest).map(([name, v]) =>
          h('span', { class: 'member' }, h('b', {}, `${name}: `), typeof v === 'string' ? v : JSON.stringify(v)))));
    });
    fill($('activity'), rows.length
      ? h('table', { class: 'activity' },
        h('thead', {}, h('tr', {}, h('th', {}, 'id'), h('th', {}, 'at'), h('th', {}, 'kind'), h('th', {}, 'details'))),
        h('tbody', {}, rows))
      : h('p', { class: 'hint' }, 'No entries.'));
  } catch (e) {
    fill($('activity'), h('p', { class: 'error' }, e.message));
  }
}

$('connect').addEventListener('click', connect);
$('console-token').addEventListener('keydown', (e) => { if (e.key === 'Enter') connect(); });
$('kind').addEventListener('change', renderActivity);
$('refresh').addEventListener('click', () => state.selected && open(state.selected));
$('forget').addEventListener('click', () => {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* nothing kept */ }
  state.token = '';
  state.streams = [];
  state.selected = null;
  $('console-token').value = '';
  renderStreams();
  fill($('health'), h('p', { class: 'hint' }, 'Pick a stream.'));
  fill($('activity'));
  say('Token forgotten.');
});

// Tests (and operators' scripts) wait for this before typing.
document.documentElement.dataset.ready = 'true';

try {
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) {
    $('console-token').value = kept;
    connect();
  }
} catch {
  // No storage: paste the token each time.
}
