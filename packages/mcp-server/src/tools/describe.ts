/**
 * A tool's tools/list entry, its JSON Schemas generated from the same zod schemas the
 * pipeline validates with (MCP SDK's habit: one schema, the type and the wire form derived).
 */
import { z } from 'zod';
import type { ToolDescriptor } from '../protocol/types.js';
import type { ToolDefinition } from './tool.js';

/**
 * Without `$schema`: MCP's default dialect applies, and clients whose validators only know
 * draft-07 (the 1.x SDK's Ajv) would refuse a 2020-12 meta-schema reference.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as Record<string, unknown>;
  return rest;
}

export function describeTool(tool: ToolDefinition): ToolDescriptor {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input, 'input'),
    outputSchema: jsonSchema(tool.output, 'output'),
    annotations: { title: tool.title, ...tool.annotations },
  };
}
