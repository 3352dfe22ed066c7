import { ExpressAdapter } from '@nestjs/platform-express';
import { serveHttp2 } from '@nest-realtime/core';
import { readFileSync } from 'fs';
import type { DemoConfig } from './demo.config';

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(
      `${variable} names ${file}, which cannot be read (${(error as Error).message}): give the path of a PEM file, or unset TLS_CERT and TLS_KEY for plain HTTP.`,
    );
  }
}

/** Express on plain HTTP/1.1, or with TLS_CERT and TLS_KEY on HTTPS with HTTP/2 and HTTP/1.1 on one port (WebSockets over both). */
export function demoHttpAdapter(tls: DemoConfig['tls']): ExpressAdapter {
  if (!tls) return new ExpressAdapter();
  return serveHttp2(new ExpressAdapter(), { cert: readPem('TLS_CERT', tls.certFile), key: readPem('TLS_KEY', tls.keyFile) });
}
