import { RealtimeException } from '../../errors/realtime.exception';
import { validateStateKey, validateStateTtl, validateStateValue, validateStateVersion } from './state-value.validator';

const limits = { maxBytes: 64, maxDepth: 3 };

function refusal(run: () => unknown): RealtimeException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RealtimeException);
    return error as RealtimeException;
  }
  throw new Error('expected a refusal');
}

describe('shared-state validation', () => {
  describe('keys', () => {
    it('takes 1 to 128 printable characters, spaces included', () => {
      expect(validateStateKey('cursor of bob')).toBe('cursor of bob');
      expect(validateStateKey('k'.repeat(128))).toBe('k'.repeat(128));
    });

    it.each([[''], ['k'.repeat(129)], ['tab\there'], ['é'], [42], [undefined]])('refuses %p as invalid, naming the key', (key) => {
      const error = refusal(() => validateStateKey(key));
      expect(error.code).toBe('invalid');
      expect(error.details).toEqual([{ field: 'key', message: 'must be 1 to 128 printable ASCII characters' }]);
    });
  });

  describe('values', () => {
    it('takes plain JSON within the limits: objects, arrays, strings, numbers, booleans and null', () => {
      for (const value of [null, true, 3.5, 'text', [1, [2]], { a: { b: 1 } }]) expect(validateStateValue(value, limits)).toBe(value);
    });

    it('refuses an absent value: a key is deleted with state:delete', () => {
      expect(refusal(() => validateStateValue(undefined, limits)).details).toEqual([{ field: 'value', message: 'is required' }]);
    });

    it('names every field at fault: depth, non-finite numbers, non-JSON values', () => {
      const error = refusal(() => validateStateValue({ deep: { a: { b: {} } }, n: Infinity, f: () => 1, d: new Date(0) }, limits));
      expect(error.code).toBe('invalid');
      expect(error.details).toEqual([
        { field: 'value.deep.a.b', message: 'nests deeper than 3 levels' },
        { field: 'value.n', message: 'must be a finite number' },
        { field: 'value.f', message: 'is a function, which JSON cannot carry' },
        { field: 'value.d', message: 'must be plain JSON (an object, array, string, number, boolean or null)' },
      ]);
    });

    it('refuses a value larger than maxBytes of JSON, saying its size', () => {
      const error = refusal(() => validateStateValue('x'.repeat(70), limits));
      expect(error.message).toBe('The state value is 72 bytes; the limit is 64.');
    });
  });

  describe('ttl and version', () => {
    it('takes a ttl of 1 to maxTtl ms, or none', () => {
      expect(validateStateTtl(undefined, 1000)).toBeUndefined();
      expect(validateStateTtl(1000, 1000)).toBe(1000);
      for (const ttl of [0, 1001, 1.5, '10']) expect(refusal(() => validateStateTtl(ttl, 1000)).details).toEqual([{ field: 'ttl', message: 'must be an integer from 1 to 1000' }]);
    });

    it('takes a version ≥ 0 (0: the key must be absent), or none', () => {
      expect(validateStateVersion(undefined)).toBeUndefined();
      expect(validateStateVersion(0)).toBe(0);
      for (const version of [-1, 1.5, '1']) expect(refusal(() => validateStateVersion(version)).details).toEqual([{ field: 'version', message: 'must be an integer ≥ 0' }]);
    });
  });
});
