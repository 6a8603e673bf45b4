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

// Goes through the provider's login and consent as `login`, starting at Cognate's authorize
// for `provider`; the URL the browser lands on at the app.
async function throughProvider(page, provider, login, state) {
  await page.context().clearCookies();
  await page.goto(`${base}/oauth2/authorize?` + new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, state,
    scope: 'openid email', identity_provider: provider,
  }));
  for (let step = 0; step < 4 && !page.url().startsWith(CALLBACK); step += 1) {
    const upstream = new URL(page.url());
    assert.equal(upstream.port, String(port), `the browser is at the provider: ${page.url()}`);
    if (await page.locator('input[name=login]').count()) {
      await page.fill('input[name=login]', login);
      await page.fill('input[name=password]', 'any');
    }
    // The login, then the consent the provider asks for once.
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }
  await page.waitForURL((u) => u.toString().startsWith(CALLBACK));
  return new URL(page.url());
}

async function tokensFor(landed, state) {
  assert.equal(landed.searchParams.get('state'), state);
  const code = landed.searchParams.get('code');
  assert.ok(code, `the app receives a code: ${landed}`);
  const res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: CALLBACK }),
  });
  assert.equal(res.status, 200);
  const tokens = await res.json();
  return JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url'));
}

const { browser, page } = await launch();
try {
  let id = await tokensFor(await throughProvider(page, 'Panva', 'lin', 'st-panva'), 'st-panva');
  assert.equal(id['cognito:username'], 'panva_lin');
  assert.equal(id.email, 'lin@panva.test', 'mapped from the provider\'s userInfo');
  assert.equal(id.given_name, 'Lin');
  assert.equal(id.identities[0].providerName, 'Panva');
  assert.equal(id.identities[0].userId, 'lin');
  console.log('federated sign-in through node-oidc-provider: ok');

  // kim is linked to an existing user (AdminLinkProviderForUser): that user signs in.
  id = await tokensFor(await throughProvider(page, 'Panva', 'kim', 'st-linked'), 'st-linked');
  assert.equal(id['cognito:username'], env('LINKED_USERNAME'));
  console.log('a linked federated sign-in: ok');

  // The same provider behind a token endpoint that alters the ID token: refused.
  const landed = await throughProvider(page, 'Tampered', 'lin', 'st-tampered');
  assert.equal(landed.searchParams.get('error'), 'invalid_request', `${landed}`);
  assert.match(landed.searchParams.get('error_description'), /^Invalid ID token: /);
  assert.equal(landed.searchParams.get('code'), null);
  console.log('a tampered ID token refused: ok');
} finally {
  await browser.close();
  server.close();
}
