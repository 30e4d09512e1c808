/**
 * Deep freezing, for values kept in memory and handed to many callers (the chart cache's
 * overviews, the MCP server's remembered answers): frozen, nothing a caller does can change
 * what the next one gets, and an object's identity stands for its contents.
 */

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  for (const child of Object.values(value)) if (!isDeepFrozen(child)) return false;
  return true;
}
