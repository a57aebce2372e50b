// A minimal node `oidc-provider` set up like Tenantry's client-credentials path, as the comparison point
// for bench/token_client_credentials.py: one confidential client (client_secret_post or _basic), the
// client-credentials grant, and resource indicators so that the grant yields an RS256 JWT access token
// for one resource server, signed with one RSA-2048 key. Served over HTTPS with the certificate and key
// the bench passes in (Tenantry's development server certificate), in one process, like Tenantry.
//
// Configuration comes from the environment: BENCH_HOST, BENCH_PORT, BENCH_TLS_CERT, BENCH_TLS_KEY,
// BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_RESOURCE, BENCH_SCOPE. Prints "READY <issuer>" when listening.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const host = env('BENCH_HOST');
const port = Number(env('BENCH_PORT'));
const resource = env('BENCH_RESOURCE');
const scope = env('BENCH_SCOPE');
const issuer = `https://${host}:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('BENCH_CLIENT_ID'),
      client_secret: env('BENCH_CLIENT_SECRET'),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope,
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  scopes: [scope],
  clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
  cookies: { keys: [randomBytes(32).toString('hex')] },
  jwks: { keys: [signingKey] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== resource) {
          throw new Provider.errors.InvalidTarget();
        }
        return {
          scope,
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  ttl: { ClientCredentials: 3600 },
});
provider.proxy = false;

const server = createServer(
  { cert: readFileSync(env('BENCH_TLS_CERT')), key: readFileSync(env('BENCH_TLS_KEY')) },
  provider.callback(),
);
server.keepAliveTimeout = 30_000;
server.listen(port, host, () => {
  process.stdout.write(`READY ${issuer}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
