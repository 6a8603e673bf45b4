// A SAML 2.0 identity provider for Cognate's tests, built on samlify (an independent SAML
// implementation: xml-crypto signatures, xml-encryption). Started by
// crates/cognate/tests/api/federation/saml_signin.rs; prints "LISTENING <port>".
//
//   GET  /metadata           the IdP's metadata (signing certificate saml/idp.crt)
//   POST /sp                 Cognate's SP metadata (body), for the requests and responses
//   GET  /sso?SAMLRequest..  parses and checks Cognate's AuthnRequest (its Redirect-binding
//                            signature too), answers JSON {SAMLResponse, RelayState,
//                            requestId}, or to a browser (Accept: text/html, or &form=1) an
//                            auto-posting form
//   GET  /unsolicited?relay= an IdP-initiated response, JSON {SAMLResponse, RelayState}
//   GET  /slo?SAMLRequest..  checks Cognate's signed LogoutRequest, answers JSON
//                            {SAMLResponse, RelayState, nameId, sessionIndex}
// `variant` (on /sso and /unsolicited) picks what to send: signed (the assertion),
// response-signed (the response only), unsigned, wrong-key, tampered, expired,
// wrong-audience, encrypted, encrypted-unsigned, encrypted-then-signed, smuggled (an extra
// EncryptedData outside what the signature covers), wrapped (a forged assertion next to the
// signed one), external-reference (a signature reference to a file), no-in-response-to.
import samlify from 'samlify';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

samlify.setSchemaValidator({ validate: () => Promise.resolve('skipped') });

const here = new URL('./saml/', import.meta.url);
const key = (name) => readFileSync(new URL(name, here), 'utf8');
const ENTITY = 'https://idp.example.test/saml';
const NAME_ID = process.env.NAME_ID || 'ada@example.com';
const SESSION_INDEX = '_session-' + randomBytes(6).toString('hex');

let base = '';
let sp = null;
let spMessageSigned = null;
let spUnsigned = null;

function idp(keyName, encrypted) {
  return samlify.IdentityProvider({
    entityID: ENTITY,
    privateKey: key(`${keyName}.key`),
    signingCert: key(`${keyName}.crt`),
    isAssertionEncrypted: encrypted,
    dataEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
    keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    // Cognate's requests are checked against its signing certificate in the SP metadata.
    wantAuthnRequestsSigned: true,
    wantLogoutRequestSigned: true,
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }],
    singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/slo` }],
  });
}

const iso = (ms) => new Date(ms).toISOString();
const attribute = (name, value) =>
  `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue xsi:type="xs:string">${value}</saml:AttributeValue></saml:Attribute>`;

async function loginResponse(requestId, variant) {
  const now = Date.now();
  // Encrypted, then the response signed over the ciphertext (as Okta or Keycloak do).
  const encryptThenSign = variant === 'encrypted-then-signed' || variant === 'smuggled';
  const spEntity = variant === 'response-signed' || encryptThenSign ? spMessageSigned
    : variant === 'encrypted-unsigned' ? spUnsigned : sp;
  const acs = spEntity.entityMeta.getAssertionConsumerService('post');
  const values = {
    ID: '_' + randomBytes(16).toString('hex'),
    AssertionID: '_' + randomBytes(16).toString('hex'),
    Destination: acs,
    Audience: spEntity.entityMeta.getEntityID(),
    SubjectRecipient: acs,
    Issuer: ENTITY,
    IssueInstant: iso(now),
    StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
    ConditionsNotBefore: iso(now - 1000),
    ConditionsNotOnOrAfter: iso(now + 5 * 60000),
    SubjectConfirmationDataNotOnOrAfter: iso(now + 5 * 60000),
    NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    NameID: NAME_ID,
    InResponseTo: requestId || '',
    AuthnStatement: `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${SESSION_INDEX}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
    AttributeStatement: `<saml:AttributeStatement>${attribute('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', NAME_ID)}${attribute('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname', 'Ada')}</saml:AttributeStatement>`,
  };
  if (variant === 'expired') {
    values.IssueInstant = iso(now - 3600000);
    values.ConditionsNotBefore = iso(now - 3600000);
    values.ConditionsNotOnOrAfter = iso(now - 3300000);
    values.SubjectConfirmationDataNotOnOrAfter = iso(now - 3300000);
  }
  if (variant === 'wrong-audience') values.Audience = 'urn:amazon:cognito:sp:us-east-1_someoneElse';
  let template = samlify.SamlLib.defaultLoginResponseTemplate.context;
  if (!requestId || variant === 'no-in-response-to') {
    template = template.replaceAll(' InResponseTo="{InResponseTo}"', '');
  }
  const render = () => ({ id: values.ID, context: template.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '') });
  const issuer = variant === 'wrong-key' ? idp('other', false)
    : variant.startsWith('encrypted') || encryptThenSign ? idp('idp', true) : idp('idp', false);
  const requestInfo = requestId ? { extract: { request: { id: requestId } } } : {};
  const { context } = await issuer.createLoginResponse(spEntity, requestInfo, 'post', { email: NAME_ID }, render, encryptThenSign);
  let xml = Buffer.from(context, 'base64').toString('utf8');
  if (variant === 'unsigned') xml = xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
  if (variant === 'tampered') xml = xml.replace(`>${NAME_ID}</saml:NameID>`, '>mallory@example.com</saml:NameID>');
  if (variant === 'external-reference') xml = xml.replace(/URI="#[^"]*"/, 'URI="/dev/zero"');
  if (variant === 'smuggled') {
    // A second EncryptedData where the response's signature does not reach (a ds:Object of
    // the signature itself): anyone can encrypt to the pool's public certificate.
    const data = xml.match(/<(\w+:)?EncryptedData[\s\S]*?<\/(\w+:)?EncryptedData>/)[0];
    xml = xml.replace('</ds:Signature>', `<ds:Object>${data}</ds:Object></ds:Signature>`);
  }
  if (variant === 'wrapped') {
    // Signature wrapping: a forged, unsigned assertion before the signed one.
    const signed = xml.match(/<saml:Assertion[\s\S]*<\/saml:Assertion>/)[0];
    const forged = signed.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')
      .replace(/ID="[^"]*"/, 'ID="_forged"').replaceAll(NAME_ID, 'mallory@example.com');
    xml = xml.replace(signed, forged + signed);
  }
  return Buffer.from(xml, 'utf8').toString('base64');
}

