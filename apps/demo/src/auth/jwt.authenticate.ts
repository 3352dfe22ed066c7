import type { JwtService } from '@nestjs/jwt';
import type { Authenticate } from '@app/realtime';
import type { IncomingMessage } from 'http';
import { verifiedUser } from './token.service';

const BEARER = /^Bearer\s+(\S+)$/i;

/** Browsers cannot set headers on a WebSocket, hence the `token` query parameter. */
function tokenOf(request: IncomingMessage): string | null {
  const header = request.headers.authorization?.match(BEARER);
  if (header) return header[1];
  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
}

/** Accepts upgrades that carry a valid token; null makes the library answer 401. */
export function jwtAuthenticate(jwt: JwtService): Authenticate {
  return async (request) => {
    const token = tokenOf(request);
    const user = token ? await verifiedUser(jwt, token) : null;
    return user ? { clientId: user, claims: { user } } : null;
  };
}
