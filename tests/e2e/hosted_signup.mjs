// Self-service in the hosted UI, in headless Chromium: from the sign-in page, sign up, confirm
// with the emailed code (read from the development outbox), sign in and land on the callback;
// then "Forgot your password?", the code, a new password, and sign in with it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CALLBACK, env, launch, signIn } from './common.mjs';

const base = env('COGNATE_BASE');
const clientId = env('CLIENT_ID');
const artifacts = env('ARTIFACTS');
const email = `chromium-${Date.now()}@example.com`;
const authorize = `${base}/oauth2/authorize?` + new URLSearchParams({
  response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state: 'state-signup', scope: 'openid email',
});

async function codeFor(to, after = 0) {
  for (let i = 0; i < 100; i++) {
    const list = await (await fetch(`${base}/_cognate/outbox.json?to=${encodeURIComponent(to)}`)).json();
    if (list.length > after) return list[0].body.match(/\d{6}/)[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no message to ${to}`);
}

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name), fullPage: true });

const { browser, page } = await launch();
try {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.goto(authorize);
  await Promise.all([page.waitForURL(/\/signup\?/), page.click('text=Sign up')]);
  assert.match(await page.textContent('.hint'), /at least 8 characters/);
  await shot(page, 'signup.png');

  // A weak password: Cognito's message, the form again with what was typed.
  await page.fill('#username', email);
  await page.fill('#password', 'weak');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('[role=alert]'), /Password did not conform with policy/);
  assert.equal(await page.inputValue('#username'), email);

  await page.fill('#password', 'Chromium-Pass-1');
  await Promise.all([page.waitForURL(/\/confirm\?/), page.click('button[type=submit]')]);
  await shot(page, 'confirm.png');
  await page.fill('#code', await codeFor(email));
  await Promise.all([page.waitForURL(/\/login\?/), page.click('button[type=submit]')]);
  assert.match(await page.textContent('[role=status]'), /Your account is confirmed/);

  // The same authorization request goes on: sign in, land on the callback with a code.
  let landed = new URL(await signIn(page, email, 'Chromium-Pass-1'));
  assert.equal(`${landed.origin}${landed.pathname}`, CALLBACK);
  assert.equal(landed.searchParams.get('state'), 'state-signup');
  assert.ok(landed.searchParams.get('code'));

  // Forgotten password, in a fresh browser session.
  await page.context().clearCookies();
  await page.goto(authorize);
  const before = (await (await fetch(`${base}/_cognate/outbox.json?to=${encodeURIComponent(email)}`)).json()).length;
  await Promise.all([page.waitForURL(/\/forgotPassword\?/), page.click('text=Forgot your password?')]);
  await page.fill('#username', email);
  await Promise.all([page.waitForURL(/\/confirmForgotPassword\?/), page.click('button[type=submit]')]);
  await shot(page, 'reset.png');
  await page.fill('#code', await codeFor(email, before));
  await page.fill('#password', 'Chromium-Pass-2');
  await Promise.all([page.waitForURL(/\/login\?/), page.click('button[type=submit]')]);
  assert.match(await page.textContent('[role=status]'), /Your password has been changed/);
  landed = new URL(await signIn(page, email, 'Chromium-Pass-2'));
  assert.equal(`${landed.origin}${landed.pathname}`, CALLBACK);
  console.log(`hosted sign-up, confirmation, sign-in and password reset work for ${email}`);
} finally {
  await browser.close();
}
