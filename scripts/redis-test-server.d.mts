export declare function freePort(): Promise<number>;
export declare function requireRedisServer(bin?: string): string;
export declare class RedisTestServer {
  readonly port: number;
  readonly url: string;
  log: string;
  static create(): Promise<RedisTestServer>;
  start(): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
}
export declare function startRedisTestServer(): Promise<RedisTestServer>;
