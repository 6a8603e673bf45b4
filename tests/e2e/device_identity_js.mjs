// Remembered devices from amazon-cognito-identity-js against a real Cognate, in a pool that
// tracks devices (ChallengeRequiredOnNewDevice) with optional TOTP:
// - a first sign-in gets NewDeviceMetadata, and the library confirms the device itself
//   (ConfirmDevice with its SRP verifier) and keeps its key and password;
// - the user sets up TOTP; a sign-in from the remembered device then skips MFA through
//   DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER; a sign-in from another device (another
//   storage) is asked for a code;
// - refreshSession sends the device key; listDevices shows the device; forgetDevice forgets it.
// Started by crates/cognate/tests/api/browser.rs with COGNATE_BASE, POOL_ID, CLIENT_ID,
// USERNAME, PASSWORD.
import assert from 'node:assert/strict';
import pkg from 'amazon-cognito-identity-js';
import { authenticator } from 'otplib';

const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;
const { COGNATE_BASE: base, POOL_ID, CLIENT_ID, USERNAME, PASSWORD } = process.env;

// One browser's storage: what the library keeps between sign-ins (tokens, device key).
function storage() {
  const items = new Map();
  return {
    setItem: (k, v) => items.set(k, String(v)),
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    removeItem: (k) => items.delete(k),
    clear: () => items.clear(),
  };
}
const phone = new CognitoUserPool({ UserPoolId: POOL_ID, ClientId: CLIENT_ID, endpoint: base, Storage: storage() });
const laptop = new CognitoUserPool({ UserPoolId: POOL_ID, ClientId: CLIENT_ID, endpoint: base, Storage: storage() });
const details = new AuthenticationDetails({ Username: USERNAME, Password: PASSWORD });
const on = (pool) => new CognitoUser({ Username: USERNAME, Pool: pool, Storage: pool.storage });

function signIn(user, { mfaCode } = {}) {
  const asked = [];
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session) => resolve({ session, asked }),
      onFailure: reject,
      totpRequired(name) {
        asked.push(name);
        if (!mfaCode) return reject(new Error('a code was asked'));
        user.sendMFACode(mfaCode(), callbacks, 'SOFTWARE_TOKEN_MFA');
      },
    };
    user.authenticateUser(details, callbacks);
  });
}

// First sign-in on the phone: the device is offered, confirmed by the library and cached.
const user = on(phone);
await signIn(user);
const deviceKey = phone.storage.getItem(`CognitoIdentityServiceProvider.${CLIENT_ID}.${USERNAME}.deviceKey`);
assert.match(deviceKey ?? '', /^[a-z0-9-]+_[0-9a-f-]{36}$/, 'the device key is cached');

// TOTP for the user.
const secret = await new Promise((resolve, reject) =>
  user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
await new Promise((resolve, reject) =>
  user.verifySoftwareToken(authenticator.generate(secret), 'phone-app', { onSuccess: resolve, onFailure: reject }));
await new Promise((resolve, reject) =>
  user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, (e, r) => (e ? reject(e) : resolve(r))));

// The remembered phone signs in without a code.
const remembered = on(phone);
const { session, asked } = await signIn(remembered);
assert.deepEqual(asked, [], 'no MFA on the remembered device');
assert.equal(session.getAccessToken().decodePayload().device_key, deviceKey);

// Another device is asked for a code (the verification's code is spent: the next step's).
const next = authenticator.clone({ epoch: Date.now() + 30_000 });
const laptopUser = on(laptop);
const elsewhere = await signIn(laptopUser, { mfaCode: () => next.generate(secret) });
assert.deepEqual(elsewhere.asked, ['SOFTWARE_TOKEN_MFA']);

// Refresh from the phone carries its device key.
const refreshed = await new Promise((resolve, reject) =>
  remembered.refreshSession(session.getRefreshToken(), (e, s) => (e ? reject(e) : resolve(s))));
assert.equal(refreshed.getAccessToken().decodePayload().device_key, deviceKey);

// The user's devices, then the phone forgotten (its sign-ins end with it); the laptop lists.
const listed = await new Promise((resolve, reject) =>
  remembered.listDevices(10, null, { onSuccess: resolve, onFailure: reject }));
assert.ok(listed.Devices.some((d) => d.DeviceKey === deviceKey), JSON.stringify(listed));
await new Promise((resolve, reject) => remembered.forgetDevice({ onSuccess: resolve, onFailure: reject }));
const gone = await new Promise((resolve, reject) =>
  laptopUser.listDevices(10, null, { onSuccess: resolve, onFailure: reject }));
assert.ok(!gone.Devices.some((d) => d.DeviceKey === deviceKey));
console.log('amazon-cognito-identity-js: device confirmed, remembered device skips MFA, refresh with it, listed, forgotten');
