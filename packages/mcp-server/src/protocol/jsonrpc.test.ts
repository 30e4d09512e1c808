import { describe, expect, it } from 'vitest';
import { AppError } from '@secure-hospital-ai/core/errors';
import { PRESERIALIZED, errorResponse, responseBody, resultResponse, serializeResponse } from './jsonrpc.js';

describe('serializeResponse', () => {
  const structured = { patient: { id: 'P001', note: 'quote " and \\u2028 and </script>' }, list: [1, 2, { a: null }] };
  const text = JSON.stringify(structured);
  const parts = { content: JSON.stringify([{ type: 'text', text }]), structuredContent: text };

  it('splices pre-serialised content and structuredContent in, to the same JSON as a full stringify', () => {
    for (const id of [1, 'req-"7"', 0]) {
      const plain = resultResponse(id, { content: [{ type: 'text', text }], structuredContent: structured });
      const pre = resultResponse(id, { content: [{ type: 'text', text }], structuredContent: structured, [PRESERIALIZED]: parts });
      expect(JSON.parse(serializeResponse(pre))).toEqual(JSON.parse(JSON.stringify(plain)));
      // The symbol itself never reaches the wire.
      expect(serializeResponse(pre)).not.toContain('as JSON text');
      // The escaped copy is the one handed in, not re-serialised: a marker in it shows through.
      const marked = resultResponse(id, { content: [], structuredContent: {}, [PRESERIALIZED]: { content: '["marker"]', structuredContent: '{"m":1}' } });
      expect(JSON.parse(serializeResponse(marked)).result).toEqual({ content: ['marker'], structuredContent: { m: 1 } });
    }
  });

  it('keeps extra result fields (the 2026-07-28 envelope) and falls back to JSON.stringify without the text', () => {
    const modern = { content: [{ type: 'text', text }], structuredContent: structured, [PRESERIALIZED]: parts, resultType: 'complete', _meta: { a: 1 } };
    expect(JSON.parse(serializeResponse(resultResponse(3, modern)))).toEqual({ jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text }], structuredContent: structured, resultType: 'complete', _meta: { a: 1 } } });
    const tools = resultResponse(4, { tools: [] });
    expect(serializeResponse(tools)).toBe(JSON.stringify(tools));
    const error = errorResponse(5, new AppError('ERR_FORBIDDEN'));
    expect(serializeResponse(error)).toBe(JSON.stringify(error));
  });
});

describe('responseBody', () => {
  // Characters of one to four UTF-8 bytes, in the answer and in the id: a length taken in
  // characters instead of bytes would cut the body short or leave garbage at its end.
  const structured = { patient: { id: 'P001', name: 'Zoë Ångström 李 \u{1F3E5}', note: 'quote " and \u2028' } };
  const text = JSON.stringify(structured);
  const parts = Object.freeze({ content: JSON.stringify([{ type: 'text', text }]), structuredContent: text });
  const result = (extra: object = {}) => ({ content: [{ type: 'text', text }], structuredContent: structured, [PRESERIALIZED]: parts, ...extra });

  it('is the bytes of serializeResponse, for every id, also when the same parts are sent again', () => {
    for (const id of [1, 'réq-"7"-\u{1F600}', 0, 'plain', 2]) {
      for (const extra of [{}, { resultType: 'complete', _meta: { 'ключ': 'значение' } }]) {
        const response = resultResponse(id, result(extra));
        const body = responseBody(response);
        expect(Buffer.isBuffer(body)).toBe(true);
        expect((body as Buffer).equals(Buffer.from(serializeResponse(response), 'utf8'))).toBe(true);
        expect(JSON.parse((body as Buffer).toString('utf8'))).toEqual(JSON.parse(JSON.stringify(response)));
      }
    }
  });

  it('encodes the parts it is given, not those of an earlier answer', () => {
    const other = Object.freeze({ content: '["other"]', structuredContent: '{"o":"ø"}' });
    responseBody(resultResponse(1, result()));
    const body = responseBody(resultResponse(1, { content: [], structuredContent: {}, [PRESERIALIZED]: other })) as Buffer;
    expect(JSON.parse(body.toString('utf8')).result).toEqual({ content: ['other'], structuredContent: { o: 'ø' } });
  });

  it('is plain JSON text without pre-serialised parts', () => {
    const tools = resultResponse(4, { tools: [] });
    expect(responseBody(tools)).toBe(JSON.stringify(tools));
    const error = errorResponse(5, new AppError('ERR_FORBIDDEN'));
    expect(responseBody(error)).toBe(JSON.stringify(error));
  });
});
