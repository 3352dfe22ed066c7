import { randomInt } from 'crypto';

/** A new socket_id in Pusher's `123.456` form: two random integers, unguessable and unique across nodes in practice. */
export function newSocketId(): string {
  return `${randomInt(1, 2 ** 47)}.${randomInt(1, 2 ** 47)}`;
}

const SOCKET_ID = /^\d{1,20}\.\d{1,20}$/;

export function isSocketId(value: unknown): value is string {
  return typeof value === 'string' && SOCKET_ID.test(value);
}
