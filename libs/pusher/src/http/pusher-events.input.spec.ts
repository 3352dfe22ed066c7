import { HttpStatus } from '@nestjs/common';
import { ApiRequestError, batchRequestOf, eventsRequestOf, infoOf } from './pusher-events.input';
import { BAD_REQUEST, TOO_LARGE } from './pusher-http.messages';

const limits = { maxEventBytes: 10, maxChannelsPerEvent: 2, maxBatchEvents: 2 };

function refusal(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiRequestError) return { status: error.getStatus(), message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

describe('the HTTP API input', () => {
  it('reads an event for channels or one channel, with socket_id and info', () => {
    expect(eventsRequestOf({ name: 'e', data: '{}', channels: ['a', 'b', 'a'], socket_id: '1.2', info: 'user_count' }, limits)).toEqual({
      name: 'e',
      data: '{}',
      channels: ['a', 'b'],
      socketId: '1.2',
      info: ['user_count'],
    });
    expect(eventsRequestOf({ name: 'e', data: 'x', channel: 'a' }, limits, 'subscription_count')).toEqual({
      name: 'e',
      data: 'x',
      channels: ['a'],
      info: ['subscription_count'],
    });
  });

  it('refuses with 413 past the data, channels and batch limits', () => {
    expect(refusal(() => eventsRequestOf({ name: 'e', data: 'é'.repeat(6), channel: 'a' }, limits))).toEqual({
      status: HttpStatus.PAYLOAD_TOO_LARGE,
      message: TOO_LARGE.data(12, 10),
    });
    expect(refusal(() => eventsRequestOf({ name: 'e', data: 'x', channels: ['a', 'b', 'c'] }, limits)).status).toBe(413);
    const item = { name: 'e', data: 'x', channel: 'a' };
    expect(refusal(() => batchRequestOf({ batch: [item, item, item] }, limits))).toEqual({ status: 413, message: TOO_LARGE.batch(3, 2) });
  });

  it('refuses with 400 what is not an event', () => {
    expect(refusal(() => eventsRequestOf('[]', limits))).toEqual({ status: 400, message: BAD_REQUEST.notJson });
    expect(refusal(() => eventsRequestOf({ data: 'x', channel: 'a' }, limits)).message).toBe(BAD_REQUEST.name);
    expect(refusal(() => eventsRequestOf({ name: 'pusher:x', data: 'x', channel: 'a' }, limits)).message).toBe(BAD_REQUEST.name);
    expect(refusal(() => eventsRequestOf({ name: 'e', data: { a: 1 }, channel: 'a' }, limits)).message).toBe(BAD_REQUEST.data);
    expect(refusal(() => eventsRequestOf({ name: 'e', data: 'x' }, limits)).message).toBe(BAD_REQUEST.channels);
    expect(refusal(() => eventsRequestOf({ name: 'e', data: 'x', channel: 'a b' }, limits)).message).toBe(BAD_REQUEST.channel('a b'));
    expect(refusal(() => eventsRequestOf({ name: 'e', data: 'x', channel: 'a', socket_id: 'abc' }, limits)).message).toBe(BAD_REQUEST.socketId('abc'));
    expect(refusal(() => batchRequestOf({ batch: [{ name: 'e', data: 'x', channel: 'a' }, { name: 'e', channel: 'a' }] }, limits))).toEqual({
      status: 400,
      message: BAD_REQUEST.batchItem(1, BAD_REQUEST.data),
    });
  });

  it('reads info as known attributes only', () => {
    expect(infoOf(undefined)).toEqual([]);
    expect(infoOf('user_count,subscription_count,user_count')).toEqual(['user_count', 'subscription_count']);
    expect(refusal(() => infoOf('cache')).status).toBe(400);
  });
});
