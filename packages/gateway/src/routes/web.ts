/**
 * The browser UI: `GET /` (the page) and `GET /static/<file>` for a fixed list of files.
 * Files are read once when the plugin is registered, so a request never touches the file
 * system and a request path can never name a file outside the list.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { WEB_INDEX, WEB_SECURITY_HEADERS, WEB_STATIC_ASSETS, webAssetsDir, type WebAsset } from '@secure-hospital-ai/web';

interface LoadedAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

function loadAsset(dir: string, asset: WebAsset): LoadedAsset {
  const body = readFileSync(join(dir, asset.file));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType: asset.contentType, etag };
}

function sendAsset(reply: FastifyReply, asset: LoadedAsset, cacheControl: string, ifNoneMatch: string | undefined): FastifyReply {
  reply.headers(WEB_SECURITY_HEADERS).header('cache-control', cacheControl).header('etag', asset.etag);
  if (ifNoneMatch === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

export async function webRoutes(app: FastifyInstance, _opts: {}): Promise<void> {
  const dir = webAssetsDir();
  const index = loadAsset(dir, WEB_INDEX);
  const files = new Map<string, LoadedAsset>(WEB_STATIC_ASSETS.map((asset) => [asset.file, loadAsset(dir, asset)]));

  // The page is never stored: it is the entry point, and a stale copy could pin old script.
  app.get('/', async (_request, reply) => sendAsset(reply, index, 'no-store', undefined));

  // Assets may be kept but are revalidated every time (names carry no content hash).
  app.get<{ Params: { file: string } }>('/static/:file', async (request, reply) => {
    const asset = files.get(request.params.file);
    if (asset === undefined) {
      return reply.headers(WEB_SECURITY_HEADERS).code(404).send({ detail: 'Not found' });
    }
    return sendAsset(reply, asset, 'no-cache', request.headers['if-none-match']);
  });
}
