// Shared set-up of the browser tests: a tiny static server for www/dist, a second origin
// playing an SSF transmitter (JWKS + /.well-known/ssf-configuration, with CORS), and
// Debian's Chromium driven by playwright-core. Every request the browser makes is recorded.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const DIST = path.join(ROOT, 'www', 'dist');
export const VECTORS = process.env.SSF_VECTORS || path.resolve(ROOT, '..', 'shared', 'vectors');
export const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.json': 'application/json',
};

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Serves www/dist. */
export async function startStatic() {
  const server = await listen((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.normalize(path.join(DIST, decodeURIComponent(url.pathname)));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    });
  });
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/**
 * A transmitter on another origin. `keys` is what its jwks_uri serves; discovery lives at
 * /.well-known/ssf-configuration (issuer = origin) and /.well-known/ssf-configuration/tenant1.
 * Records each request (method, url, headers, body).
 */
export async function startTransmitter() {
  const t = { keys: { keys: [] }, requests: [] };
  const server = await listen((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      t.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const origin = t.url;
      const cors = { 'access-control-allow-origin': '*', 'content-type': 'application/json', 'cache-control': 'no-store' };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, 'access-control-allow-headers': '*' }).end();
        return;
      }
      const p = new URL(req.url, 'http://x').pathname;
      if (p === '/jwks.json' || p === '/tenant1/keys') {
        res.writeHead(200, cors).end(JSON.stringify(t.keys));
      } else if (p === '/.well-known/ssf-configuration' || p === '/.well-known/ssf-configuration/tenant1') {
        const tenant = p.endsWith('/tenant1');
        res.writeHead(200, cors).end(
          JSON.stringify({
            spec_version: '1_0',
            issuer: tenant ? `${origin}/tenant1` : origin,
            jwks_uri: tenant ? `${origin}/tenant1/keys` : `${origin}/jwks.json`,
            delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'],
          }),
        );
      } else if (p === '/no-cors.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(t.keys));
      } else {
        res.writeHead(404, cors).end('{}');
      }
    });
  });
  t.server = server;
  t.url = `http://127.0.0.1:${server.address().port}`;
  return t;
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh page that records every request and console error. */
export async function openPage(browser, url, { colorScheme = 'light', viewport = { width: 1360, height: 900 } } = {}) {
  const context = await browser.newContext({ colorScheme, viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), headers: r.headers(), body: r.postData() || '' }));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  return { page, context, requests, errors };
}

/** Pastes text into the token box and waits for the page to show it. */
export async function paste(page, text) {
  await page.getByTestId('token-input').fill(text);
  await page.waitForFunction(
    (t) => {
      const el = document.getElementById('token-input');
      return el.value === t && document.getElementById('issues').textContent.trim() !== '' && !/Paste a SET|Loading/.test(document.getElementById('issues').textContent);
    },
    text,
    { timeout: 10000 },
  );
  await page.waitForTimeout(200);
}

export async function setJwks(page, text) {
  await page.getByTestId('jwks-input').fill(text);
  await page.waitForTimeout(300);
}

export async function shot(page, name, opts = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, ...opts });
  return file;
}

export function vector(rel) {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, rel), 'utf8'));
}

export function vectorFiles(dir) {
  return fs
    .readdirSync(path.join(VECTORS, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}
