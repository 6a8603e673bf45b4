// Interop with openid-client, a certified OpenID Connect relying party: discovery,
// authorization code with PKCE, ID token validation (signature, iss, aud, exp, nonce),
// userinfo and refresh.
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { CALLBACK, env, launch, signIn } from './common.mjs';

const issuer = new URL(env('ISSUER'));
const config = await client.discovery(issuer, env('CLIENT_ID'), env('CLIENT_SECRET'), undefined, {
  execute: [client.allowInsecureRequests],
});
assert.equal(config.serverMetadata().issuer, issuer.href);

const codeVerifier = client.randomPKCECodeVerifier();
const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
const nonce = client.randomNonce();
const state = client.randomState();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: CALLBACK, scope: 'openid email profile', code_challenge: codeChallenge,
  code_challenge_method: 'S256', nonce, state,
});

const { browser, page } = await launch();
let callback;
try {
  await page.goto(url.href);
  callback = await signIn(page, env('USERNAME'), env('PASSWORD'));
} finally {
  await browser.close();
}

const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: codeVerifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true,
});
const claims = tokens.claims();
assert.equal(claims.iss, issuer.href);
assert.equal(claims.aud, env('CLIENT_ID'));
assert.equal(claims.nonce, nonce);
assert.equal(claims.email, env('EMAIL'));

const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
assert.equal(info.sub, claims.sub);
assert.equal(info.email, env('EMAIL'));

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
assert.ok(refreshed.access_token);
assert.equal(refreshed.claims().sub, claims.sub);
console.log('openid-client interop: ok');
