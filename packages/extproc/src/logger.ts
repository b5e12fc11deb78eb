// The sidecar's pino logger: JSON lines on stdout; credentials redacted as a second line of defence
// (log calls never pass raw headers in the first place).
import { pino, type DestinationStream, type Logger } from 'pino';

/** Creates the JSON logger. */
export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  const options = {
    name: 'semroute',
    level,
    redact: {
      paths: ['headers.authorization', 'headers["x-api-key"]', 'headers.cookie', 'authorization', 'apiKey', 'api_key'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
