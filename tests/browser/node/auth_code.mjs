// Auth code + PKCE with @azure/msal-node's PublicClientApplication, unmodified, against Tenantry.
//
// Driven by tests/browser/test_msal_node.py over stdin/stdout, one JSON object per line:
//   1. prints {"url", "state"}: the authorize URL (PKCE S256, state, nonce) for the browser to open;
//   2. reads one line: the query parameters the browser brought to the redirect URI;
//   3. redeems the code (acquireTokenByCode checks state and the id_token nonce), then calls
//      acquireTokenSilent (served from the cache) and acquireTokenSilent with forceRefresh (a refresh
//      token grant), and prints {"result", "cached", "refreshed"}.
// On any error it prints {"error", "errorCode", "message"} and exits with status 1.
//
// Environment: MSAL_NODE_DIR (where npm installed @azure/msal-node), TENANTRY_AUTHORITY
// (https://localhost:PORT/TENANT), TENANTRY_CLIENT_ID, TENANTRY_REDIRECT_URI, TENANTRY_SCOPES
// (space separated), and NODE_EXTRA_CA_CERTS (the server's CA: msal-node has no CA option of its own).

import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const msal = createRequire(join(env("MSAL_NODE_DIR"), "package.json"))("@azure/msal-node");

const authority = env("TENANTRY_AUTHORITY");
const redirectUri = env("TENANTRY_REDIRECT_URI");
const scopes = env("TENANTRY_SCOPES").split(" ");

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const summary = (result) => ({
  accessToken: result.accessToken,
  idToken: result.idToken,
  idTokenClaims: result.idTokenClaims,
  scopes: result.scopes,
  tenantId: result.tenantId,
  fromCache: result.fromCache,
  account: {
    homeAccountId: result.account.homeAccountId,
    environment: result.account.environment,
    tenantId: result.account.tenantId,
    username: result.account.username,
    localAccountId: result.account.localAccountId,
    name: result.account.name,
  },
});

async function main() {
  const app = new msal.PublicClientApplication({
    auth: {
      clientId: env("TENANTRY_CLIENT_ID"),
      authority,
      // host:port of the authority: skips cloud instance discovery (msal-compat §1.7, §5).
      knownAuthorities: [new URL(authority).host],
    },
  });
  const crypto = new msal.CryptoProvider();
  const { verifier, challenge } = await crypto.generatePkceCodes();
  const state = crypto.createNewGuid();
  const nonce = crypto.createNewGuid();
  const url = await app.getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state,
    nonce,
  });
  send({ url, state, nonce });

  const lines = createInterface({ input: process.stdin });
  const [line] = await lines[Symbol.asyncIterator]().next().then(({ value }) => [value]);
  lines.close();
  const reply = JSON.parse(line);
  if (reply.error) throw Object.assign(new Error(reply.error_description), { errorCode: reply.error });

  const result = await app.acquireTokenByCode(
    { code: reply.code, scopes, redirectUri, codeVerifier: verifier, state, nonce },
    { code: reply.code, state: reply.state, client_info: reply.client_info },
  );
  const cached = await app.acquireTokenSilent({ account: result.account, scopes });
  const refreshed = await app.acquireTokenSilent({ account: result.account, scopes, forceRefresh: true });
  send({ result: summary(result), cached: summary(cached), refreshed: summary(refreshed) });
}

main().catch((error) => {
  send({ error: error.name, errorCode: error.errorCode ?? null, message: String(error.message ?? error) });
  process.exit(1);
});
