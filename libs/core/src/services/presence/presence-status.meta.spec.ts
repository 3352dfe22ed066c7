import { metaWithStatus, statusOf } from './presence-status.meta';

describe('metaWithStatus', () => {
  it('copies the application fields with the status last, leaving out the server fields', () => {
    const meta = { status: 'online', name: 'Alice', connectionId: 'c1', onlineAt: 1 };

    const copy = metaWithStatus(meta, 'away');

    expect(copy).toEqual({ name: 'Alice', status: 'away' });
    expect(Object.keys(copy)).toEqual(['name', 'status']);
    expect(meta.status).toBe('online');
  });

  it('keeps a __proto__ key from JSON as an own field, not as the prototype', () => {
    const copy = metaWithStatus(JSON.parse('{"__proto__": {"polluted": true}}'), 'online');

    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'status']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('statusOf', () => {
  it('reads a string status, and nothing else', () => {
    expect(statusOf({ status: 'busy' })).toBe('busy');
    expect(statusOf({ status: 3 })).toBeUndefined();
    expect(statusOf(undefined)).toBeUndefined();
  });
});
