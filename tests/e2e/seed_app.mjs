// The setup guide's example app (examples/seed-app, on port 5000) against a real Cognate, in
// headless Chromium: sign-in redirects, group guards, refresh, logout with revocation.
// Prints `REFRESH_COOKIE=<value>` (the encrypted refresh cookie from before the logout) so
// the Rust test can show that the token it holds is now refused with invalid_grant.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SIGN_OUT, env, launch, signIn } from './common.mjs';

const app = 'http://localhost:5000';
const cognate = new URL(env('COGNATE_BASE')).origin;
const clientId = env('CLIENT_ID');
const artifacts = env('ARTIFACTS');
const [admin, adminPassword] = env('ADMIN').split(':');
const [editor, editorPassword] = env('EDITOR').split(':');
const [reader, readerPassword] = env('READER').split(':');

const json = async (page, id) => JSON.parse(await page.textContent(`#${id}`));
const cookie = async (page, name) =>
  (await page.context().cookies(app)).find((c) => c.name === name);

/// Opens a protected page while signed out: the app sends the browser to Cognate's sign-in
/// page, and after signing in, back to that page.
async function signInThrough(page, target, username, password) {
  await page.goto(`${app}${target}`);
  const login = new URL(page.url());
  assert.equal(login.origin, cognate, `signed out, ${target} leads to Cognate`);
  assert.equal(login.pathname, '/login', 'the hosted sign-in page');
  assert.equal(login.searchParams.get('client_id'), clientId);
  assert.equal(await signIn(page, username, password), `${app}${target}`, 'back where we started');
}

async function signOut(page) {
  await page.goto(`${app}/logout`);
  assert.equal(page.url(), SIGN_OUT, 'the provider sends the browser to /postlogout');
  assert.match(await page.textContent('#signed-out'), /signed out/);
  assert.equal(await cookie(page, 'cognito_access_token'), undefined, 'cookies cleared');
}

const { browser, page } = await launch({ standIn: false });
const visited = [];
page.on('request', (r) => visited.push(new URL(r.url()).pathname));
try {
  fs.mkdirSync(artifacts, { recursive: true });
  const home = await page.goto(`${app}/`);
  assert.equal(home.status(), 200, 'the home page is public');

  // An admin signs in from /claims and sees the verified claims of both tokens.
  await signInThrough(page, '/claims', admin, adminPassword);
  const access = await json(page, 'access-claims');
  const id = await json(page, 'id-claims');
  assert.equal(access.username, admin);
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, clientId);
  assert.deepEqual(access['cognito:groups'], ['admin']);
  assert.equal(id['cognito:username'], admin);
  assert.equal(id.email, `${admin}@example.com`);
  assert.deepEqual(id.aud, [clientId]);
  await page.screenshot({ path: path.join(artifacts, 'seed-app-claims.png'), fullPage: true });
  const accessCookie = await cookie(page, 'cognito_access_token');
  assert.ok(accessCookie.httpOnly, 'tokens live in HttpOnly cookies');

  assert.equal((await page.goto(`${app}/admin`)).status(), 200);
  assert.match(await page.textContent('#welcome'), /Administrators only/);
  assert.equal((await page.goto(`${app}/edit`)).status(), 200, 'admin is allowed to edit');

  // Refresh 1: without an access cookie, the app refreshes before showing the page.
  await page.context().clearCookies({ name: 'cognito_access_token' });
  visited.length = 0;
  await page.goto(`${app}/claims`);
  assert.equal(page.url(), `${app}/claims`, 'no sign-in page');
  assert.ok(visited.includes('/refresh'), `went through /refresh: ${visited}`);
  const refreshed = await json(page, 'access-claims');
  assert.notEqual(refreshed.jti, access.jti, 'a new access token');
  assert.equal(refreshed.sub, access.sub);
  assert.equal(refreshed.origin_jti, access.origin_jti, 'the same session');
  // Refresh 2: the page's button posts to /refresh and comes back.
  await Promise.all([page.waitForURL(`${app}/claims`), page.click('text=Refresh tokens')]);
  const again = await json(page, 'access-claims');
  assert.notEqual(again.jti, refreshed.jti, 'newer still');
  assert.ok(again.exp >= refreshed.exp, 'the session is extended');
  // Refresh 3: a script's POST answers 204 and sets new cookies.
  const before = (await cookie(page, 'cognito_access_token')).value;
  const posted = await page.request.post(`${app}/refresh`, { maxRedirects: 0 });
  assert.equal(posted.status(), 204);
  assert.notEqual((await cookie(page, 'cognito_access_token')).value, before);

  // Logout revokes the refresh token; the old cookie no longer refreshes anything.
  const held = await cookie(page, 'cognito_refresh_token');
  assert.ok(held?.httpOnly, 'the refresh token is kept in an HttpOnly cookie');
  await signOut(page);
  await page.context().addCookies([{ name: held.name, value: held.value, url: app }]);
  const refused = await page.request.post(`${app}/refresh`, { maxRedirects: 0 });
  assert.equal(refused.status(), 303, 'the revoked refresh token is refused');
  assert.equal(refused.headers().location, '/login', 'and the app asks for a new sign-in');
  console.log(`REFRESH_COOKIE=${held.value}`);

  // Signed out, /claims leads to the sign-in page again (the hosted-UI session ended too).
  // An editor may edit but is not an admin.
  await signInThrough(page, '/claims', editor, editorPassword);
  assert.deepEqual((await json(page, 'access-claims'))['cognito:groups'], ['editor']);
  assert.equal((await page.goto(`${app}/edit`)).status(), 200);
  const forbidden = await page.goto(`${app}/admin`);
  assert.equal(forbidden.status(), 403, 'editors are not admins');
  assert.match(await page.textContent('#forbidden'), /admin group/);
  await page.screenshot({ path: path.join(artifacts, 'seed-app-forbidden.png'), fullPage: true });
  await signOut(page);

  // A user in no group reaches only /claims.
  await signInThrough(page, '/edit', reader, readerPassword);
  assert.equal((await page.goto(`${app}/edit`)).status(), 403, 'readers are not editors');
  assert.equal((await page.goto(`${app}/claims`)).status(), 200);
  await signOut(page);
  console.log('seed-app journey: ok');
} finally {
  await browser.close();
}
