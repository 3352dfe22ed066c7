import { decideAfterClose } from './close.policy';

describe('decideAfterClose', () => {
  it.each([
    [1001, 'server going away'],
    [1006, 'abnormal closure (network, refused connection)'],
    [1009, 'a frame too large'],
    [1011, 'internal error'],
    [4000, 'heartbeat timeout'],
    [4002, 'a slow consumer cut off'],
    [4999, 'an unknown application code'],
  ])('reconnects after %i (%s)', (code) => {
    expect(decideAfterClose({ code, reason: '' })).toEqual({ reconnect: true, restart: false });
  });

  it('reconnects after 1012 with the restart jitter', () => {
    expect(decideAfterClose({ code: 1012, reason: 'service restart' })).toEqual({ reconnect: true, restart: true });
  });

  it.each([429, 503, 404])('retries an upgrade refused with %i', (status) => {
    expect(decideAfterClose({ code: 1006, reason: '', status })).toEqual({ reconnect: true, restart: false });
  });

  it.each([
    [{ code: 1006, reason: '', status: 401 }, 'unauthorized', 'HTTP 401'],
    [{ code: 1006, reason: '', status: 403 }, 'forbidden', 'HTTP 403'],
    [{ code: 1008, reason: 'credentials expired' }, 'policy', '1008: credentials expired'],
    [{ code: 4001, reason: 'banned' }, 'kicked', '4001: banned'],
    [{ code: 4003, reason: 'idle' }, 'idle', '4003: idle'],
    [{ code: 1000, reason: '' }, 'server_closed', '1000'],
  ])('stops after %j with %s', (close, code, text) => {
    const decision = decideAfterClose(close);
    expect(decision.reconnect).toBe(false);
    if (decision.reconnect) return;
    expect(decision.error.code).toBe(code);
    expect(decision.error.message).toContain(text);
  });
});
