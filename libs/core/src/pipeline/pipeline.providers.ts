import type { Provider } from '@nestjs/common';
import { FrameDispatcher } from './dispatch/frame.dispatcher';
import { GatewayFiltersBinder } from './dispatch/gateway-filters.binder';
import { ProtocolHandlers } from './dispatch/protocol.handlers';
import { AuthenticationMiddleware } from './middleware/authentication.middleware';
import { ConnectionLimitsMiddleware } from './middleware/connection-limits.middleware';
import { LoggingMiddleware } from './middleware/logging.middleware';
import { MetricsMiddleware } from './middleware/metrics.middleware';
import { MiddlewarePipeline } from './middleware/middleware.pipeline';
import { OriginMiddleware } from './middleware/origin.middleware';
import { RateLimitMiddleware } from './middleware/rate-limit.middleware';

export const pipelineProviders: Provider[] = [
  MetricsMiddleware,
  LoggingMiddleware,
  OriginMiddleware,
  ConnectionLimitsMiddleware,
  AuthenticationMiddleware,
  RateLimitMiddleware,
  MiddlewarePipeline,
  ProtocolHandlers,
  FrameDispatcher,
  GatewayFiltersBinder,
];
