import { Controller, Get, Header, Type } from '@nestjs/common';
import type { Registry } from 'prom-client';

/**
 * A controller serving the registry's text on `GET path`, with the registry's content type: plain
 * return values, so it works on Express and Fastify alike.
 */
export function metricsController(path: string, registry: Registry): Type {
  @Controller()
  class RealtimeMetricsController {
    @Get(path)
    @Header('Content-Type', registry.contentType)
    @Header('Cache-Control', 'no-store')
    scrape(): Promise<string> {
      return registry.metrics();
    }
  }
  return RealtimeMetricsController;
}
