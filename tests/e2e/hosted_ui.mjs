// The whole browser journey of the setup guide, in headless Chromium:
// authorize → login form → callback with code and state → token exchange → userInfo →
// silent second authorize → logout to the sign-out URL → the form again.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CALLBACK, SIGN_OUT, env, launch, signIn } from './common.mjs';

const base = env('COGNATE_BASE');
const clientId = env('CLIENT_ID');
const secret = env('CLIENT_SECRET');
const artifacts = env('ARTIFACTS');

const verifier = crypto.randomBytes(32).toString('base64url');
const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
const authorize = `${base}/oauth2/authorize?` + new URLSearchParams({
  response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state: 'state-xyz',
  scope: 'openid email profile', nonce: 'nonce-abc', code_challenge: challenge, code_challenge_method: 'S256',
});

const { browser, page } = await launch();
try {
  await page.goto(authorize);
  assert.match(new URL(page.url()).pathname, /^\/login$/, 'authorize shows the login page');
  assert.equal(await page.getAttribute('label[for=username]', 'for'), 'username');
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, 'login.png'), fullPage: true });

  // A wrong password shows Cognito's message and stays on the form.
  await page.fill('#username', env('USERNAME'));
  await page.fill('#password', 'Wrong-Pass-1');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('[role=alert]'), /Incorrect username or password\./);

  const landed = new URL(await signIn(page, env('USERNAME'), env('PASSWORD')));
  assert.equal(`${landed.origin}${landed.pathname}`, CALLBACK);
  assert.equal(landed.searchParams.get('state'), 'state-xyz');
  const code = landed.searchParams.get('code');
  assert.ok(code, 'the callback receives a code');

  const tokenResponse = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${clientId}:${secret}`).toString('base64'),
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }),
  });
  assert.equal(tokenResponse.status, 200);
  const tokens = await tokenResponse.json();
  assert.ok(tokens.access_token && tokens.id_token && tokens.refresh_token);

  const info = await (await fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
  assert.equal(info.username, env('USERNAME'));
  assert.equal(info.email, env('EMAIL'));

  // Within the session a second authorize signs in without the form.
  await page.goto(authorize.replace('state-xyz', 'second'));
  const silent = new URL(page.url());
  assert.equal(`${silent.origin}${silent.pathname}`, CALLBACK, 'single sign-on');
  assert.equal(silent.searchParams.get('state'), 'second');

  // Logout lands on the sign-out URL; afterwards authorize shows the form again.
  await page.goto(`${base}/logout?` + new URLSearchParams({ client_id: clientId, logout_uri: SIGN_OUT }));
  assert.equal(page.url(), SIGN_OUT);
  await page.goto(authorize);
  assert.match(new URL(page.url()).pathname, /^\/login$/, 'signed out');
  console.log('hosted UI journey: ok');
} finally {
  await browser.close();
}
