// SRP sign-in (USER_SRP_AUTH → PASSWORD_VERIFIER) from the JavaScript libraries apps use, with
// only an endpoint override: amazon-cognito-identity-js's authenticateUser (its default flow)
// and Amplify v6's signIn, by username and by email alias, and a wrong password refused.
// Started by crates/cognate/tests/api/browser.rs with COGNATE_BASE, POOL_ID, CLIENT_ID,
// USERNAME, EMAIL, PASSWORD.
import assert from 'node:assert/strict';
import pkg from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { signIn, signOut, fetchAuthSession } from 'aws-amplify/auth';

const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;
const { COGNATE_BASE: base, POOL_ID, CLIENT_ID, USERNAME, EMAIL, PASSWORD } = process.env;

// amazon-cognito-identity-js: SRP is what authenticateUser does unless told otherwise.
const pool = new CognitoUserPool({ UserPoolId: POOL_ID, ClientId: CLIENT_ID, endpoint: base });
function authenticate(name, password) {
  const user = new CognitoUser({ Username: name, Pool: pool });
  return new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: name, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
    }),
  );
}
for (const name of [USERNAME, EMAIL]) {
  const session = await authenticate(name, PASSWORD);
  assert.ok(session.isValid());
  assert.equal(session.getAccessToken().decodePayload().username, USERNAME);
  assert.equal(session.getIdToken().decodePayload().email, EMAIL);
}
await assert.rejects(authenticate(USERNAME, 'Wrong-Pass-1'), (e) => {
  assert.equal(e.code, 'NotAuthorizedException');
  assert.equal(e.message, 'Incorrect username or password.');
  return true;
});
console.log('amazon-cognito-identity-js: SRP sign-in by username and by email alias; wrong password refused');

// Amplify v6 from Node: signIn's default flow is USER_SRP_AUTH.
Amplify.configure({
  Auth: { Cognito: { userPoolId: POOL_ID, userPoolClientId: CLIENT_ID, userPoolEndpoint: base } },
});
for (const name of [USERNAME, EMAIL]) {
  const result = await signIn({ username: name, password: PASSWORD });
  assert.equal(result.isSignedIn, true, JSON.stringify(result));
  const { tokens } = await fetchAuthSession();
  assert.equal(tokens.accessToken.payload.username, USERNAME);
  assert.equal(tokens.idToken.payload.email, EMAIL);
  await signOut();
}
await assert.rejects(signIn({ username: USERNAME, password: 'Wrong-Pass-1' }), (e) => {
  assert.equal(e.name, 'NotAuthorizedException');
  return true;
});
console.log('Amplify v6: SRP signIn by username and by email alias; wrong password refused');
