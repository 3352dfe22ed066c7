import type { IncomingMessage } from 'http';

/** What the HTTP API reads of a request: Express's, with what body parsers may have left on it. */
export interface ApiRequest extends IncomingMessage {
  originalUrl?: string;
  /** Set by Nest when the application is created with `rawBody: true`. */
  rawBody?: Buffer;
  body?: unknown;
  params?: Record<string, string>;
}

export class BodyTooLargeError extends Error {}

/** A request's body: its bytes, and whether they are the bytes sent (false: a parser's result serialized again). */
export interface RawBody {
  bytes: Buffer;
  exact: boolean;
}

/**
 * The body's bytes as the client sent them, for `body_md5`:
 * - `req.rawBody` when the application keeps it (`NestFactory.create(AppModule, { rawBody: true })`);
 * - a Buffer or string a raw or text parser left in `req.body`;
 * - the stream itself when no parser read it (`bodyParser: false`, or a content type no parser takes),
 *   up to `maxBytes`;
 * - otherwise (the JSON parser consumed the stream) the parsed body serialized again with
 *   `JSON.stringify`: byte for byte what the Node `pusher` SDK sends, since it serializes that way too.
 *   Other SDKs may escape differently (PHP's `\/`): with them, create the app with `rawBody: true`.
 */
export async function rawBodyOf(request: ApiRequest, maxBytes: number): Promise<RawBody> {
  if (Buffer.isBuffer(request.rawBody)) return { bytes: request.rawBody, exact: true };
  if (Buffer.isBuffer(request.body)) return { bytes: request.body, exact: true };
  if (typeof request.body === 'string') return { bytes: Buffer.from(request.body, 'utf8'), exact: true };
  if (request.body === undefined || request.body === null) {
    return { bytes: request.readableEnded ? Buffer.alloc(0) : await readStream(request, maxBytes), exact: true };
  }
  return { bytes: Buffer.from(JSON.stringify(request.body), 'utf8'), exact: false };
}

/** The body as JSON: what a parser made of it, or the raw bytes parsed. */
export function jsonBodyOf(request: ApiRequest, raw: Buffer): unknown {
  if (request.body !== null && typeof request.body === 'object' && !Buffer.isBuffer(request.body)) return request.body;
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function readStream(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        done(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (error: Error) => done(error);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}
