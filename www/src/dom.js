// Shared by the inspector (app.js) and the operator console (console.js): building
// elements from untrusted text (only ever as text nodes) and the colour theme switch.

export const $ = (id) => document.getElementById(id);

/** Builds an element: h('p', {class: 'x'}, 'text', child). Strings become text nodes. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** The same for SVG elements (the console's chart). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

const THEMES = ['auto', 'light', 'dark'];

/** The theme button: automatic, light, dark; remembered across pages when storage allows. */
export function initTheme(button) {
  const apply = (theme) => {
    if (theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    button.textContent = { auto: '◐ Auto', light: '☀ Light', dark: '☾ Dark' }[theme];
    button.setAttribute('aria-label', `Colour theme: ${theme === 'auto' ? 'automatic' : theme}`);
  };
  let theme = 'auto';
  try {
    theme = localStorage.getItem('set-inspector-theme') || 'auto';
  } catch {
    // Storage may be off; the theme then follows the system.
  }
  if (!THEMES.includes(theme)) theme = 'auto';
  apply(theme);
  button.addEventListener('click', () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    apply(theme);
    try {
      localStorage.setItem('set-inspector-theme', theme);
    } catch {
      // Not remembered; harmless.
    }
  });
}
