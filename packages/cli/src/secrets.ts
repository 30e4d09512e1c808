import { createHmac } from 'node:crypto';
import type { Config } from '@secure-hospital-ai/core/config';
import { ConfigError } from '@secure-hospital-ai/core/config';

/**
 * The researcher pseudonym key must differ from the JWT secret (a token holder must not be
 * able to reverse pseudonyms). Production requires PSEUDONYM_KEY; development derives a
 * stand-in from the per-installation JWT secret when `.env` has none.
 */
export function pseudonymKeyFor(config: Config): string {
  if (config.pseudonymKey) return config.pseudonymKey;
  if (config.env === 'production') throw new ConfigError('PSEUDONYM_KEY is required in production');
  const seed = config.jwt.secret ?? config.jwt.publicKey ?? 'development';
  return createHmac('sha256', seed).update('secure-hospital-ai/pseudonym-key/v1').digest('hex');
}
