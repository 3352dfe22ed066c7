import { newConnectionId } from './connection-id';

describe('newConnectionId', () => {
  it('gives 16 base64url characters, a different id every time, across refills of its random pool', () => {
    const ids = Array.from({ length: 1000 }, () => newConnectionId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
