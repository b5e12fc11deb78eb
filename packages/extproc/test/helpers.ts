// Starts a sidecar on loopback with a fake router and a log capture.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Router } from '@semroute/router';
import { SemrouteServer, type SemrouteServerDeps, type ServerOptions } from '../src/index.js';
import { EnvoyLikeClient } from './envoy-client.js';

export interface Harness {
  server: SemrouteServer;
  client: EnvoyLikeClient;
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  http(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** A started server whose loadRouter returns the routers given, one per (re)load. */
export async function startHarness(
  loads: Array<Router | Error | (() => Promise<Router>)>,
  options: Partial<ServerOptions> = {},
  waitLoaded = true,
  deps: Pick<SemrouteServerDeps, 'trimNativeHeap'> = {},
): Promise<Harness> {
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      const line = chunk.toString();
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  let i = 0;
  const server = await SemrouteServer.start(
    {
      loadRouter: async () => {
        const next = loads[Math.min(i++, loads.length - 1)]!;
        if (next instanceof Error) throw next;
        return typeof next === 'function' ? next() : next;
      },
      logger: pino({ level: 'debug' }, sink),
      ...deps,
    },
    { host: '127.0.0.1', grpcPort: 0, httpPort: 0, ...options },
  );
  if (waitLoaded) await server.loaded.catch(() => {});
  const client = new EnvoyLikeClient(`127.0.0.1:${server.grpcPort}`);
  return {
    server,
    client,
    logs,
    rawLogs,
    http: (path, init) => fetch(`http://127.0.0.1:${server.httpPort}${path}`, init),
    stop: async () => {
      client.close();
      await server.close();
    },
  };
}

export const chatBody = (text: string, model = 'MoM', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: text }], temperature: 1.0, ...extra });