// The octet string a Redirect-binding signature covers: the parameters as sent (SAML
// Bindings §3.4.4.1).
function octetString(rawQuery, kind) {
  const raw = Object.fromEntries(rawQuery.split('&').map((kv) => kv.split('=')));
  return [kind, 'RelayState', 'SigAlg'].filter((k) => k in raw).map((k) => `${k}=${raw[k]}`).join('&');
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, base);
    const rawQuery = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
    const query = Object.fromEntries(url.searchParams);
    const variant = query.variant || 'signed';
    if (url.pathname === '/metadata') return send(res, 200, idp('idp', false).getMetadata(), 'application/xml');
    if (url.pathname === '/sp' && req.method === 'POST') {
      let metadata = '';
      for await (const chunk of req) metadata += chunk;
      sp = samlify.ServiceProvider({ metadata });
      spMessageSigned = samlify.ServiceProvider({
        metadata: metadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"'),
        wantMessageSigned: true,
      });
      spUnsigned = spMessageSigned;
      return send(res, 200, { ok: true });
    }
    if (url.pathname === '/sso') {
      const parsed = await idp('idp', false).parseLoginRequest(sp, 'redirect', {
        query,
        octetString: octetString(rawQuery, 'SAMLRequest'),
      });
      const requestId = parsed.extract.request.id;
      let SAMLResponse = await loginResponse(requestId, variant);
      if (variant === 'encrypted-unsigned') {
        // Encrypted, but neither the assertion nor the response signed: the signature the
        // response carries is stripped (the SP's encryption certificate is public).
        const xml = Buffer.from(SAMLResponse, 'base64').toString('utf8')
          .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
        SAMLResponse = Buffer.from(xml).toString('base64');
      }
      const answer = { SAMLResponse, RelayState: query.RelayState, requestId };
      if (query.form || (req.headers.accept || '').includes('text/html')) {
        const acs = sp.entityMeta.getAssertionConsumerService('post');
        const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
        return send(res, 200, `<!doctype html><html><body><form id="f" method="post" action="${esc(acs)}"><input type="hidden" name="SAMLResponse" value="${esc(SAMLResponse)}"><input type="hidden" name="RelayState" value="${esc(query.RelayState)}"><button type="submit">Continue</button></form><script>document.getElementById('f').submit()</script></body></html>`, 'text/html');
      }
      return send(res, 200, answer);
    }
    if (url.pathname === '/unsolicited') {
      return send(res, 200, { SAMLResponse: await loginResponse(null, variant), RelayState: query.relay || '' });
    }
    if (url.pathname === '/slo') {
      const issuer = idp('idp', false);
      const parsed = await issuer.parseLogoutRequest(sp, 'redirect', {
        query,
        octetString: octetString(rawQuery, 'SAMLRequest'),
      });
      const made = await issuer.createLogoutResponse(sp, parsed, 'post', query.RelayState);
      return send(res, 200, {
        SAMLResponse: made.context,
        RelayState: query.RelayState,
        nameId: parsed.extract.nameID,
        sessionIndex: parsed.extract.sessionIndex?.sessionIndex ?? parsed.extract.sessionIndex,
      });
    }
    send(res, 404, { error: 'not found' });
  } catch (e) {
    send(res, 400, { error: String(e && e.message ? e.message : e) });
  }
});

server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  console.log(`LISTENING ${server.address().port}`);
});
