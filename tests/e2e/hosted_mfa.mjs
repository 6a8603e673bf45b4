// The second factor on the hosted pages, in headless Chromium, on a pool where MFA is ON
// with authenticator apps and text messages:
// - a user with a temporary password chooses a new one, then sets up an authenticator from
//   the key shown beside the QR code (codes from otplib), and lands on the callback; they
//   sign out (/logout) and sign in again with a code from the app;
// - a user with a phone number gets a texted code (read from the development outbox).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { authenticator } from 'otplib';
import { CALLBACK, SIGN_OUT, env, launch } from './common.mjs';

const base = env('COGNATE_BASE');
const clientId = env('CLIENT_ID');
const artifacts = env('ARTIFACTS');
const authorize = `${base}/oauth2/authorize?` + new URLSearchParams({
  response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state: 'state-mfa', scope: 'openid',
});

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name), fullPage: true });

async function password(page, username, pass) {
  await page.goto(authorize);
  await page.fill('#username', username);
  await page.fill('#password', pass);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
}

async function submitTo(page, expected) {
  await Promise.all([page.waitForURL(expected), page.click('button[type=submit]')]);
  return new URL(page.url());
}

function landed(url) {
  assert.equal(`${url.origin}${url.pathname}`, CALLBACK);
  assert.equal(url.searchParams.get('state'), 'state-mfa');
  assert.ok(url.searchParams.get('code'));
}

async function textedCode(to) {
  for (let i = 0; i < 100; i++) {
    const list = await (await fetch(`${base}/_cognate/outbox.json?to=${encodeURIComponent(to)}`)).json();
    if (list.length > 0) return list[0].body.match(/\d{6}/)[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no message to ${to}`);
}

const { browser, page } = await launch();
try {
  fs.mkdirSync(artifacts, { recursive: true });

  // A new password first (the temporary one), then the authenticator setup.
  await password(page, env('SETUP_USER'), env('TEMPORARY_PASSWORD'));
  assert.match(await page.textContent('h1'), /Change password/);
  await page.fill('#new_password', 'Chromium-Mfa-Pass-1');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  assert.match(await page.textContent('h1'), /Set up an authenticator app/);
  assert.equal(await page.locator('.qr svg').count(), 1, 'a QR code');
  await shot(page, 'mfa-setup.png');
  const key = (await page.textContent('#secret')).replace(/\s+/g, '');
  assert.equal(key.length, 52);

  await page.fill('#code', '000000');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  assert.match(await page.textContent('[role=alert]'), /Code mismatch/);
  assert.equal((await page.textContent('#secret')).replace(/\s+/g, ''), key, 'the same key again');

  // The previous step's code: the current one stays fresh for the sign-in below.
  const previous = authenticator.clone({ epoch: Date.now() - 30_000 });
  await page.fill('#code', previous.generate(key));
  await page.fill('#device_name', 'Chromium');
  landed(await submitTo(page, (u) => u.href.startsWith(CALLBACK)));

  // Signed out: the sign-in page again, the password, then a code from the app.
  await page.goto(`${base}/logout?` + new URLSearchParams({ client_id: clientId, logout_uri: SIGN_OUT }));
  assert.equal(page.url(), SIGN_OUT);
  await password(page, env('SETUP_USER'), 'Chromium-Mfa-Pass-1');
  assert.match(await page.textContent('#prompt'), /authenticator app/);
  await shot(page, 'mfa-code.png');
  await page.fill('#code', authenticator.generate(key));
  landed(await submitTo(page, (u) => u.href.startsWith(CALLBACK)));

  // A user with a phone number: the code comes by text message.
  await page.context().clearCookies();
  await password(page, env('SMS_USER'), env('PASSWORD'));
  assert.match(await page.textContent('#prompt'), /text message to \+\*+\d{4}/);
  await shot(page, 'mfa-sms.png');
  await page.fill('#code', await textedCode(env('SMS_PHONE')));
  landed(await submitTo(page, (u) => u.href.startsWith(CALLBACK)));
  console.log('hosted MFA: new password, authenticator setup with a QR code, app code, texted code');
} finally {
  await browser.close();
}
