/**
 * zod validation of a route's body or parameters, shared by the token and admin routes so both
 * refuse alike: 400 ERR_VALIDATION whose message names fields and rules, never the values given.
 */
import type { z } from 'zod';
import { AppError } from '@secure-hospital-ai/core/errors';

export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  throw new AppError('ERR_VALIDATION', { detail, internalReason: 'invalid_body' });
}
