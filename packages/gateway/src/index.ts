export { buildGateway, startGateway, type GatewayDeps } from './server.js';
export { SessionService, type TokenPair } from './sessions.js';
export { MemoryFailureCounterStore, LoginThrottle, type FailureCounterStore, type LoginThrottleLimits } from './login-throttle.js';
export { MemoryRateLimiter, type RateLimiter } from './rate-limit.js';
export { MAX_PROXY_BODY_BYTES } from './routes/proxy.js';
