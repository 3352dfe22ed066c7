import type { JwtService } from '@nestjs/jwt';
import type { AuthResult, Authenticate, Reauthenticate } from '@nest-realtime/core';
import type { IncomingMessage } from 'http';
import { verifiedToken } from './token.service';

const BEARER = /^Bearer\s+(\S+)$/i;

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  return authorization?.match(BEARER)?.[1] ?? null;
}

/** Browsers cannot set headers on a WebSocket, hence the `token` query parameter. */
function tokenOf(request: IncomingMessage): string | null {
  const header = bearerToken(request.headers.authorization);
  if (header) return header;
  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
}

async function identityOf(jwt: JwtService, token: string | null): Promise<AuthResult | null> {
  const verified = token ? await verifiedToken(jwt, token) : null;
  if (!verified) return null;
  // The token's `exp` becomes the connection's expiry: at it the library closes the connection with 1008.
  return { clientId: verified.user, claims: { user: verified.user }, expiresAt: verified.expiresAt };
}

/** Accepts upgrades that carry a valid token; null makes the library answer 401. */
export function jwtAuthenticate(jwt: JwtService): Authenticate {
  return (request) => identityOf(jwt, tokenOf(request));
}

/** `connection:reauth {token}`: a fresh token of the same user extends the connection to its expiry. */
export function jwtReauthenticate(jwt: JwtService): Reauthenticate {
  return (token) => identityOf(jwt, token);
}
