// Federated sign-in in headless Chromium with an independent OpenID provider upstream:
// node-oidc-provider (panva), started here with its development login and consent pages.
// authorize at Cognate naming the provider → the provider's login → consent → Cognate's
// /oauth2/idpresponse → the app's callback → tokens whose claims come from the provider.
import assert from 'node:assert/strict';
import Provider from 'oidc-provider';
import { CALLBACK, env, launch } from './common.mjs';

const base = env('COGNATE_BASE');
const port = Number(env('UPSTREAM_PORT'));
const clientId = env('CLIENT_ID');

const provider = new Provider(`http://localhost:${port}`, {
  clients: [{
    client_id: env('UPSTREAM_CLIENT_ID'),
    client_secret: env('UPSTREAM_CLIENT_SECRET'),
    redirect_uris: [`${base}/oauth2/idpresponse`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name'] },
  findAccount: async (_, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: `${id}@panva.test`, email_verified: true, given_name: 'Lin' }),
  }),
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
provider.on('server_error', (_, err) => console.error('upstream error', err));
const server = provider.listen(port);

const { browser, page } = await launch();
try {
  await page.goto(`${base}/oauth2/authorize?` + new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state: 'st-panva',
    scope: 'openid email', identity_provider: 'Panva',
  }));
  const upstream = new URL(page.url());
  assert.equal(upstream.port, String(port), `the browser is at the provider: ${page.url()}`);
  await page.fill('input[name=login]', 'lin');
  await page.fill('input[name=password]', 'any');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  // The provider asks for consent once.
  await Promise.all([
    page.waitForURL((u) => u.toString().startsWith(CALLBACK)),
    page.click('button[type=submit]'),
  ]);
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('state'), 'st-panva');
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
  assert.equal(id['cognito:username'], 'panva_lin');
  assert.equal(id.email, 'lin@panva.test', 'mapped from the provider\'s userInfo');
  assert.equal(id.given_name, 'Lin');
  assert.equal(id.identities[0].providerName, 'Panva');
  assert.equal(id.identities[0].userId, 'lin');
  console.log('federated sign-in through node-oidc-provider: ok');
} finally {
  await browser.close();
  server.close();
}
