import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  ValidationPipe,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { RealtimeException } from '../../errors/realtime.exception';
import { toErrorBody } from './error-body.mapper';

describe('toErrorBody', () => {
  it('passes the library errors through as they are', () => {
    const details = [{ field: 'channel', message: 'is required' }];

    expect(toErrorBody(new RealtimeException('invalid', 'Bad channel.', details))).toEqual({
      body: { code: 'invalid', message: 'Bad channel.', details },
      unexpected: false,
    });
    expect(toErrorBody(new RealtimeException('not_joined', 'Join first.'))).toEqual({
      body: { code: 'not_joined', message: 'Join first.' },
      unexpected: false,
    });
  });

  it("keeps an application's own code given to a RealtimeException", () => {
    expect(toErrorBody(new RealtimeException('room_full', 'The room is full.', { limit: 8 }))).toEqual({
      body: { code: 'room_full', message: 'The room is full.', details: { limit: 8 } },
      unexpected: false,
    });
  });

  it('falls back to rejected for a RealtimeException whose code is not a code', () => {
    expect(toErrorBody(new RealtimeException('Room Full', 'The room is full.')).body).toEqual({ code: 'rejected', message: 'The room is full.' });
  });

  it('hides the message and details of a RealtimeException with code internal', () => {
    expect(toErrorBody(new RealtimeException('internal', 'lost the lock on room:a', { lock: 'x' }))).toEqual({
      body: { code: 'internal', message: 'Internal server error' },
      unexpected: true,
    });
  });

  describe('HttpException', () => {
    it("turns a ValidationPipe's 400 with a message list into invalid with the fields", () => {
      const exception = new BadRequestException(['name must be a string', 'age must not be less than 0']);

      expect(toErrorBody(exception)).toEqual({
        body: {
          code: 'invalid',
          message: 'Validation failed',
          details: [
            { field: 'name', message: 'name must be a string' },
            { field: 'age', message: 'age must not be less than 0' },
          ],
        },
        unexpected: false,
      });
    });

    it('keeps the nested property path of a message as its field', () => {
      const { body } = toErrorBody(new BadRequestException(['address.city should not be empty']));

      expect(body.details).toEqual([{ field: 'address.city', message: 'address.city should not be empty' }]);
    });

    it('names the property, not "each", for a rule applied to each value of an array', () => {
      const { body } = toErrorBody(
        new BadRequestException(['each value in tags must be a string', 'each value in nested property items must be either object or array']),
      );

      expect(body.details).toEqual([
        { field: 'tags', message: 'each value in tags must be a string' },
        { field: 'items', message: 'each value in nested property items must be either object or array' },
      ]);
    });

    it('maps the messages of a real ValidationPipe to their fields', async () => {
      class Address {
        @IsString() city!: string;
      }
      class Profile {
        @IsString({ each: true }) tags!: string[];
        @ValidateNested() @Type(() => Address) address!: Address;
        @IsInt() @Min(0) age!: number;
      }
      const error = await new ValidationPipe()
        .transform({ tags: ['ok', 1], address: { city: 3 }, age: -1 }, { type: 'body', metatype: Profile })
        .then(
          () => undefined,
          (reason: unknown) => reason,
        );

      expect(error).toBeInstanceOf(BadRequestException);
      expect(toErrorBody(error).body).toEqual({
        code: 'invalid',
        message: 'Validation failed',
        details: [
          { field: 'tags', message: 'each value in tags must be a string' },
          { field: 'address.city', message: 'address.city must be a string' },
          { field: 'age', message: 'age must not be less than 0' },
        ],
      });
    });

    it('turns a 400 with one message into invalid with that message', () => {
      expect(toErrorBody(new BadRequestException('Room is archived'))).toEqual({
        body: { code: 'invalid', message: 'Room is archived' },
        unexpected: false,
      });
    });

    it.each<[HttpException, string]>([
      [new UnauthorizedException('Log in'), 'unauthorized'],
      [new ForbiddenException('Admins only'), 'forbidden'],
      [new NotFoundException('No such room'), 'not_found'],
      [new PayloadTooLargeException('Too big'), 'too_large'],
      [new HttpException('Slow down', HttpStatus.TOO_MANY_REQUESTS), 'rate_limited'],
      [new HttpException('I am a teapot', 418), 'invalid'],
    ])('maps %p by its status to %s', (exception, code) => {
      expect(toErrorBody(exception)).toEqual({ body: { code, message: exception.message }, unexpected: false });
    });

    it('hides a 5xx behind internal and flags it unexpected', () => {
      expect(toErrorBody(new HttpException({ message: 'db password wrong' }, 503))).toEqual({
        body: { code: 'internal', message: 'Internal server error' },
        unexpected: true,
      });
    });
  });

  describe('WsException', () => {
    it('is rejected with its message', () => {
      expect(toErrorBody(new WsException('Not your turn'))).toEqual({
        body: { code: 'rejected', message: 'Not your turn' },
        unexpected: false,
      });
    });

    it('keeps a known code, message and details given as an object', () => {
      expect(toErrorBody(new WsException({ code: 'forbidden', message: 'Read only', details: { room: 'r1' } }))).toEqual({
        body: { code: 'forbidden', message: 'Read only', details: { room: 'r1' } },
        unexpected: false,
      });
    });

    it("keeps an application's own code", () => {
      expect(toErrorBody(new WsException({ code: 'room_full', message: 'The room is full.' }))).toEqual({
        body: { code: 'room_full', message: 'The room is full.' },
        unexpected: false,
      });
    });

    it.each([['Room Full'], ['room-full'], ['9lives'], ['x'.repeat(65)], [42], [null]])(
      'falls back to rejected for %p, which is not a code',
      (code) => {
        expect(toErrorBody(new WsException({ code, message: 'Short and stout' })).body).toEqual({
          code: 'rejected',
          message: 'Short and stout',
        });
      },
    );

    it("turns a guard's refusal into forbidden", () => {
      // What Nest's ws context throws when a guard returns false.
      expect(toErrorBody(new WsException('Forbidden resource'))).toEqual({
        body: { code: 'forbidden', message: 'Forbidden resource' },
        unexpected: false,
      });
    });

    it('hides the message and details of an internal behind the generic message, flagged unexpected', () => {
      expect(toErrorBody(new WsException({ code: 'internal', message: 'db at 10.0.0.7 down', details: { host: 'db' } }))).toEqual({
        body: { code: 'internal', message: 'Internal server error' },
        unexpected: true,
      });
    });
  });

  describe('anything else', () => {
    it.each<[string, unknown]>([
      ['an Error', new Error('SELECT * FROM users failed: password=hunter2')],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['a string', 'oops'],
      ['undefined', undefined],
    ])('turns %s into internal with a generic message, flagged unexpected', (_what, exception) => {
      expect(toErrorBody(exception)).toEqual({ body: { code: 'internal', message: 'Internal server error' }, unexpected: true });
    });
  });
});
