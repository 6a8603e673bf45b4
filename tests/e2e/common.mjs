// Shared by the browser tests: settings from the Rust test that started Cognate, and a
// headless Debian Chromium driven by playwright-core (no browser download).
import dns from 'node:dns';
import http from 'node:http';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

// `localhost` in the issuer must reach the IPv4 loopback Cognate listens on.
dns.setDefaultResultOrder('ipv4first');

export const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} must be set`);
  return v;
};

export const CALLBACK = 'http://localhost:5000/postlogin';
export const SIGN_OUT = 'http://localhost:5000/postlogout';

/// `standIn: false` when the test runs the real app on port 5000.
/// `bypassCSP` lets a test inject axe-core into pages whose policy allows no scripts.
export async function launch({ standIn = true, bypassCSP = false } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ bypassCSP });
  const page = await context.newPage();
  // The app of the setup guide is not running: stand in for it, so the browser lands there.
  const app = standIn && http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<p>the app</p>');
  });
  if (app) await new Promise((resolve) => app.listen(5000, '127.0.0.1', resolve));
  const close = async () => {
    await browser.close();
    if (app) await new Promise((resolve) => app.close(resolve));
  };
  return { browser: { close }, page };
}

/// Fills the hosted login form and submits it; resolves with the URL the browser lands on.
export async function signIn(page, username, password) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.click('button[type=submit]'),
  ]);
  return page.url();
}

/// Checks the page with axe-core (WCAG 2.1 A/AA and best practices): no serious or critical
/// violation. Needs a context made with `bypassCSP: true` where pages allow no scripts.
export async function axeAudit(page, name) {
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    throw new Error(`accessibility of ${name}: ${bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`).join('; ')}`);
  }
  return result.passes.length;
}
