/**
 * The gateway (SPEC "Gateway (port 8000)"): token endpoints, the authenticated MCP proxy,
 * the web UI, health and metrics. Each route group is an encapsulated Fastify plugin; the cross-cutting
 * steps (security headers, logging, authentication, rate limits) are hooks, not handler code.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AuditSink } from '@secure-hospital-ai/core/audit/event';
import type { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { trustNearestHop } from '@secure-hospital-ai/core/client';
import type { Config } from '@secure-hospital-ai/core/config';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { AppError } from '@secure-hospital-ai/core/errors';
import { answerClientError, badUrlError } from '@secure-hospital-ai/core/http-parser-errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import type { TokenService } from '@secure-hospital-ai/core/tokens';
import { sendDetailError, toGatewayError } from './error-responses.js';
import {
  LoginThrottle,
  MemoryFailureCounterStore,
  type FailureCounterStore,
  type LoginThrottleLimits,
} from './login-throttle.js';
import { GatewayMetrics } from './metrics.js';
import { MemoryRateLimiter, type RateLimiter } from './rate-limit.js';
import { openRedisStores, type RedisStores } from './redis-stores.js';
import './request-context.js';
import { requestLogger, securityHeaders } from './request-log.js';
import { adminRoutes } from './routes/admin.js';
import { healthRoutes } from './routes/health.js';
import { proxyRoutes } from './routes/proxy.js';
import { tokenRoutes } from './routes/tokens.js';
import { webRoutes } from './routes/web.js';
import { SessionService } from './sessions.js';
import { requestIdFrom } from './trace-context.js';
import { McpUpstream } from './upstream.js';

export interface GatewayDeps {
  readonly config: Config;
  readonly database: Database;
  readonly tokens: TokenService;
  readonly authenticator: Authenticator;
  readonly audit: AuditSink;
  readonly logger: Logger;
  /** Defaults to config.mcp.url. */
  readonly upstreamUrl?: string;
  /** Defaults to config.proxyTimeoutMs (20 s). */
  readonly upstreamTimeoutMs?: number;
  /** Defaults: 5 failures per account, 20 per address, in 15 minutes. */
  readonly loginLimits?: Partial<LoginThrottleLimits>;
  /** Defaults to one in memory; a shared store lets several instances count together. */
  readonly loginFailureStore?: FailureCounterStore;
  /** Defaults to an in-memory token bucket of config.rateLimitPerUser per minute (none when 0). */
  readonly rateLimiter?: RateLimiter;
  /** Prefix of the Redis keys when config.redisUrl is set; defaults to `shai:`. */
  readonly redisKeyPrefix?: string;
}

/** Where login throttling and rate limits are counted: this instance alone, or shared through Redis. */
export type LimitsScope = 'memory' | 'redis' | 'memory (redis unavailable)';

declare module 'fastify' {
  interface FastifyInstance {
    limitsScope(): LimitsScope;
  }
}

/** Routes other than the proxy take small JSON bodies only. */
const DEFAULT_BODY_LIMIT = 64 * 1024;

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config, logger } = deps;
  const app = Fastify({
    logger: false,
    // TRUST_PROXY means one reverse proxy in front: the client is the address it saw, the
    // last X-Forwarded-For hop. Trusting every hop would let a client choose its own address
    // (and so escape the per-address login throttle) by sending X-Forwarded-For itself.
    trustProxy: config.trustProxy ? trustNearestHop : false,
    // Our id (the client's when sane) is the one in logs, audit events and the MCP server.
    requestIdHeader: false,
    genReqId: (raw) => requestIdFrom(raw.headers['x-request-id']),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // A request on a kept-alive connection while draining is served (and told the connection
    // closes), not refused with the framework's own 503 body: only new connections are turned away.
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: (_error, _request, reply) => sendDetailError(reply, badUrlError()),
  });

  const metrics = new GatewayMetrics();
  const upstream = new McpUpstream(deps.upstreamUrl ?? config.mcp.url, {
    timeoutMs: deps.upstreamTimeoutMs ?? config.proxyTimeoutMs,
  });
  app.addHook('onClose', async () => upstream.close());

  app.addHook('onRequest', securityHeaders);
  app.addHook('onResponse', requestLogger(logger, metrics));
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = toGatewayError(error);
    if (failure.http >= 500) {
      logger.error({ reqId: request.id, code: failure.code, reason: failure.internalReason }, 'request failed');
    }
    return sendDetailError(reply, failure);
  });
  app.setNotFoundHandler((_request, reply) => sendDetailError(reply, new AppError('ERR_NOT_FOUND')));

  // With REDIS_URL, instances share their counts (redis-stores.ts, which also holds the outage policy).
  let redis: RedisStores | null = null;
  if (config.redisUrl && (deps.loginFailureStore === undefined || deps.rateLimiter === undefined)) {
    const stores = await openRedisStores({
      url: config.redisUrl,
      logger,
      perMinute: config.rateLimitPerUser,
      ...(deps.redisKeyPrefix === undefined ? {} : { keyPrefix: deps.redisKeyPrefix }),
    });
    app.addHook('onClose', async () => stores.close());
    redis = stores;
  }

  // What the start-up line reports: shared through Redis only while Redis answers.
  app.decorate('limitsScope', (): LimitsScope => (redis === null ? 'memory' : redis.guard.down ? 'memory (redis unavailable)' : 'redis'));

  const throttle = new LoginThrottle(
    deps.loginFailureStore ?? redis?.loginFailureStore ?? new MemoryFailureCounterStore(),
    deps.loginLimits,
  );
  const sessions = new SessionService({
    database: deps.database,
    tokens: deps.tokens,
    authenticator: deps.authenticator,
    audit: deps.audit,
    logger,
    throttle,
    metrics,
  });
  const rateLimiter =
    deps.rateLimiter ??
    (redis ? redis.rateLimiter : config.rateLimitPerUser > 0 ? new MemoryRateLimiter(config.rateLimitPerUser) : null);

  await app.register(healthRoutes, { database: deps.database, upstream, metrics });
  await app.register(webRoutes, {});
  await app.register(tokenRoutes, { sessions, allowedOrigins: config.allowedOrigins, audit: deps.audit, logger });
  await app.register(adminRoutes, { config, database: deps.database, authenticator: deps.authenticator, audit: deps.audit, logger, throttle });
  await app.register(proxyRoutes, {
    config,
    authenticator: deps.authenticator,
    audit: deps.audit,
    upstream,
    rateLimiter,
    logger,
  });
  return app;
}

/** Builds the gateway and listens on GATEWAY_HOST:GATEWAY_PORT. */
export async function startGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = await buildGateway(deps);
  await app.listen({ host: deps.config.gateway.host, port: deps.config.gateway.port });
  deps.logger.info({ host: deps.config.gateway.host, port: deps.config.gateway.port, mcp: deps.upstreamUrl ?? deps.config.mcp.url }, 'gateway listening');
  return app;
}
