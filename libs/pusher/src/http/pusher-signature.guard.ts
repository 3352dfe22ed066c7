import {
  BadRequestException,
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import { PUSHER_OPTIONS } from '../pusher.constants';
import type { ResolvedPusherOptions } from '../options/pusher-options.resolver';
import { PUSHER_API_APPS } from './pusher-http.constants';
import { APP_DISABLED, AUTH_FAILED, HTTP_API_OFF, TOO_LARGE, UNKNOWN_APP } from './pusher-http.messages';
import type { ResolvedApiApp } from './pusher-http.options';
import { parseSignedQuery, splitUrl } from './pusher-query';
import { verifySignedRequest } from './request-signature';
import { BodyTooLargeError, jsonBodyOf, RawBody, rawBodyOf } from './raw-body';
import { RequestWithVerified, setVerified } from './verified-request';

/** The most bytes read from a body no parser read: room for the largest batch the app takes. */
export const bodyLimitOf = (api: ResolvedApiApp): number => api.maxBatchEvents * (2 * api.maxEventBytes + 200 * api.maxChannelsPerEvent) + 4096;

/**
 * Lets a request of the HTTP API through once it is known to come from the app's server: 404 for an
 * unknown app id, 403 for a disabled app, 400 for a query that cannot be read, 401 for a bad signature
 * (the body tells which check failed). The path signed is the request's own, as it arrived.
 */
@Injectable()
export class PusherSignatureGuard implements CanActivate {
  constructor(
    @Inject(PUSHER_OPTIONS) private readonly options: ResolvedPusherOptions,
    @Inject(PUSHER_API_APPS) private readonly apiApps: ReadonlyMap<string, ResolvedApiApp>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithVerified>();
    const appId = request.params?.appId ?? '';
    const app = this.options.byId.get(appId);
    const api = this.apiApps.get(appId);
    if (!this.options.httpApi) throw new NotFoundException(HTTP_API_OFF);
    if (!app || !api) throw new NotFoundException(UNKNOWN_APP(appId));
    if (!api.enabled) throw new ForbiddenException(APP_DISABLED(appId));
    const { path, rawQuery } = splitUrl(request.originalUrl ?? request.url ?? '');
    const parsed = parseSignedQuery(rawQuery);
    if (!parsed.ok) throw new BadRequestException(parsed.reason);
    const method = (request.method ?? 'GET').toUpperCase();
    let raw: RawBody | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const limit = bodyLimitOf(api);
      raw = await rawBodyOf(request, limit).catch((error: unknown) => {
        throw error instanceof BodyTooLargeError ? new PayloadTooLargeException(TOO_LARGE.body(limit)) : error;
      });
    }
    const check = verifySignedRequest({ method, path, query: parsed.query, body: raw?.bytes }, app);
    if (!check.ok) {
      throw new UnauthorizedException(check.reason === AUTH_FAILED.bodyMd5 && raw && !raw.exact ? AUTH_FAILED.bodyMd5Reparsed : check.reason);
    }
    setVerified(request, { app, api, query: parsed.query, body: raw === undefined ? undefined : jsonBodyOf(request, raw.bytes) });
    return true;
  }
}
