export declare function freePort(): Promise<number>;
export declare function requireRedisServer(bin?: string): string;
export interface RedisTestServerOptions {
  /** Keep the data across stop() / start() in this directory (append-only file, flushed at shutdown). */
  persistDir?: string;
}
export declare class RedisTestServer {
  readonly port: number;
  readonly url: string;
  log: string;
  static create(options?: RedisTestServerOptions): Promise<RedisTestServer>;
  start(): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
}
export declare function startRedisTestServer(options?: RedisTestServerOptions): Promise<RedisTestServer>;
