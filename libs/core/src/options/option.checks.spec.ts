import {
  A_FUNCTION,
  A_POSITIVE_NUMBER,
  AN_ARRAY_OF,
  AN_INTEGER,
  AN_OBJECT,
  INVALID_OPTION,
  NON_EMPTY_STRINGS,
  ONE_OF,
  TRUE_OR_FALSE,
} from '../realtime.messages';
import { LOG_LEVELS, OptionChecks, optionFailure } from './option.checks';

const check = new OptionChecks(optionFailure('TestEngine'));
const invalid = (name: string, expected: string, got: unknown) => INVALID_OPTION('TestEngine', name, expected, got);

describe('OptionChecks', () => {
  it('gives the default for an absent option and the value of a good one', () => {
    expect(check.integer('n', undefined, 7, 1)).toBe(7);
    expect(check.integer('n', 3, 7, 1)).toBe(3);
    expect(check.positiveNumber('rate', 0.5, 1)).toBe(0.5);
    expect(check.boolean('on', false, true)).toBe(false);
    expect(check.oneOf('mode', undefined, ['a', 'b'], 'b')).toBe('b');
    expect(check.text('url', 'redis://x', 'redis://y', /^redis:/, 'a redis URL')).toBe('redis://x');
  });

  it('fails with the owner, the option, what it must be and what it got', () => {
    expect(() => check.integer('nodeTtl', 100, 10_000, 300)).toThrow(invalid('nodeTtl', AN_INTEGER(300), 100));
    expect(() => check.integer('level', 10, 3, 1, 9)).toThrow(invalid('level', AN_INTEGER(1, 9), 10));
    expect(() => check.integer('n', 1.5, 1, 0)).toThrow(invalid('n', AN_INTEGER(0), 1.5));
    expect(() => check.positiveNumber('rate', 0, 1)).toThrow(invalid('rate', A_POSITIVE_NUMBER, 0));
    expect(() => check.boolean('on', 'yes', true)).toThrow(invalid('on', TRUE_OR_FALSE, 'yes'));
    expect(() => check.text('url', 'x', 'y', /^redis:/, 'a redis URL')).toThrow(invalid('url', 'a redis URL', 'x'));
    expect(() => check.stringList('states', ['a', ''], [])).toThrow(invalid('states', NON_EMPTY_STRINGS, ['a', '']));
    expect(() => check.callback('authorize', 'no' as never, '() => boolean')).toThrow(invalid('authorize', A_FUNCTION('() => boolean'), 'no'));
    expect(() => check.logLevels('logLevels', ['loud'])).toThrow(invalid('logLevels', AN_ARRAY_OF(LOG_LEVELS), ['loud']));
  });

  it('takes a value from a fixed set, and refuses an absent one when there is no default', () => {
    expect(check.oneOf('kind', 'join', ['join', 'leave'])).toBe('join');
    expect(() => check.oneOf('kind', 'part', ['join', 'leave'])).toThrow(invalid('kind', ONE_OF(['join', 'leave']), 'part'));
    expect(() => check.oneOf('kind', undefined, ['join', 'leave'])).toThrow(invalid('kind', ONE_OF(['join', 'leave']), undefined));
  });

  it('returns copies of lists, so a later change to the options does not leak in', () => {
    const states = ['a'];
    const levels: ['debug'] = ['debug'];
    const copied = check.stringList('states', states, []);
    const levelsCopy = check.logLevels('logLevels', levels);
    states.push('b');

    expect(copied).toEqual(['a']);
    expect(levelsCopy).not.toBe(levels);
    expect(check.logLevels('logLevels', undefined)).toEqual(['log', 'warn', 'error', 'fatal']);
  });

  it('takes a group as a plain object, absent as all defaults, and false only where it turns the group off', () => {
    expect(check.section('limits', undefined)).toEqual({});
    expect(check.section('limits', { max: 1 })).toEqual({ max: 1 });
    expect(() => check.section('limits', [] as never)).toThrow(invalid('limits', AN_OBJECT(), []));
    expect(() => check.section('limits', false as never)).toThrow(invalid('limits', AN_OBJECT(), false));
    expect(check.sectionOrOff('origins', false)).toBe(false);
    expect(check.sectionOrOff('origins', undefined)).toEqual({});
    expect(() => check.sectionOrOff('origins', 'same' as never)).toThrow(invalid('origins', AN_OBJECT(true), 'same'));
  });

  it("throws the error its failure builds, so a caller can word or type it as its own", () => {
    const own = new OptionChecks((name, expected) => new TypeError(`create(): ${name} must be ${expected}`));

    expect(() => own.integer('ttl', -1, 0, 0)).toThrow(new TypeError('create(): ttl must be an integer ≥ 0'));
  });
});
