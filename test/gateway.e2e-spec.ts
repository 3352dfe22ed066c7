import { UsePipes, ValidationPipe } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
  WsResponse,
} from '@nestjs/websockets';
import { Type } from 'class-transformer';
import { IsInt, IsString, Length, Min, ValidateNested } from 'class-validator';
import { Observable, of } from 'rxjs';
import type { WebSocket } from 'ws';
import { ChannelService, RealtimeConnection, RealtimeValidationPipe } from '@nest-realtime/core';
import { userFromQuery } from './support/auth';
import { RealtimeTestApp } from './support/realtime-app';

class AddressDto {
  @IsString()
  city: string;
}

class CreateItemDto {
  @IsString()
  @Length(1, 20)
  name: string;

  @IsInt()
  @Min(1)
  quantity: number;
}

class CreateOrderDto {
  @IsString()
  item: string;

  @ValidateNested()
  @Type(() => AddressDto)
  address: AddressDto;
}

@WebSocketGateway()
class ShopGateway implements OnGatewayConnection, OnGatewayDisconnect {
  readonly connected: string[] = [];
  readonly disconnected: string[] = [];
  private onDisconnect?: (connectionId: string) => void;

  handleConnection(socket: WebSocket): void {
    this.connected.push(RealtimeConnection.of(socket)!.id);
  }

  handleDisconnect(socket: WebSocket): void {
    const id = RealtimeConnection.of(socket)!.id;
    this.disconnected.push(id);
    this.onDisconnect?.(id);
  }

  /** Resolves when handleDisconnect has run for this connection. */
  disconnectOf(connectionId: string): Promise<void> {
    if (this.disconnected.includes(connectionId)) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.onDisconnect;
      this.onDisconnect = (id) => {
        previous?.(id);
        if (id === connectionId) resolve();
      };
    });
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() body: unknown): unknown {
    return body;
  }

  @SubscribeMessage('echo-later')
  async echoLater(@MessageBody() body: { text: string }): Promise<{ echoed: string }> {
    await new Promise((resolve) => setImmediate(resolve));
    return { echoed: body.text };
  }

  @SubscribeMessage('nothing')
  nothing(): void {}

  @SubscribeMessage('refuse')
  refuse(): never {
    throw new WsException('the shop is closed');
  }

  @SubscribeMessage('refuse-with-code')
  refuseWithCode(): never {
    throw new WsException({ code: 'forbidden', message: 'admins only' });
  }

  @SubscribeMessage('crash')
  crash(): never {
    throw new Error('connection to db-primary:5432 refused (password=hunter2)');
  }

  @SubscribeMessage('crash-later')
  async crashLater(): Promise<never> {
    await new Promise((resolve) => setImmediate(resolve));
    throw new TypeError('cannot read properties of undefined');
  }

  @SubscribeMessage('create-item')
  @UsePipes(new ValidationPipe())
  createItem(@MessageBody() item: CreateItemDto): { created: string } {
    return { created: item.name };
  }

  @SubscribeMessage('create-order')
  @UsePipes(new RealtimeValidationPipe())
  createOrder(@MessageBody() order: CreateOrderDto): { item: string; isDto: boolean; city: string } {
    return { item: order.item, isDto: order instanceof CreateOrderDto, city: order.address.city };
  }

  @SubscribeMessage('whoami')
  whoami(@ConnectedSocket() socket: WebSocket): { connectionId?: string; clientId?: string } {
    const connection = RealtimeConnection.of(socket);
    return { connectionId: connection?.id, clientId: connection?.clientId };
  }

  @SubscribeMessage('greet')
  greet(@MessageBody() body: { name: string }): WsResponse<{ hello: string }> {
    return { event: 'greeting', data: { hello: body.name } };
  }

  @SubscribeMessage('countdown')
  countdown(): Observable<WsResponse<number>> {
    return of({ event: 'tick', data: 3 }, { event: 'tick', data: 2 }, { event: 'tick', data: 1 });
  }
}

@WebSocketGateway()
class MembershipGateway {
  constructor(private readonly channels: ChannelService) {}

  @SubscribeMessage('my-channels')
  myChannels(@ConnectedSocket() socket: WebSocket): Promise<string[]> {
    return this.channels.channelsOf(RealtimeConnection.of(socket)!.id);
  }
}

