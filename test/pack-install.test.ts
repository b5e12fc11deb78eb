// The packages as a user gets them: `pnpm pack` every public package, `npm install` the tarballs
// into a project outside the workspace, then route with the library API, run the CLI binary (route
// and proxy) and load the model from a directory the user names. Nothing may resolve into the repo.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from '../packages/http/test/upstream-mock.js';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const MODEL = path.join(ROOT, 'models', 'all-MiniLM-L6-v2');
const ADDON = path.join(ROOT, 'packages', 'native', `semroute.linux-x64-gnu.node`);
const CODING = 'Write me a Python function to compute fibonacci numbers using memoization';

let tmp: string;
let app: string;
let userModel: string;
let mock: MockUpstream;
const children: ChildProcess[] = [];
/**
 * A user's environment: none of what `pnpm exec` / vitest set (NODE_PATH would let require() find
 * the workspace's packages, npm_config_* would steer npm), no model default.
 */
const env = (extra: Record<string, string> = {}) => {
  const clean = Object.entries(process.env).filter(
    ([k]) => !/^(npm_|pnpm_|NODE_PATH$|NODE_OPTIONS$|SEMROUTE_|VITEST|INIT_CWD$)/i.test(k),
  );
  return { ...Object.fromEntries(clean), ...extra } as NodeJS.ProcessEnv;
};

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
if (!linuxX64) console.warn(`SKIPPED packed tarballs installed outside the workspace: the test installs packages/native/semroute.linux-x64-gnu.node, so it runs on linux-x64 only (this is ${process.platform}-${process.arch})`);

