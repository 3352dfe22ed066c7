import type { IncomingMessage } from 'http';
import type { AuthResult } from '@nest-realtime/core';

/** The `user` query parameter as clientId; refuses an upgrade without one. Test apps use it to name clients. */
export function userFromQuery(request: IncomingMessage): AuthResult | null {
  const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
  return user ? { clientId: user } : null;
}
