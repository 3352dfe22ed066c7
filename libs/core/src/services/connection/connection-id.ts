import { randomBytes } from 'crypto';

/**
 * A new connection's id: 96 random bits as 16 base64url characters. Every presence entry carries one,
 * so it is kept short (a UUID takes 36); it is public (members see each other's), never a credential.
 */
export function newConnectionId(): string {
  return randomBytes(12).toString('base64url');
}
