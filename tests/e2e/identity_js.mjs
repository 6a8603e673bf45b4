// amazon-cognito-identity-js against a real Cognate: sign-up, confirmation with the code from
// the development outbox, sign-in, attributes, refresh, forgotten password and its reset.
// Started by crates/cognate/tests/api/browser.rs with COGNATE_BASE, POOL_ID, CLIENT_ID.
import assert from 'node:assert/strict';
import pkg from 'amazon-cognito-identity-js';

const { CognitoUserPool, CognitoUser, CognitoUserAttribute, AuthenticationDetails } = pkg;
const base = process.env.COGNATE_BASE;
const pool = new CognitoUserPool({
  UserPoolId: process.env.POOL_ID,
  ClientId: process.env.CLIENT_ID,
  endpoint: base,
});
const username = `js-${Date.now()}`;
const email = `${username}@example.com`;
const password = 'Correct-Horse-9';

async function codeFor(to, after = 0) {
  for (let i = 0; i < 100; i++) {
    const list = await (await fetch(`${base}/_cognate/outbox.json?to=${encodeURIComponent(to)}`)).json();
    if (list.length > after) return list[0].body.match(/\d{6}/)[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no message to ${to}`);
}

const call = (fn) => new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));

// Sign-up: the answer names where the code went.
const signed = await call((cb) =>
  pool.signUp(username, password, [new CognitoUserAttribute({ Name: 'email', Value: email })], null, cb),
);
assert.equal(signed.userConfirmed, false);
assert.equal(signed.codeDeliveryDetails.DeliveryMedium, 'EMAIL');
const user = new CognitoUser({ Username: username, Pool: pool });

// A wrong code is refused with Cognito's error, the right one confirms.
await assert.rejects(call((cb) => user.confirmRegistration('000000x', true, cb)), (e) => e.code === 'CodeMismatchException');
const code = await codeFor(email);
assert.equal(await call((cb) => user.confirmRegistration(code, true, cb)), 'SUCCESS');

// Sign-in with the password flow (the library signs in with SRP unless told otherwise).
user.setAuthenticationFlowType('USER_PASSWORD_AUTH');
const session = await new Promise((resolve, reject) =>
  user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
    onSuccess: resolve,
    onFailure: reject,
  }),
);
assert.ok(session.isValid());
assert.equal(session.getIdToken().decodePayload().email, email);
const attributes = await call((cb) => user.getUserAttributes(cb));
assert.equal(attributes.find((a) => a.getName() === 'email_verified').getValue(), 'true');
const refreshed = await call((cb) => user.refreshSession(session.getRefreshToken(), cb));
assert.ok(refreshed.getAccessToken().getJwtToken());

// Forgotten password: a code by email, then a new password.
const before = (await (await fetch(`${base}/_cognate/outbox.json?to=${encodeURIComponent(email)}`)).json()).length;
const delivery = await new Promise((resolve, reject) =>
  user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve }),
);
assert.equal(delivery.CodeDeliveryDetails.AttributeName, 'email');
const resetCode = await codeFor(email, before);
await new Promise((resolve, reject) =>
  user.confirmPassword(resetCode, 'Brand-New-Pass-1', { onSuccess: resolve, onFailure: reject }),
);
const again = new CognitoUser({ Username: username, Pool: pool });
again.setAuthenticationFlowType('USER_PASSWORD_AUTH');
await new Promise((resolve, reject) =>
  again.authenticateUser(new AuthenticationDetails({ Username: username, Password: 'Brand-New-Pass-1' }), {
    onSuccess: resolve,
    onFailure: reject,
  }),
);
console.log(`amazon-cognito-identity-js: sign-up, confirmation, sign-in, refresh and password reset work for ${username}`);
