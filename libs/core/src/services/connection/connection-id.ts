import { randomFillSync } from 'crypto';

const ID_BYTES = 12;
/** Ids drawn from the system's random source at once: one call per 256 connections rather than one each. */
const POOL = Buffer.alloc(ID_BYTES * 256);
let next = POOL.length;

/**
 * A new connection's id: 96 random bits as 16 base64url characters. Every presence entry carries one,
 * so it is kept short (a UUID takes 36); it is public (members see each other's), never a credential.
 */
export function newConnectionId(): string {
  if (next === POOL.length) {
    randomFillSync(POOL);
    next = 0;
  }
  const id = POOL.toString('base64url', next, next + ID_BYTES);
  next += ID_BYTES;
  return id;
}
