// TOTP MFA from amazon-cognito-identity-js against a real Cognate: associateSoftwareToken and
// verifySoftwareToken for a signed-in user, setUserMfaPreference, then a sign-in that asks
// totpRequired and is finished by sendMFACode (a wrong code first). Codes from otplib, an
// implementation independent of Cognate's. Started by crates/cognate/tests/api/browser.rs
// with COGNATE_BASE, POOL_ID, CLIENT_ID, USERNAME, PASSWORD.
import assert from 'node:assert/strict';
import pkg from 'amazon-cognito-identity-js';
import { authenticator } from 'otplib';

const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;
const { COGNATE_BASE: base, POOL_ID, CLIENT_ID, USERNAME, PASSWORD } = process.env;
const pool = new CognitoUserPool({ UserPoolId: POOL_ID, ClientId: CLIENT_ID, endpoint: base });
const details = new AuthenticationDetails({ Username: USERNAME, Password: PASSWORD });

// Signed in without MFA (none set up yet), then a token is added.
const user = new CognitoUser({ Username: USERNAME, Pool: pool });
await new Promise((resolve, reject) => user.authenticateUser(details, { onSuccess: resolve, onFailure: reject }));
const secret = await new Promise((resolve, reject) =>
  user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
);
assert.match(secret, /^[A-Z2-7]{52}$/);
await new Promise((resolve, reject) =>
  user.verifySoftwareToken(authenticator.generate(secret), 'node-phone', { onSuccess: resolve, onFailure: reject }),
);
await new Promise((resolve, reject) =>
  user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, (err, res) => (err ? reject(err) : resolve(res))),
);

// The next sign-in asks for a code. The verification's code is spent: use the next step's.
const next = authenticator.clone({ epoch: Date.now() + 30_000 });
const again = new CognitoUser({ Username: USERNAME, Pool: pool });
const session = await new Promise((resolve, reject) => {
  let wrongTried = false;
  const callbacks = {
    onSuccess: resolve,
    onFailure: reject,
    totpRequired(challengeName) {
      assert.equal(challengeName, 'SOFTWARE_TOKEN_MFA');
      if (!wrongTried) {
        wrongTried = true;
        again.sendMFACode('000000', {
          onSuccess: () => reject(new Error('a wrong code signed in')),
          onFailure: (e) => {
            try {
              assert.equal(e.code, 'CodeMismatchException');
              assert.equal(e.message, 'Invalid code received for user');
            } catch (err) {
              reject(err);
              return;
            }
            again.sendMFACode(next.generate(secret), callbacks, 'SOFTWARE_TOKEN_MFA');
          },
        }, 'SOFTWARE_TOKEN_MFA');
      }
    },
  };
  again.authenticateUser(details, callbacks);
});
assert.ok(session.isValid());
assert.equal(session.getAccessToken().decodePayload().username, USERNAME);
console.log('amazon-cognito-identity-js: TOTP associated, verified, preferred; sign-in with totpRequired and sendMFACode');