@WebSocketGateway()
class ClockGateway {
  @SubscribeMessage('time')
  time(): { now: string } {
    return { now: 'noon' };
  }
}

describe('application gateways', () => {
  let rt: RealtimeTestApp;
  let shop: ShopGateway;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ authenticate: userFromQuery }, { providers: [ShopGateway, ClockGateway, MembershipGateway] });
    shop = rt.get(ShopGateway);
  });

  afterEach(() => rt.close());

  describe('a frame with a ref', () => {
    it('replies with what the handler returns as result', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('echo', { text: 'hello', n: [1, 2] })).toEqual({ ok: true, result: { text: 'hello', n: [1, 2] } });
    });

    it('replies with what an async handler resolves to', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('echo-later', { text: 'later' })).toEqual({ ok: true, result: { echoed: 'later' } });
    });

    it('replies with result null when the handler returns nothing', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('nothing', {})).toEqual({ ok: true, result: null });
    });

    it('replies with the {event, data} object itself as result', async () => {
      const client = await rt.connect({ user: 'alice' });
      const mark = client.mark();

      const reply = await client.request('greet', { name: 'Alice' });
      await client.roundTrip();

      expect(reply).toEqual({ ok: true, result: { event: 'greeting', data: { hello: 'Alice' } } });
      expect(client.eventsSince('greeting', mark)).toEqual([]);
    });

    it('answers exactly once, with the first value, a handler that emits several', async () => {
      const client = await rt.connect({ user: 'alice' });
      const mark = client.mark();

      const reply = await client.request('countdown');
      await client.roundTrip();

      expect(reply).toEqual({ ok: true, result: { event: 'tick', data: 3 } });
      expect(client.since(mark).filter((frame) => frame.event === 'reply' && frame.ref === 'r1')).toHaveLength(1);
      expect(client.eventsSince('tick', mark)).toEqual([]);
    });

    it('answers a WsException with the error code rejected and its message', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('refuse')).toEqual({ ok: false, error: { code: 'rejected', message: 'the shop is closed' } });
    });

    it('keeps a protocol error code given to a WsException', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('refuse-with-code')).toEqual({ ok: false, error: { code: 'forbidden', message: 'admins only' } });
    });

    it.each(['crash', 'crash-later'])('answers a plain error thrown by "%s" as internal, without its details', async (event) => {
      const client = await rt.connect({ user: 'alice' });

      const reply = await client.request(event);

      expect(reply).toEqual({ ok: false, error: { code: 'internal', message: 'Internal server error' } });
      expect(JSON.stringify(reply)).not.toMatch(/hunter2|db-primary|undefined/);
      expect((await client.request('echo', 1)).result).toBe(1);
    });
  });

  describe('validation', () => {
    it('answers a DTO refused by Nest\'s ValidationPipe with invalid and the fields at fault', async () => {
      const client = await rt.connect({ user: 'alice' });

      const reply = await client.request('create-item', { name: '', quantity: 'three' });

      expect(reply.ok).toBe(false);
      expect(reply.error).toEqual({ code: 'invalid', message: 'Validation failed', details: expect.any(Array) });
      const fields = new Set((reply.error!.details as Array<{ field: string; message: string }>).map((detail) => detail.field));
      expect([...fields].sort()).toEqual(['name', 'quantity']);
      expect(reply.error!.details).toContainEqual({ field: 'quantity', message: 'quantity must be an integer number' });
    });

    it('passes a valid DTO through Nest\'s ValidationPipe', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('create-item', { name: 'apple', quantity: 2 })).toEqual({ ok: true, result: { created: 'apple' } });
    });

    it('answers a DTO refused by RealtimeValidationPipe with invalid and every field, nested ones by path', async () => {
      const client = await rt.connect({ user: 'alice' });

      const reply = await client.request('create-order', { item: 7, address: { city: 42 } });

      expect(reply).toEqual({
        ok: false,
        error: {
          code: 'invalid',
          message: 'Validation failed',
          details: [
            { field: 'item', message: 'item must be a string' },
            { field: 'address.city', message: 'city must be a string' },
          ],
        },
      });
    });

    it('hands the handler a DTO instance through RealtimeValidationPipe', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('create-order', { item: 'pear', address: { city: 'Lyon' } })).toEqual({
        ok: true,
        result: { item: 'pear', isDto: true, city: 'Lyon' },
      });
    });
  });

  describe('a frame without a ref', () => {
    it('sends the {event, data} the handler returns as a frame', async () => {
      const client = await rt.connect({ user: 'alice' });

      const greeting = client.nextEvent('greeting');
      client.send({ event: 'greet', data: { name: 'Bob' } });

      expect(await greeting).toEqual({ event: 'greeting', data: { hello: 'Bob' } });
    });

    it('sends every {event, data} an observable handler emits, in order', async () => {
      const client = await rt.connect({ user: 'alice' });
      const mark = client.mark();

      client.send({ event: 'countdown' });
      await client.eventFrom(mark, 'tick', (data) => data === 1);

      expect(client.eventsSince('tick', mark).map((frame) => frame.data)).toEqual([3, 2, 1]);
    });

    it('sends nothing for a plain return value', async () => {
      const client = await rt.connect({ user: 'alice' });
      const mark = client.mark();

      client.send({ event: 'echo', data: { text: 'hello' } });
      await client.roundTrip();

      expect(client.since(mark).map((frame) => frame.event)).toEqual(['connection:pong', 'reply']);
    });

    it.each([
      ['refuse', { code: 'rejected', message: 'the shop is closed', event: 'refuse' }],
      ['crash', { code: 'internal', message: 'Internal server error', event: 'crash' }],
      ['crash-later', { code: 'internal', message: 'Internal server error', event: 'crash-later' }],
    ])('answers a "%s" handler that throws with an error frame naming the event', async (event, error) => {
      const client = await rt.connect({ user: 'alice' });

      const frame = client.nextEvent('error');
      client.send({ event });

      expect(await frame).toEqual({ event: 'error', data: error });
      expect((await client.request('echo', 'still here')).result).toBe('still here');
    });

    it('answers a refused DTO with an error frame naming the event', async () => {
      const client = await rt.connect({ user: 'alice' });

      const frame = client.nextEvent('error');
      client.send({ event: 'create-order', data: { item: 'pear', address: {} } });

      expect((await frame).data).toEqual({
        code: 'invalid',
        message: 'Validation failed',
        details: [{ field: 'address.city', message: 'city must be a string' }],
        event: 'create-order',
      });
    });
  });

  describe('the gateway itself', () => {
    it('injects the ws socket with @ConnectedSocket(), which leads to the realtime connection', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('whoami')).toEqual({ ok: true, result: { connectionId: client.connectionId, clientId: 'alice' } });
    });

    it('calls handleConnection and handleDisconnect with the socket of each connection', async () => {
      const client = await rt.connect({ user: 'alice' });
      expect(shop.connected).toEqual([client.connectionId]);

      const disconnected = shop.disconnectOf(client.connectionId);
      await client.closeAndWait();
      await disconnected;

      expect(shop.disconnected).toEqual([client.connectionId]);
    });

    it('lets a handler use the library services, and runs it after the protocol frames sent before it', async () => {
      const client = await rt.connect({ user: 'alice' });
      const mark = client.mark();

      client.sendTogether([
        { event: 'channel:join', data: { channel: 'chat:a' }, ref: 'a' },
        { event: 'channel:join', data: { channel: 'chat:b' }, ref: 'b' },
        { event: 'my-channels', ref: 'mine' },
      ]);
      const reply = await client.next((frame) => frame.ref === 'mine', mark);

      expect(reply.data).toEqual({ ok: true, result: ['chat:a', 'chat:b'] });
    });

    it('serves the handlers of every gateway on the same connection', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('time')).toEqual({ ok: true, result: { now: 'noon' } });
      expect(await client.request('echo', 'x')).toEqual({ ok: true, result: 'x' });
    });
  });
});

describe('a gateway on another path', () => {
  @WebSocketGateway({ path: '/elsewhere' })
  class ElsewhereGateway {
    @SubscribeMessage('echo')
    echo(@MessageBody() body: unknown): unknown {
      return body;
    }
  }

  it('fails the bootstrap with a message naming both paths', async () => {
    await expect(RealtimeTestApp.start({}, { providers: [ElsewhereGateway] })).rejects.toThrow(/"\/realtime".*"\/elsewhere"/);
  });
});
