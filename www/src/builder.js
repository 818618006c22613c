// "Build & sign": pick an event from the catalogue, fill its fields, pick or generate a key,
// sign. Loaded when the tab is first opened. Private keys live only in the textarea: they are
// never put into the URL fragment or storage.

const SUBJECT_FORMATS = {
  email: { email: 'jane.doe@example.com' },
  iss_sub: { iss: 'https://idp.example.com/', sub: '248289761001' },
  opaque: { id: '11112222333344445555' },
  phone_number: { phone_number: '+12065550100' },
  account: { uri: 'acct:jane.doe@service.example.com' },
  did: { url: 'did:example:123456789abcdefghi' },
  uri: { uri: 'https://example.com/users/jane' },
  jwt_id: { iss: 'https://idp.example.com/', jti: 'B70BA622-9515-4353-A866-823539EECBC8' },
  saml_assertion_id: { issuer: 'https://idp.example.com/', assertion_id: '_8e8dc5f69a98cc4c1ff3427e5ce34606fd672f91e6' },
  'ip-addresses': { 'ip-addresses': '10.29.37.75, 2001:db8::1' },
  complex: null,
  aliases: null,
};

const COMPLEX_EXAMPLE = {
  format: 'complex',
  user: { format: 'email', email: 'jane.doe@example.com' },
  device: { format: 'opaque', id: 'laptop-4217' },
};
const ALIASES_EXAMPLE = {
  format: 'aliases',
  identifiers: [
    { format: 'email', email: 'jane.doe@example.com' },
    { format: 'phone_number', phone_number: '+12065550100' },
  ],
};

