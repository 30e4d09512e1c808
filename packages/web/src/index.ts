/**
 * The browser UI: static HTML, CSS and one ES module of plain browser JavaScript kept in
 * `packages/web/static/`, served as they are by the gateway (no framework, no bundler, so
 * there is nothing to build and nothing third-party running next to patient data).
 */
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of `packages/web/static`. Resolved from this module's own URL, which sits
 * one directory below the package root both as `src/index.ts` (tests) and `dist/index.js`
 * (built), so the same expression works in both.
 */
export function webAssetsDir(): string {
  return fileURLToPath(new URL('../static/', import.meta.url));
}

export interface WebAsset {
  /** File name inside `webAssetsDir()`; also the last segment of its URL under `/static/`. */
  readonly file: string;
  readonly contentType: string;
}

/** The page itself, served at `/`. */
export const WEB_INDEX: WebAsset = { file: 'index.html', contentType: 'text/html; charset=utf-8' };

/**
 * The only files served under `/static/`. A fixed list rather than a directory listing, so
 * no request path ever reaches the file system (no traversal, no serving of stray files).
 */
export const WEB_STATIC_ASSETS: readonly WebAsset[] = [
  { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  { file: 'app.css', contentType: 'text/css; charset=utf-8' },
  { file: 'favicon.svg', contentType: 'image/svg+xml' },
];

/**
 * Content-Security-Policy for every UI response. Everything from our own origin only, and no
 * inline script or style at all: a note containing markup can never become code even if a
 * rendering bug slipped through (the UI writes PHI with textContent only).
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers sent with the page and its assets (OWASP Secure Headers Project recommendations). */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': WEB_CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};
