/**
 * Which browser origins may call either server (DNS-rebinding and CSRF defence). One rule for
 * both, as SPEC asks the gateway to refuse "as the MCP server does": origins compare in their
 * RFC 6454 §6.1 serialisation (scheme://host[:port]), case-insensitively, so an allow-list
 * entry written `https://EHR.example.org/` admits what a browser actually sends
 * (`https://ehr.example.org`). Requests without an Origin header are not browser requests and
 * are not this rule's business.
 */

/** scheme://host[:port], lower-cased, without the trailing slash an operator may have typed. */
export function normalizeOrigin(origin: string): string {
  const trimmed = origin.trim().toLowerCase();
  return trimmed.endsWith('/') ? trimmed.slice(0, -1) : trimmed;
}

/**
 * A test for an Origin header's value against the allow-list. `null`, the opaque origin of
 * sandboxed frames, file: pages and some redirects, is refused even if listed: it names no
 * site, so allowing it would allow anyone who can make a page send it.
 */
export function originAllowList(allowed: readonly string[]): (origin: string) => boolean {
  const origins = new Set(allowed.map(normalizeOrigin).filter((origin) => origin !== 'null'));
  return (origin) => origins.has(normalizeOrigin(origin));
}
