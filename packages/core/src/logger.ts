/**
 * JSON logs (pino). Whatever the level, a token, password, secret or piece of PHI never
 * reaches a log line: request logs carry method, route, status and timing only, and the
 * paths below are censored in case a caller logs an object that holds one.
 */
import { pino, type Logger } from 'pino';

const CENSORED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'access',
  '*.access',
  'refresh',
  '*.refresh',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'body',
  '*.body',
];

export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    redact: { paths: CENSORED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type { Logger };
