// The setup guide in Cognate's console, in headless Chromium: sign in with the admin
// credentials, "Create user pool", the five steps with the guide's answers (optional MFA with
// an authenticator app, a password policy, email verification, the development outbox, a
// hosted UI domain, a confidential client with a secret, the example app's callback and
// sign-out URLs, 60-minute tokens), Review, Create; then the client page's ID and secret.
// Every step is checked with axe-core and photographed. Prints POOL_ID=, CLIENT_ID=,
// CLIENT_SECRET= for the Rust test, which then runs the example app against them.
import assert from 'node:assert/strict';
import { axeAudit, env, launch } from './common.mjs';

const base = env('COGNATE_BASE');
const artifacts = env('ARTIFACTS');

const { browser, page } = await launch({ standIn: false, bypassCSP: true });
const shot = async (name) => {
  await axeAudit(page, name);
  await page.screenshot({ path: `${artifacts}/wizard-${name}.png`, fullPage: true });
};
const next = () => Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Next' }).click()]);
try {
  await page.goto(`${base}/console`);
  await page.getByLabel('Access key ID').fill(env('ACCESS_KEY'));
  await page.getByLabel('Secret access key').fill(env('SECRET_KEY'));
  await Promise.all([page.waitForURL(/\/console\/pools$/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Create user pool' }).click()]);

  // Step 1: the Cognito user pool provider, signing in with a user name or an email.
  await page.getByRole('heading', { name: 'Step 1: Configure sign-in experience' }).waitFor();
  await page.getByLabel('Email').check();
  await shot('1-sign-in');
  await next();
  // Step 2: security requirements.
  await page.getByRole('heading', { name: 'Step 2: Configure security requirements' }).waitFor();
  await page.getByLabel('Custom').check();
  await page.getByLabel('Password minimum length').fill('10');
  await page.getByLabel('Optional MFA').check();
  await page.getByLabel('Authenticator apps').check();
  await shot('2-security');
  await next();
  // Step 3: the sign-up experience, as it comes.
  await page.getByRole('heading', { name: 'Step 3: Configure sign-up experience' }).waitFor();
  assert.ok(await page.getByLabel('Send email message, verify email address').isChecked());
  await shot('3-sign-up');
  await next();
  // Step 4: message delivery (the development outbox here).
  await page.getByRole('heading', { name: 'Step 4: Configure message delivery' }).waitFor();
  await shot('4-messages');
  await next();
  // Step 5: integrate the app.
  await page.getByRole('heading', { name: 'Step 5: Integrate your app' }).waitFor();
  await page.getByLabel('User pool name').fill('seed-app-pool');
  assert.ok(await page.getByLabel('Use the Cognito Hosted UI').isChecked());
  await page.getByLabel('Cognito domain prefix').fill('seed-app-console');
  await page.getByLabel('Confidential client').check();
  await page.getByLabel('App client name').fill('seed-app');
  assert.ok(await page.getByLabel('Generate a client secret').isChecked());
  await page.getByLabel('Allowed callback URLs (one per line)').fill('http://localhost:5000/postlogin');
  await page.getByText('Advanced app client settings').click();
  await page.getByLabel('Access token expiration (minutes)').fill('60');
  await page.getByLabel('ID token expiration (minutes)').fill('60');
  await page.getByLabel('Allowed sign-out URLs (one per line)').fill('http://localhost:5000/postlogout');
  await shot('5-integrate');
  await next();
  await page.getByRole('heading', { name: 'Step 6: Review and create' }).waitFor();
  await shot('6-review');
  await Promise.all([page.waitForURL(/\/console\/pools\/[^/]+$/), page.getByRole('button', { name: 'Create user pool' }).click()]);
  const poolId = page.url().split('/').pop();
  await shot('pool');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'seed-app', exact: true }).click()]);
  await shot('client');
  const clientId = (await page.textContent('#client-id')).trim();
  const secret = (await page.textContent('#client-secret')).trim();
  assert.ok(await page.getByRole('link', { name: 'View hosted UI' }).count());
  console.log(`POOL_ID=${poolId}`);
  console.log(`CLIENT_ID=${clientId}`);
  console.log(`CLIENT_SECRET=${secret}`);
} finally {
  await browser.close();
}
