// The example app (examples/seed-app on port 5000), configured with the pool and client the
// console just made, signs a user in through the pool's hosted UI.
import assert from 'node:assert/strict';
import { env, launch, signIn } from './common.mjs';

const app = 'http://localhost:5000';
const { browser, page } = await launch({ standIn: false });
try {
  await page.goto(`${app}/claims`);
  assert.equal(new URL(page.url()).pathname, '/login', `the hosted sign-in page: ${page.url()}`);
  assert.equal(await signIn(page, env('USERNAME'), env('PASSWORD')), `${app}/claims`);
  const id = JSON.parse(await page.textContent('#id-claims'));
  assert.equal(id['cognito:username'], env('USERNAME'));
  assert.deepEqual(id.aud, [env('CLIENT_ID')]);
  console.log('the example app signs in against the pool made in the console: ok');
} finally {
  await browser.close();
}
