// Unmodified `new DefaultAzureCredential()` (or `new WorkloadIdentityCredential()` when CREDENTIAL=workload)
// from @azure/identity, installed by the test into AZURE_IDENTITY_DIR; configured only by the environment.
// Prints one JSON line: the tokens for the scopes given as arguments, or the error.
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.env.AZURE_IDENTITY_DIR, "package.json"));
const { DefaultAzureCredential, WorkloadIdentityCredential } = require("@azure/identity");

try {
  const credential =
    process.env.CREDENTIAL === "workload" ? new WorkloadIdentityCredential() : new DefaultAzureCredential();
  const tokens = [];
  for (const scope of process.argv.slice(2)) {
    tokens.push((await credential.getToken(scope)).token);
  }
  console.log(JSON.stringify({ tokens }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error && error.message ? error.message : error) }));
  process.exitCode = 1;
}