export function setup({ lib, h, fill, $, copy, utc, relative, nowSeconds, FORMAT_INFO, onInspect }) {
  const catalog = lib.eventCatalog();
  const byUri = new Map(catalog.map((e) => [e.uri, e]));
  let fieldInputs = []; // {def, read(): value | undefined, error?}

  // Events, grouped by profile.
  const groups = { ssf: 'SSF', caep: 'CAEP 1.0', risc: 'RISC 1.0' };
  const select = $('b-event');
  for (const [profile, label] of Object.entries(groups)) {
    const events = catalog.filter((e) => e.profile === profile);
    if (!events.length) continue;
    select.append(
      h('optgroup', { label }, events.map((e) => h('option', { value: e.uri }, `${e.title}${e.deprecated ? ' (deprecated)' : ''}`))),
    );
  }
  const first = catalog.find((e) => e.name === 'session-revoked') || catalog[0];
  select.value = first.uri;

  // Subject formats.
  const fmt = $('b-format');
  for (const f of Object.keys(SUBJECT_FORMATS)) fmt.append(h('option', { value: f }, f));
  fmt.value = 'email';

  // Algorithms.
  const algSel = $('b-alg');
  for (const a of lib.supportedAlgorithms()) algSel.append(h('option', { value: a }, a));
  algSel.value = 'ES256';

  function renderFields() {
    const e = byUri.get(select.value);
    $('b-event-desc').textContent = `${e.description} (${e.uri})`;
    fieldInputs = [];
    const rows = e.fields.map((f) => {
      const id = `bf-${f.name}`;
      const hintId = `${id}-hint`;
      let control;
      let read;
      const extra = [];
      if (f.type === 'enum') {
        control = h('select', { id, 'aria-describedby': hintId }, h('option', { value: '' }, f.required ? '(choose)' : '(leave out)'), f.values.map((v) => h('option', { value: v }, v)));
        if (f.required) control.value = f.values[0];
        read = () => control.value || undefined;
      } else if (f.type === 'open-enum') {
        const listId = `${id}-list`;
        control = h('input', { id, type: 'text', list: listId, spellcheck: 'false', 'aria-describedby': hintId, value: f.required && f.values ? f.values[0] : '' });
        extra.push(h('datalist', { id: listId }, (f.values || []).map((v) => h('option', { value: v }))));
        read = () => control.value.trim() || undefined;
      } else if (f.type === 'number') {
        control = h('input', { id, type: 'text', inputmode: 'numeric', spellcheck: 'false', placeholder: 'seconds since 1970 (UTC)', 'aria-describedby': hintId });
        const preview = h('span', { class: 'hint' });
        const update = () => {
          const n = Number(control.value);
          preview.textContent = control.value.trim() && Number.isFinite(n) ? ` ${utc(n)} · ${relative(n, nowSeconds())}` : '';
        };
        control.addEventListener('input', update);
        extra.push(
          h('button', { type: 'button', class: 'small ghost', onclick: () => { control.value = String(nowSeconds()); update(); preview_(); } }, 'now'),
          preview,
        );
        read = () => {
          const t = control.value.trim();
          if (!t) return undefined;
          const n = Number(t);
          if (!Number.isFinite(n)) throw new Error(`${f.name}: a number of seconds is needed`);
          return n;
        };
      } else if (f.type === 'boolean') {
        control = h('select', { id, 'aria-describedby': hintId }, h('option', { value: '' }, '(leave out)'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
        read = () => (control.value === '' ? undefined : control.value === 'true');
      } else if (f.type === 'lang-map') {
        control = h('textarea', { id, rows: 2, spellcheck: 'true', placeholder: 'en: Reason in English\nde: Grund auf Deutsch', 'aria-describedby': hintId });
        read = () => {
          const lines = control.value.split('\n').map((l) => l.trim()).filter(Boolean);
          if (!lines.length) return undefined;
          const out = {};
          for (const l of lines) {
            const m = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(l);
            if (m) out[m[1]] = m[2];
            else out.en = l;
          }
          return out;
        };
      } else if (f.type === 'string-array') {
        control = h('input', { id, type: 'text', spellcheck: 'false', placeholder: 'comma-separated', 'aria-describedby': hintId });
        read = () => {
          const items = control.value.split(',').map((s) => s.trim()).filter(Boolean);
          return items.length ? items : undefined;
        };
      } else if (f.type === 'object') {
        control = h('textarea', { id, rows: 3, spellcheck: 'false', placeholder: '{"name": "value"}', 'aria-describedby': hintId });
        if (f.required) control.value = '{\n  "trusted_network": false\n}';
        read = () => {
          const t = control.value.trim();
          if (!t) return undefined;
          try {
            return JSON.parse(t);
          } catch (err) {
            throw new Error(`${f.name}: not valid JSON (${err.message})`);
          }
        };
      } else {
        control = h('input', { id, type: 'text', spellcheck: 'false', 'aria-describedby': hintId });
        if (f.required) control.value = f.name === 'namespace' ? 'NIST-AAL' : f.name.endsWith('level') ? 'nist-aal2' : 'example';
        read = () => control.value.trim() || undefined;
      }
      control.addEventListener('input', preview_);
      control.addEventListener('change', preview_);
      fieldInputs.push({ def: f, read });
      return h(
        'div',
        { class: 'field' },
        h('label', { for: id }, h('code', {}, f.name), f.required ? h('span', { class: 'req' }, ' required') : null, h('span', { class: 'type' }, ` ${f.type}`)),
        h('div', { class: 'row inline' }, control, extra),
        h('p', { class: 'hint', id: hintId }, f.description, f.values && f.type === 'open-enum' ? ` Usual values: ${f.values.join(', ')}.` : ''),
      );
    });
    fill($('b-fields'), rows.length ? rows : h('p', { class: 'muted' }, 'This event type has no fields.'));
    preview_();
  }

  function renderSubjectInputs() {
    const f = fmt.value;
    const members = SUBJECT_FORMATS[f];
    const info = h('p', { class: 'hint' }, FORMAT_INFO[f] || '');
    if (!members) {
      const ta = h('textarea', { id: 'b-subject-json', rows: 6, spellcheck: 'false' }, JSON.stringify(f === 'complex' ? COMPLEX_EXAMPLE : ALIASES_EXAMPLE, null, 2));
      ta.addEventListener('input', preview_);
      fill($('b-subject'), info, h('label', { for: 'b-subject-json', class: 'sub-label' }, 'sub_id as JSON'), ta);
    } else {
      fill(
        $('b-subject'),
        info,
        Object.entries(members).map(([name, example]) => {
          const input = h('input', { id: `bs-${name}`, type: 'text', spellcheck: 'false', value: example, 'data-member': name });
          input.addEventListener('input', preview_);
          return h('div', { class: 'row' }, h('label', { for: `bs-${name}` }, name), input);
        }),
      );
    }
    preview_();
  }

  function subject() {
    const f = fmt.value;
    if (!SUBJECT_FORMATS[f]) {
      try {
        return JSON.parse($('b-subject-json').value);
      } catch (e) {
        throw new Error(`sub_id: not valid JSON (${e.message})`);
      }
    }
    const s = { format: f };
    for (const input of $('b-subject').querySelectorAll('input[data-member]')) {
      const name = input.dataset.member;
      s[name] = f === 'ip-addresses' ? input.value.split(',').map((x) => x.trim()).filter(Boolean) : input.value.trim();
    }
    return s;
  }

  function claims() {
    const payload = {};
    for (const { def, read } of fieldInputs) {
      const v = read();
      if (v !== undefined) payload[def.name] = v;
    }
    const c = {};
    const iss = $('b-iss').value.trim();
    const aud = $('b-aud').value.trim();
    const txn = $('b-txn').value.trim();
    if (iss) c.iss = iss;
    if (aud) c.aud = aud.includes(' ') ? aud.split(/\s+/) : aud;
    if (txn) c.txn = txn;
    c.sub_id = subject();
    c.events = { [select.value]: payload };
    return c;
  }

  function preview_() {
    try {
      $('b-preview').textContent = JSON.stringify(claims(), null, 2);
      $('b-error').textContent = '';
    } catch (e) {
      $('b-error').textContent = e.message;
    }
  }

  function publicOf(jwk) {
    const pub = { ...jwk };
    for (const k of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) delete pub[k];
    return pub;
  }

  function keyChanged() {
    const text = $('b-key').value.trim();
    if (!text) {
      $('b-public').value = '';
      return;
    }
    try {
      const jwk = JSON.parse(text);
      if (jwk.alg && [...algSel.options].some((o) => o.value === jwk.alg)) algSel.value = jwk.alg;
      $('b-public').value = JSON.stringify({ keys: [publicOf(jwk)] }, null, 2);
    } catch {
      $('b-public').value = text.includes('PRIVATE KEY') ? '(a PEM key: paste its public JWK on the Inspect tab yourself)' : '';
    }
  }

  async function generate() {
    const button = $('b-generate');
    button.disabled = true;
    const old = button.textContent;
    button.textContent = algSel.value.startsWith('RS') || algSel.value.startsWith('PS') ? 'Generating (RSA takes a few seconds)…' : 'Generating…';
    await new Promise((r) => setTimeout(r, 30));
    try {
      const { privateJwk } = lib.generateKey(algSel.value);
      $('b-key').value = JSON.stringify(privateJwk, null, 2);
      keyChanged();
      $('b-error').textContent = '';
    } catch (e) {
      $('b-error').textContent = `Could not generate a key: ${e.message}`;
    } finally {
      button.disabled = false;
      button.textContent = old;
    }
  }

  function shellQuote(s) {
    return `'${s.replace(/'/g, `'\\''`)}'`;
  }

  function curlLine(token) {
    const endpoint = $('b-endpoint').value.trim() || 'https://receiver.example.com/ssf/push';
    const auth = $('b-auth').value.trim();
    return [
      `curl -sS -i -X POST ${shellQuote(endpoint)}`,
      `  -H 'Content-Type: application/secevent+jwt'`,
      `  -H 'Accept: application/json'`,
      auth ? `  -H ${shellQuote(`Authorization: ${auth}`)}` : null,
      `  --data-raw ${shellQuote(token)}`,
    ]
      .filter(Boolean)
      .join(' \\\n');
  }

  async function sign() {
    $('b-error').textContent = '';
    let c;
    try {
      c = claims();
    } catch (e) {
      $('b-error').textContent = e.message;
      return;
    }
    if (!$('b-key').value.trim()) await generate();
    try {
      const token = lib.signSet(c, { jwk: $('b-key').value.trim(), alg: algSel.value });
      $('b-token').value = token;
      $('b-curl').value = curlLine(token);
      $('b-result').hidden = false;
      $('b-token').focus();
      $('b-token').select();
    } catch (e) {
      $('b-result').hidden = true;
      $('b-error').textContent = `Not signed: ${e.message}${e.reason ? ` (${e.reason})` : ''}`;
    }
  }

  select.addEventListener('change', renderFields);
  fmt.addEventListener('change', renderSubjectInputs);
  for (const id of ['b-iss', 'b-aud', 'b-txn']) $(id).addEventListener('input', preview_);
  $('b-key').addEventListener('input', keyChanged);
  $('b-generate').addEventListener('click', generate);
  algSel.addEventListener('change', () => {
    const text = $('b-key').value.trim();
    try {
      if (text && JSON.parse(text).alg !== algSel.value) $('b-key').value = '';
      keyChanged();
    } catch {
      // A PEM key: kept; the signer says if the algorithm does not fit it.
    }
  });
  $('b-sign').addEventListener('click', sign);
  $('b-copy').addEventListener('click', () => copy($('b-token').value, $('b-copy')));
  $('b-copy-curl').addEventListener('click', () => copy($('b-curl').value, $('b-copy-curl')));
  for (const id of ['b-endpoint', 'b-auth']) {
    $(id).addEventListener('input', () => {
      if ($('b-token').value) $('b-curl').value = curlLine($('b-token').value);
    });
  }
  $('b-inspect').addEventListener('click', () => onInspect($('b-token').value, $('b-public').value));

  renderFields();
  renderSubjectInputs();
  document.documentElement.dataset.builder = 'ready';
}
