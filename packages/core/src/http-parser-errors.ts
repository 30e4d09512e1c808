/**
 * Requests refused before any route runs, answered in the product's shape (`{"detail": …}`,
 * status and text from ERROR_TABLE) rather than the framework's, by both servers:
 * - what Node's HTTP parser cannot read (a malformed request line or header, a Content-Length
 *   that is not a number, headers over Node's size limit, a request too slow to arrive) reaches
 *   the server's 'clientError' handler with the bare socket. The answer is written to it and
 *   the connection closed, since its framing can no longer be trusted;
 * - a URL that does not decode is Fastify's FST_ERR_BAD_URL, whose default body repeats the
 *   path back.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, ERROR_TABLE, type ErrorCode } from './errors.js';

function parserErrorCode(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'ERR_HEADERS_TOO_LARGE';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'ERR_REQUEST_TIMEOUT';
  return 'ERR_INVALID_REQUEST';
}

/** Fastify's `clientErrorHandler`. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { http, message } = ERROR_TABLE[parserErrorCode(error.code)];
  const body = JSON.stringify({ detail: message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${http} ${STATUS_CODES[http] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** The refusal for a URL that does not decode (Fastify's `frameworkErrors`), without the URL. */
export function badUrlError(): AppError {
  return new AppError('ERR_INVALID_REQUEST', { detail: 'The URL is not valid', internalReason: 'bad_url' });
}
