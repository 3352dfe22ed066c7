import { createHmac, timingSafeEqual } from 'crypto';
import { authToken, channelAuthText, safeEqual, sign, userAuthText, verifyAuth } from './pusher-signature';

jest.mock('crypto', () => {
  const actual = jest.requireActual<typeof import('crypto')>('crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const APP = { key: 'app-key', secret: 'app-secret' };

describe('Pusher signatures', () => {
  it('sign hex(HMAC-SHA256(secret, text))', () => {
    expect(sign('secret', 'text')).toBe(createHmac('sha256', 'secret').update('text').digest('hex'));
  });

  it('sign socket_id:channel, with :channel_data for presence, and socket_id::user::user_data for a signin', () => {
    expect(channelAuthText('1.2', 'private-a')).toBe('1.2:private-a');
    expect(channelAuthText('1.2', 'presence-a', '{"user_id":"u"}')).toBe('1.2:presence-a:{"user_id":"u"}');
    expect(userAuthText('1.2', '{"id":"u"}')).toBe('1.2::user::{"id":"u"}');
  });

  // The example of Pusher's documentation of the protocol: key 278d425bdf160c739803, secret 7ad3773142a6692b25b8.
  it('agrees with the documented example', () => {
    const app = { key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
    expect(authToken(app, channelAuthText('1234.1234', 'private-foobar'))).toBe(
      '278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4',
    );
  });

  it('accept the app\'s own signature and refuse any other', () => {
    const text = channelAuthText('1.2', 'private-a');
    const good = authToken(APP, text);

    expect(verifyAuth(APP, good, text)).toBe(true);
    expect(verifyAuth(APP, authToken({ ...APP, secret: 'other' }, text), text)).toBe(false);
    expect(verifyAuth(APP, `other-key:${good.split(':')[1]}`, text)).toBe(false);
    expect(verifyAuth(APP, good, channelAuthText('1.3', 'private-a'))).toBe(false);
    expect(verifyAuth(APP, good.toUpperCase(), text)).toBe(false);
    expect(verifyAuth(APP, good.slice(0, -1), text)).toBe(false);
    for (const bad of [undefined, null, 42, {}, '', 'x'.repeat(10_000)]) expect(verifyAuth(APP, bad, text)).toBe(false);
  });

  it('compare with crypto.timingSafeEqual, also when the lengths differ', () => {
    const compare = jest.mocked(timingSafeEqual);
    compare.mockClear();

    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abd', 'abc')).toBe(false);
    expect(safeEqual('ab', 'abc')).toBe(false);
    expect(compare).toHaveBeenCalledTimes(3);
  });
});