describe.runIf(linuxX64)('packed tarballs installed outside the workspace', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    for (const [what, p] of [['the native addon (pnpm run build:native)', ADDON], ['the model (scripts/fetch-model.sh)', MODEL]] as const) {
      if (!existsSync(p)) throw new Error(`${p} is missing: build ${what} first (bash scripts/setup.sh)`);
    }
    tmp = await mkdtemp(path.join(os.tmpdir(), 'semroute-install-'));
    expect(path.relative(ROOT, tmp).startsWith('..')).toBe(true);
    const packs = path.join(tmp, 'packs');
    await run('bash', [path.join(ROOT, 'scripts', 'pack.sh'), packs], { cwd: ROOT, maxBuffer: 16 << 20 });
    const tarballs = (await readdir(packs)).filter((f) => f.endsWith('.tgz')).map((f) => path.join(packs, f));
    expect(tarballs.map((t) => path.basename(t)).sort()).toEqual([
      'semroute-cli-0.1.0.tgz',
      'semroute-embed-0.1.0.tgz',
      'semroute-extproc-0.1.0.tgz',
      'semroute-http-0.1.0.tgz',
      'semroute-native-0.1.0.tgz',
      'semroute-native-linux-x64-gnu-0.1.0.tgz',
      'semroute-router-0.1.0.tgz',
    ]);
    app = path.join(tmp, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'semroute-user-app', private: true, type: 'module' }));
    // --ignore-scripts: hnswlib-node (optional, the cache's HNSW index) would compile with node-gyp.
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...tarballs], { cwd: app, env: env(), maxBuffer: 16 << 20 });
    userModel = path.join(tmp, 'my models', 'minilm');
    await cp(MODEL, userModel, { recursive: true });
    // The seed config, routing on its cards alone: the bundled task library would embed hundreds of
    // prompts at start-up, which is @semroute/router's own tests' business, not this one's.
    const seed = await readFile(path.join(ROOT, 'test', 'reference', 'seed-router-config.yaml'), 'utf8');
    await writeFile(path.join(app, 'router.yaml'), seed.replace(/^routing:\n/m, 'routing:\n  task_library: { enabled: false }\n'));
    mock = await startMockUpstream();
  }, 600_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await mock?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('ships files, exports, engines and a licence, and resolves nothing into the monorepo', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const req = createRequire(import.meta.url);
      const out = {};
      for (const p of ['@semroute/router', '@semroute/embed', '@semroute/extproc', '@semroute/http', '@semroute/cli']) {
        out[p] = { main: import.meta.resolve(p), pkg: req(p + '/package.json') };
      }
      out.native = req.resolve('@semroute/native-linux-x64-gnu', { paths: [req.resolve('@semroute/native')] });
      console.log(JSON.stringify(out));`;
    await writeFile(path.join(app, 'resolve.mjs'), script);
    const { stdout } = await run('node', ['resolve.mjs'], { cwd: app, env: env() });
    const out = JSON.parse(stdout) as Record<string, { main: string; pkg: Record<string, unknown> }> & { native: string };
    const realApp = await realpath(app);
    for (const [name, { main, pkg }] of Object.entries(out).filter(([k]) => k !== 'native') as Array<[string, { main: string; pkg: Record<string, unknown> }]>) {
      const file = await realpath(new URL(main).pathname);
      expect(file.startsWith(path.join(realApp, 'node_modules')), `${name} resolved to ${file}`).toBe(true);
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.engines).toEqual({ node: '>=20.18.1' });
      expect(JSON.stringify(pkg.exports)).not.toContain('source');
      expect(JSON.stringify(pkg.dependencies ?? {})).not.toMatch(/workspace:|catalog:/);
      const dir = path.dirname(path.dirname(file));
      expect(existsSync(path.join(dir, 'README.md')), `${name} README`).toBe(true);
      expect(existsSync(path.join(dir, 'LICENSE')), `${name} LICENSE`).toBe(true);
      expect(existsSync(path.join(dir, 'src')), `${name} ships src/`).toBe(false);
    }
    expect((await realpath(out.native)).startsWith(realApp)).toBe(true);
  });

  it('routes a prompt with the library API and a model directory the user names', async () => {
    await writeFile(
      path.join(app, 'route.mjs'),
      `import { createRouter } from '@semroute/router';
       const router = await createRouter({ config: 'router.yaml', defaultModelDir: process.argv[2] });
       const d = await router.route({ model: 'MoM', messages: [{ role: 'user', content: process.argv[3] }] });
       await router.close();
       console.log(JSON.stringify(d));`,
    );
    const { stdout } = await run('node', ['route.mjs', userModel, CODING], { cwd: app, env: env() });
    const d = JSON.parse(stdout) as { selectedModel: string; providerModelId: string; decision: string };
    expect(d).toMatchObject({ selectedModel: 'qwen-coder', providerModelId: 'qwen2.5-coder:7b', decision: 'MoM' });
    // Without a model directory the library says what to set; it does not guess a repo layout.
    const err = await run('node', ['-e', `import('@semroute/router').then(async (m) => { try { await m.createRouter({ config: 'router.yaml' }); } catch (e) { console.log(e.code + ' ' + e.message); } })`], { cwd: app, env: env() });
    expect(err.stdout).toMatch(/^MODEL_LOAD_FAILED .*embedding\.model_path/);
  });

  it('runs the semroute binary: route, and a bad flag answers a clear error', async () => {
    const bin = path.join(app, 'node_modules', '.bin', 'semroute');
    const { stdout } = await run(bin, ['route', '--config', 'router.yaml', CODING], { cwd: app, env: env({ SEMROUTE_MODEL_DIR: userModel }) });
    expect(JSON.parse(stdout)).toMatchObject({ selectedModel: 'qwen-coder' });
    const bad = await run(bin, ['proxy', '--port', 'abc'], { cwd: app, env: env() }).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/--port must be an integer/);
  });

  it('runs semroute proxy: routes by meaning and forwards to the provider with the provider model id', async () => {
    const seed = await readFile(path.join(app, 'router.yaml'), 'utf8');
    const yaml = seed
      .replace(/endpoint: host\.docker\.internal:11434\n(\s+)protocol: http/, `base_url: ${mock.url}/ok/v1`)
      .replace('https://api.openai.com/v1', `${mock.url}/ok/v1`)
      .replace('https://generativelanguage.googleapis.com/v1beta/openai', `${mock.url}/ok/v1`);
    await writeFile(path.join(app, 'proxy.yaml'), yaml);
    const bin = path.join(app, 'node_modules', '.bin', 'semroute');
    const child = spawn(bin, ['proxy', '--config', 'proxy.yaml', '--port', '0', '--model-dir', userModel, '--log-level', 'warn'], { cwd: app, env: env() });
    children.push(child);
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`proxy did not start: ${stderr}`)), 60_000);
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        const m = /listening on (http:\/\/\S+) /.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`proxy exited ${code}: ${stderr}`)));
    });
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'MoM', messages: [{ role: 'user', content: CODING }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-selected-model')).toBe('qwen-coder');
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('answer from qwen2.5-coder:7b');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  it('names the missing platform package when the binary is not installed', async () => {
    await rm(path.join(app, 'node_modules', '@semroute', 'native-linux-x64-gnu'), { recursive: true, force: true });
    const { stdout, stderr } = await run(
      'node',
      ['-e', `import('@semroute/embed').then(async ({ Embedder }) => { try { await Embedder.load(process.argv[1]); console.log('loaded'); } catch (e) { console.log(e.code + ' ' + e.message); } })`, userModel],
      { cwd: app, env: env() },
    );
    expect(stdout + stderr).toMatch(/^NATIVE_UNAVAILABLE .*install @semroute\/native-linux-x64-gnu/);
  });
});
