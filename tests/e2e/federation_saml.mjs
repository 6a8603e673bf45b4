// SAML sign-in in headless Chromium: authorize at Cognate (http://localhost) naming the SAML
// provider → samlify's IdP (tests/e2e/saml_idp.mjs, on 127.0.0.1: another site) checks the
// signed AuthnRequest and answers with an auto-posting form → Cognate's /saml2/idpresponse,
// a cross-site POST that must still carry the flow's binding cookie → the app's callback →
// tokens with the assertion's attributes.
import assert from 'node:assert/strict';
import { CALLBACK, env, launch } from './common.mjs';

const base = env('COGNATE_BASE');
const clientId = env('CLIENT_ID');

const { browser, page } = await launch();
try {
  await Promise.all([
    page.waitForURL((u) => u.toString().startsWith(CALLBACK), { timeout: 20000 }),
    page.goto(`${base}/oauth2/authorize?` + new URLSearchParams({
      response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state: 'st-saml',
      scope: 'openid email', identity_provider: 'Upstream',
    })),
  ]);
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('state'), 'st-saml');
  const code = landed.searchParams.get('code');
  assert.ok(code, `the app receives a code: ${page.url()}`);
  const res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK }),
  });
  assert.equal(res.status, 200);
  const tokens = await res.json();
  const id = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url'));
  assert.equal(id['cognito:username'], 'upstream_ada@example.com');
  assert.equal(id.email, 'ada@example.com');
  assert.equal(id.identities[0].providerType, 'SAML');
  console.log('SAML sign-in through samlify in Chromium: ok');
} finally {
  await browser.close();
}
