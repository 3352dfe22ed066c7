import { RealtimeException } from '../../errors/realtime.exception';
import { RESERVED_META_FIELDS, validatePresenceMeta } from './presence-meta.validator';

const LIMITS = { maxBytes: 2048, maxDepth: 4 };

function refusal(meta: unknown, limits = LIMITS, required: string[] = []): RealtimeException {
  try {
    validatePresenceMeta(meta, limits, required);
  } catch (error) {
    expect(error).toBeInstanceOf(RealtimeException);
    return error as RealtimeException;
  }
  throw new Error('expected the meta to be refused');
}

describe('validatePresenceMeta', () => {
  it('accepts a plain JSON object and hands back the same object', () => {
    const meta = { name: 'Ada', age: 36, admin: false, tags: ['a', 'b'], avatar: null, nested: { x: [1, { y: 'z' }] } };

    expect(validatePresenceMeta(meta, LIMITS)).toBe(meta);
  });

  it('treats a missing meta as an empty one', () => {
    expect(validatePresenceMeta(undefined, LIMITS)).toEqual({});
    expect(validatePresenceMeta(null, LIMITS)).toEqual({});
  });

  it('accepts an object without a prototype', () => {
    const meta = Object.assign(Object.create(null) as Record<string, unknown>, { name: 'Ada' });

    expect(validatePresenceMeta(meta, LIMITS)).toBe(meta);
  });

  it.each<[string, unknown]>([
    ['an array', ['a']],
    ['a string', 'Ada'],
    ['a number', 1],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
  ])('refuses a meta that is %s', (_what, meta) => {
    const error = refusal(meta);

    expect(error.code).toBe('invalid');
    expect(error.message).toBe('A presence meta must be a JSON object.');
    expect(error.details).toEqual([{ field: 'meta', message: 'must be an object' }]);
  });

  class Point {
    constructor(
      readonly x = 1,
      readonly y = 2,
    ) {}
  }

  it.each<[string, unknown, string]>([
    ['a function', () => 1, 'is a function, which JSON cannot carry'],
    ['undefined', undefined, 'is a undefined, which JSON cannot carry'],
    ['a symbol', Symbol('s'), 'is a symbol, which JSON cannot carry'],
    ['a bigint', BigInt(1), 'is a bigint, which JSON cannot carry'],
    ['NaN', NaN, 'must be a finite number'],
    ['Infinity', Infinity, 'must be a finite number'],
    ['-Infinity', -Infinity, 'must be a finite number'],
    ['a Date', new Date(0), 'must be plain JSON (an object, array, string, number, boolean or null)'],
    ['a class instance', new Point(), 'must be plain JSON (an object, array, string, number, boolean or null)'],
    ['a RegExp', /x/, 'must be plain JSON (an object, array, string, number, boolean or null)'],
  ])('refuses a value that is %s, naming the field', (_what, value, message) => {
    const error = refusal({ ok: 'yes', bad: value });

    expect(error.code).toBe('invalid');
    expect(error.message).toBe('The presence meta is not valid.');
    expect(error.details).toEqual([{ field: 'meta.bad', message }]);
  });

  it('names the path of a bad value deep inside objects and arrays', () => {
    expect(refusal({ profile: { links: ['ok', NaN] } }).details).toEqual([{ field: 'meta.profile.links[1]', message: 'must be a finite number' }]);
  });

  it('lists every field at fault at once', () => {
    expect(refusal({ a: NaN, b: () => 0, connectionId: 'x' }).details).toEqual([
      { field: 'meta.a', message: 'must be a finite number' },
      { field: 'meta.b', message: 'is a function, which JSON cannot carry' },
      { field: 'meta.connectionId', message: 'is set by the server' },
    ]);
  });

  it.each([...RESERVED_META_FIELDS])('refuses the server field %s', (field) => {
    expect(refusal({ [field]: 'mine' }).details).toEqual([{ field: `meta.${field}`, message: 'is set by the server' }]);
  });

  describe('depth', () => {
    it('accepts nesting up to maxDepth levels, the meta itself being the first', () => {
      expect(() => validatePresenceMeta({ a: { b: { c: { d: 1 } } } }, LIMITS)).not.toThrow();
      expect(() => validatePresenceMeta({ a: [[[1]]] }, LIMITS)).not.toThrow();
    });

    it('refuses one level deeper, naming where', () => {
      expect(refusal({ a: { b: { c: { d: {} } } } }).details).toEqual([{ field: 'meta.a.b.c.d', message: 'nests deeper than 4 levels' }]);
      expect(refusal({ a: [[[[1]]]] }).details).toEqual([{ field: 'meta.a[0][0][0]', message: 'nests deeper than 4 levels' }]);
    });

    it('follows the configured limit', () => {
      expect(refusal({ a: {} }, { maxBytes: 2048, maxDepth: 1 }).details).toEqual([{ field: 'meta.a', message: 'nests deeper than 1 levels' }]);
      expect(() => validatePresenceMeta({ a: 1 }, { maxBytes: 2048, maxDepth: 1 })).not.toThrow();
    });

    it('stops at the depth limit on a cyclic meta instead of recursing forever', () => {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = cyclic;

      expect(refusal(cyclic).details).toEqual([{ field: 'meta.self.self.self.self', message: 'nests deeper than 4 levels' }]);
    });
  });

  describe('size', () => {
    it('accepts a meta of exactly maxBytes JSON bytes', () => {
      const meta = { s: 'x'.repeat(100 - '{"s":""}'.length) };

      expect(Buffer.byteLength(JSON.stringify(meta))).toBe(100);
      expect(() => validatePresenceMeta(meta, { maxBytes: 100, maxDepth: 4 })).not.toThrow();
    });

    it('refuses a meta over maxBytes, counting UTF-8 bytes and not characters', () => {
      const meta = { s: 'é'.repeat(47) };

      expect(JSON.stringify(meta).length).toBe(55);
      expect(Buffer.byteLength(JSON.stringify(meta))).toBe(102);
      const error = refusal(meta, { maxBytes: 101, maxDepth: 4 });
      expect(error.code).toBe('invalid');
      expect(error.message).toBe('The presence meta is 102 bytes; the limit is 101.');
      expect(error.details).toEqual([{ field: 'meta', message: 'is larger than 101 bytes' }]);
    });
  });

  describe('required fields', () => {
    it('accepts a meta with every required field', () => {
      expect(() => validatePresenceMeta({ name: 'Ada', role: null }, LIMITS, ['name', 'role'])).not.toThrow();
    });

    it('refuses a meta missing one, naming each missing field', () => {
      const error = refusal({ role: 'admin' }, LIMITS, ['name', 'avatar', 'role']);

      expect(error.details).toEqual([
        { field: 'meta.name', message: 'is required in this channel' },
        { field: 'meta.avatar', message: 'is required in this channel' },
      ]);
    });

    it('refuses a missing meta when fields are required', () => {
      expect(refusal(undefined, LIMITS, ['name']).details).toEqual([{ field: 'meta.name', message: 'is required in this channel' }]);
    });
  });
});
