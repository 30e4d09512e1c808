export { buildMcpServer, SERVER_INFO, type McpServerDeps } from './server.js';
export type { McpBackend, RequestContext, ToolDescriptor, CallToolResult } from './protocol/types.js';
