// `semroute serve` secure defaults (issue 9): loopback bind by default, the API token from
// SEMROUTE_API_TOKEN or `server.api_token` (with ${ENV}), gRPC TLS from `server.tls` or the flags.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, createLogger } from '../packages/extproc/src/index.js';
import { startServe, type ServeOptions } from '../packages/cli/src/commands/serve.js';
import { EnvoyLikeClient, chatHeaders, setHeadersOf } from '../packages/extproc/test/envoy-client.js';
import { FakeEmbedder } from '../packages/router/test/routing-helpers.js';

const SEED = readFileSync(path.resolve(__dirname, 'reference/seed-router-config.yaml'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'semroute-serve-sec-'));
const quiet = createLogger('silent');

const opts = (config: string, extra: Partial<ServeOptions> = {}): ServeOptions => ({
  config,
  host: '127.0.0.1',
  grpcPort: 0,
  httpPort: 0,
  messageTimeoutMs: 2000,
  maxBodyBytes: 1 << 20,
  maxConcurrentRouting: 4,
  logLevel: 'silent',
  watch: false,
  ...extra,
});

function configWith(name: string, server: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${SEED}\nserver:\n${server}\n`);
  return file;
}

describe('semroute serve: listeners', () => {
  it('both listeners bind 127.0.0.1 unless --host says otherwise (the flag defaults to DEFAULT_OPTIONS.host)', () => {
    expect(DEFAULT_OPTIONS.host).toBe('127.0.0.1');
  });

  it('server.api_token with ${ENV}: /v1 needs the token, probes stay open; SEMROUTE_API_TOKEN wins over the config', async () => {
    const config = configWith('token.yaml', '  api_token: ${TEST_SEMROUTE_TOKEN}');
    for (const [env, expected] of [
      [{ TEST_SEMROUTE_TOKEN: 'from-config' }, 'from-config'],
      [{ TEST_SEMROUTE_TOKEN: 'from-config', SEMROUTE_API_TOKEN: 'from-env' }, 'from-env'],
    ] as const) {
      const running = await startServe(opts(config), { embedder: new FakeEmbedder(), env: { ...env }, logger: quiet });
      try {
        await running.server.loaded;
        const url = `http://127.0.0.1:${running.server.httpPort}`;
        expect((await fetch(`${url}/v1/models`)).status).toBe(401);
        expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer from-config-x' } })).status).toBe(401);
        expect((await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${expected}` } })).status).toBe(200);
        expect((await fetch(`${url}/ready`)).status).toBe(200);
      } finally {
        await running.stop();
      }
    }
  });

  it('server.tls: the gRPC listener speaks TLS', async () => {
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
    const config = configWith('tls.yaml', '  tls: { cert_file: cert.pem, key_file: key.pem }');
    const running = await startServe(opts(config), { embedder: new FakeEmbedder(), env: {}, logger: quiet });
    const client = EnvoyLikeClient.tls(`localhost:${running.server.grpcPort}`, readFileSync(cert));
    try {
      await running.server.loaded;
      const [, r] = await client.buffered(chatHeaders(), JSON.stringify({ model: 'MoM', messages: [{ role: 'user', content: 'write a python function' }] }));
      expect(setHeadersOf(r!.request_body!.response!.header_mutation)['x-selected-model']?.value).toBeTruthy();
    } finally {
      client.close();
      await running.stop();
    }
  });

  it('a TLS file that cannot be read, or only one of the flags, is a clear error naming it', async () => {
    const config = configWith('tls-missing.yaml', '  tls: { cert_file: nope.pem, key_file: nope-key.pem }');
    await expect(startServe(opts(config), { embedder: new FakeEmbedder(), env: {}, logger: quiet })).rejects.toThrow(/server\.tls: cannot read the TLS certificate .*nope\.pem/);
    await expect(startServe(opts(configWith('plain.yaml', '  {}'), { tlsCert: 'a.pem' }), { embedder: new FakeEmbedder(), env: {}, logger: quiet })).rejects.toThrow(/--tls-cert and --tls-key go together/);
  });
});
