// Username and password (ROPC) with @azure/msal-node's PublicClientApplication, unmodified, against Tenantry.
//
// Run once by tests/browser/test_conditional_access.py; prints one JSON object and exits:
//   {"accessToken", "scopes"} on success, or
//   {"error": error.name, "errorCode", "errorNo", "subError", "claims", "interactionRequired"} when msal-node
//   refused (interactionRequired: the error is an InteractionRequiredAuthError, which apps answer by
//   signing the user in interactively).
//
// Environment: MSAL_NODE_DIR, TENANTRY_AUTHORITY, TENANTRY_CLIENT_ID, TENANTRY_SCOPES, TENANTRY_USERNAME,
// TENANTRY_PASSWORD, NODE_EXTRA_CA_CERTS (the server's CA).

import { createRequire } from "node:module";
import { join } from "node:path";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const msal = createRequire(join(env("MSAL_NODE_DIR"), "package.json"))("@azure/msal-node");
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function main() {
  const authority = env("TENANTRY_AUTHORITY");
  const app = new msal.PublicClientApplication({
    auth: { clientId: env("TENANTRY_CLIENT_ID"), authority, knownAuthorities: [new URL(authority).host] },
  });
  try {
    const result = await app.acquireTokenByUsernamePassword({
      scopes: env("TENANTRY_SCOPES").split(" "),
      username: env("TENANTRY_USERNAME"),
      password: env("TENANTRY_PASSWORD"),
    });
    send({ accessToken: result.accessToken, scopes: result.scopes });
  } catch (error) {
    send({
      error: error.name,
      errorCode: error.errorCode ?? null,
      errorNo: error.errorNo ?? null,
      subError: error.subError ?? null,
      claims: error.claims ?? null,
      interactionRequired: error instanceof msal.InteractionRequiredAuthError,
    });
  }
}

main().catch((error) => {
  send({ error: error.name, message: String(error.message ?? error) });
  process.exit(1);
});
