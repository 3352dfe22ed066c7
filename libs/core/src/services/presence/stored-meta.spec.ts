import { storedMeta } from './stored-meta';

describe('storedMeta', () => {
  it('keeps the application fields first, then the connectionId and onlineAt', () => {
    const stored = storedMeta({ name: 'Ann', status: 'online' }, 'c1', 42);

    expect(Object.entries(stored)).toEqual([
      ['name', 'Ann'],
      ['status', 'online'],
      ['connectionId', 'c1'],
      ['onlineAt', 42],
    ]);
  });

  it('keeps a "__proto__" key from JSON as an own field and leaves the prototype alone', () => {
    const stored = storedMeta(JSON.parse('{"__proto__":{"polluted":true},"name":"Ann"}'), 'c1', 1);

    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect((stored as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(stored))).toEqual(JSON.parse('{"__proto__":{"polluted":true},"name":"Ann","connectionId":"c1","onlineAt":1}'));
  });

  it('does not change the meta it copies', () => {
    const meta = { name: 'Ann' };
    storedMeta(meta, 'c1', 1);

    expect(meta).toEqual({ name: 'Ann' });
  });
});
