// Starts a throwaway redis-server on a free 127.0.0.1 port for tests and benchmarks (no
// persistence, no system service), and stops it after. `stop()` then `start()` again restarts
// it on the same port, for tests of outages.
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A free loopback TCP port, as the OS hands one out. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Throws a clear error when the redis-server binary is missing. */
export function requireRedisServer(bin = process.env.REDIS_SERVER_BIN ?? 'redis-server') {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`${bin} not found or not runnable (${r.error?.message ?? r.stderr}); install it with: apt-get install -y redis-server`);
  }
  return bin;
}

/**
 * A redis-server child process. `await server.start()` starts it (again) on `server.port`;
 * `await server.stop()` stops it; `server.url` is its redis:// URL.
 */
export class RedisTestServer {
  constructor(port, bin, options = {}) {
    this.port = port;
    this.bin = bin;
    // With `persistDir`, data survives stop() / start() (append-only file, flushed at shutdown),
    // so an outage test can count what reached Redis before and after.
    this.persistDir = options.persistDir;
    this.url = `redis://127.0.0.1:${port}`;
    this.child = undefined;
    this.log = '';
  }

  /** Start on a free port; `options.persistDir` keeps the data across stop() / start(). */
  static async create(options = {}) {
    const bin = requireRedisServer();
    let lastErr;
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new RedisTestServer(await freePort(), bin, options);
      try {
        await server.start();
        return server;
      } catch (err) {
        lastErr = err; // the port was taken between probing and binding: try another
      }
    }
    throw lastErr;
  }

  async start() {
    if (this.child) return;
    const persist = this.persistDir ? ['--dir', this.persistDir, '--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persist, '--daemonize', 'no', '--loglevel', 'warning'];
    const child = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // Never leave a server behind when the test process ends without calling stop().
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    this.log = '';
    child.stdout.on('data', (d) => (this.log += d));
    child.stderr.on('data', (d) => (this.log += d));
    const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const gone = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 50))]);
      if (gone) throw new Error(`redis-server on port ${this.port} exited (${gone.code ?? gone.sig}): ${this.log.trim()}`);
      if (await ping(this.port)) return;
    }
    await this.stop();
    throw new Error(`redis-server on port ${this.port} did not answer PING within 10 s: ${this.log.trim()}`);
  }

  async stop() {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
  }

  /** Sends SIGSTOP / SIGCONT: a Redis that accepts connections but never answers (a "slow" Redis). */
  pause() {
    this.child?.kill('SIGSTOP');
  }

  resume() {
    this.child?.kill('SIGCONT');
  }
}

/** True when something on the port answers +PONG. */
function ping(port) {
  return new Promise((resolve) => {
    {
      const sock = connect(port, '127.0.0.1');
      let buf = '';
      const done = (ok) => {
        sock.destroy();
        resolve(ok);
      };
      sock.setTimeout(500, () => done(false));
      sock.on('error', () => done(false));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        buf += d;
        if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
      });
    }
  });
}

/** Start a server for one test file. */
export function startRedisTestServer(options = {}) {
  return RedisTestServer.create(options);
}
