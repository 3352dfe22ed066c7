import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'crypto';
import { REALTIME_ADMIN_OPTIONS } from './admin.constants';
import { TOKEN_MISSING, TOKEN_REFUSED } from '../realtime.messages';
import type { ResolvedAdminOptions } from './admin.options';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** Express's response and Fastify's reply both have `header(name, value)`. */
interface HttpResponse {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

const BEARER = /^Bearer +(\S+) *$/i;

/** Hashed first, so that both sides have one length and the comparison says nothing about the token's. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The admin API's guard in token mode: `Authorization: Bearer <token>`, or 401 with a JSON body. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(REALTIME_ADMIN_OPTIONS) private readonly options: ResolvedAdminOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const header = http.getRequest<HttpRequest>().headers.authorization;
    const given = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    // A token function that returns no token refuses every request.
    const expected = this.options.token?.();
    if (given !== undefined && typeof expected === 'string' && expected.length > 0 && sameToken(given, expected)) return true;
    const response = http.getResponse<HttpResponse>();
    const challenge = `Bearer realm="realtime-admin"${given === undefined ? '' : ', error="invalid_token"'}`;
    if (typeof response.header === 'function') response.header('WWW-Authenticate', challenge);
    else response.setHeader?.('WWW-Authenticate', challenge);
    throw new UnauthorizedException(given === undefined ? TOKEN_MISSING : TOKEN_REFUSED);
  }
}
