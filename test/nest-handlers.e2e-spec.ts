import {
  ArgumentsHost,
  CallHandler,
  CanActivate,
  Catch,
  ExecutionContext,
  Injectable,
  INestApplication,
  LoggerService,
  NestInterceptor,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  WsExceptionFilter,
} from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import { MessageBody, SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import { IsString } from 'class-validator';
import type { IncomingMessage } from 'http';
import { map, Observable } from 'rxjs';
import {
  CurrentConnection,
  MemoryEngine,
  RealtimeAdapter,
  RealtimeConnection,
  RealtimeException,
  RealtimeModule,
  RealtimeModuleOptions,
  RealtimeValidationPipe,
} from '@nest-realtime/core';
import { RealtimeTestApp } from './support/realtime-app';

/** `?user=…&role=…`: the user as clientId, the role as a claim. */
function userWithRole(request: IncomingMessage) {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const user = query.get('user');
  return user ? { clientId: user, claims: { role: query.get('role') ?? 'guest' } } : null;
}

@Injectable()
class MembersGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return RealtimeConnection.of(context.switchToWs().getClient())?.claims.role === 'member';
  }
}

/** Answers with what it saw of the context around the handler's result. */
@Injectable()
class ContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ws = context.switchToWs();
    const seen = { type: context.getType(), pattern: ws.getPattern(), data: ws.getData() };
    return next.handle().pipe(map((result) => ({ seen, result })));
  }
}

class RoomClosedError extends Error {}

/** Maps a domain error to a code of the application's own, by throwing it. */
@Catch(RoomClosedError)
class RoomClosedFilter implements WsExceptionFilter {
  catch(error: RoomClosedError, _host: ArgumentsHost): never {
    throw new RealtimeException('room_closed', error.message);
  }
}

class EnterDto {
  @IsString()
  room: string;
}

@WebSocketGateway()
class RoomsGateway {
  @UseGuards(MembersGuard)
  @SubscribeMessage('rooms:whoami')
  whoami(@CurrentConnection() connection: RealtimeConnection) {
    return { connectionId: connection.id, clientId: connection.clientId, claims: connection.claims };
  }

  @SubscribeMessage('rooms:enter')
  @UsePipes(new RealtimeValidationPipe())
  enter(@MessageBody() body: EnterDto, @CurrentConnection() connection: RealtimeConnection) {
    return { room: body.room, isDto: body instanceof EnterDto, clientId: connection.clientId };
  }

  @UseInterceptors(ContextInterceptor)
  @SubscribeMessage('rooms:echo')
  echo(@MessageBody() body: unknown) {
    return body;
  }

  @SubscribeMessage('rooms:refuse')
  refuse(@MessageBody() body: { code: unknown }): never {
    throw new WsException({ code: body.code, message: 'The room is full.' });
  }

  @SubscribeMessage('rooms:refuse-realtime')
  refuseRealtime(@MessageBody() body: { code: string }): never {
    throw new RealtimeException(body.code, 'The room is full.', { limit: 8 });
  }

  @UseFilters(RoomClosedFilter)
  @SubscribeMessage('rooms:closed')
  closed(@MessageBody() body: { crash?: boolean }): never {
    if (body.crash) throw new Error('lost the lock on room:a (redis at 10.0.0.7)');
    throw new RoomClosedError('The room closed at midnight.');
  }
}

/** Every line the application logs, with its level and context. */
class LogLines implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];

  log(message: string, context?: string): void {
    this.lines.push({ level: 'log', message, context });
  }

  warn(message: string, context?: string): void {
    this.lines.push({ level: 'warn', message, context });
  }

  error(message: string, _trace?: string, context?: string): void {
    this.lines.push({ level: 'error', message, context });
  }

  of(context: string): Array<{ level: string; message: string }> {
    return this.lines.filter((line) => line.context === context).map(({ level, message }) => ({ level, message }));
  }
}

/** An application as a `main.ts` builds it, with or without the adapter; the caller listens and closes. */
async function createApp(options: RealtimeModuleOptions, providers: Array<new (...args: never[]) => unknown>, logger: LoggerService | false) {
  const moduleRef = await Test.createTestingModule({ imports: [RealtimeModule.forRoot(options)], providers }).compile();
  return moduleRef.createNestApplication({ logger });
}

describe('Nest handlers', () => {
  let rt: RealtimeTestApp;

  beforeEach(async () => {
    rt = await RealtimeTestApp.start({ authenticate: userWithRole }, { providers: [RoomsGateway] });
  });

  afterEach(() => rt.close());

  describe('@CurrentConnection()', () => {
    it("hands a guarded handler the caller's connection", async () => {
      const client = await rt.connect({ user: 'alice', role: 'member' });

      expect(await client.request('rooms:whoami')).toEqual({
        ok: true,
        result: { connectionId: client.connectionId, clientId: 'alice', claims: { role: 'member' } },
      });
    });

    it('works beside a validated DTO', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('rooms:enter', { room: 'lobby' })).toEqual({ ok: true, result: { room: 'lobby', isDto: true, clientId: 'alice' } });
      expect((await client.request('rooms:enter', { room: 7 })).error).toMatchObject({ code: 'invalid' });
    });
  });

  describe('guards', () => {
    it('answers a refusal with forbidden', async () => {
      const client = await rt.connect({ user: 'bob', role: 'guest' });

      expect(await client.request('rooms:whoami')).toEqual({ ok: false, error: { code: 'forbidden', message: 'Forbidden resource' } });
    });

    it('answers a refusal of a frame without a ref with an error frame naming the event', async () => {
      const client = await rt.connect({ user: 'bob', role: 'guest' });

      const error = client.nextEvent('error');
      client.send({ event: 'rooms:whoami' });

      expect((await error).data).toEqual({ code: 'forbidden', message: 'Forbidden resource', event: 'rooms:whoami' });
    });
  });

  describe('interceptors', () => {
    it('see the event name as the pattern and the data, and shape the result', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('rooms:echo', { text: 'hi' })).toEqual({
        ok: true,
        result: { seen: { type: 'ws', pattern: 'rooms:echo', data: { text: 'hi' } }, result: { text: 'hi' } },
      });
    });
  });

  describe('error codes', () => {
    it("keeps the application's own code of a WsException", async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('rooms:refuse', { code: 'room_full' })).toEqual({
        ok: false,
        error: { code: 'room_full', message: 'The room is full.' },
      });
    });

    it("keeps the application's own code of a RealtimeException, with its details", async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('rooms:refuse-realtime', { code: 'room_full' })).toEqual({
        ok: false,
        error: { code: 'room_full', message: 'The room is full.', details: { limit: 8 } },
      });
    });

    it.each([['Room Full'], ['room-full'], [42]])('answers rejected for %p, which is not a code', async (code) => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('rooms:refuse', { code })).toEqual({ ok: false, error: { code: 'rejected', message: 'The room is full.' } });
    });

    it('never lets an internal carry its message or details', async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('rooms:refuse-realtime', { code: 'internal' })).toEqual({
        ok: false,
        error: { code: 'internal', message: 'Internal server error' },
      });
    });
  });

  describe('filters', () => {
    it("let a gateway's own filter answer with a code of its choosing", async () => {
      const client = await rt.connect({ user: 'alice' });

      expect(await client.request('rooms:closed', {})).toEqual({ ok: false, error: { code: 'room_closed', message: 'The room closed at midnight.' } });
    });

    it("leave what the gateway's filter does not catch to the library's", async () => {
      const client = await rt.connect({ user: 'alice' });

      const reply = await client.request('rooms:closed', { crash: true });

      expect(reply).toEqual({ ok: false, error: { code: 'internal', message: 'Internal server error' } });
      expect(JSON.stringify(reply)).not.toContain('10.0.0.7');
    });
  });
});

describe('installing RealtimeAdapter', () => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('fails the bootstrap of an application with gateways and no adapter, saying how to install it', async () => {
    app = await createApp({}, [RoomsGateway], false);

    const listening = app.listen(0, '127.0.0.1');

    await expect(listening).rejects.toThrow('RealtimeAdapter is not installed');
    await expect(listening).rejects.toThrow('app.useWebSocketAdapter(new RealtimeAdapter(app)) before app.listen()');
  });

  it('warns at bootstrap that nothing serves the path of an application without gateways and without the adapter', async () => {
    const logs = new LogLines();
    app = await createApp({ path: '/live' }, [], logs);

    await app.listen(0, '127.0.0.1');

    const warnings = logs.of('RealtimeModule').filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('nothing serves "/live"');
    expect(warnings[0].message).toContain('app.useWebSocketAdapter(new RealtimeAdapter(app))');
  });

  it('names the adapter installed instead of RealtimeAdapter', async () => {
    const logs = new LogLines();
    app = await createApp({}, [], logs);
    app.useWebSocketAdapter(new WsAdapter(app));

    await app.listen(0, '127.0.0.1');

    expect(logs.of('RealtimeModule')).toEqual([
      { level: 'warn', message: expect.stringContaining('the WebSocket adapter is WsAdapter, not RealtimeAdapter: nothing serves "/realtime"') },
    ]);
  });

  it('logs one line once served: the path, the engine and the node', async () => {
    const logs = new LogLines();
    const engine = new MemoryEngine();
    app = await createApp({ path: '/live', engine }, [RoomsGateway], logs);
    app.useWebSocketAdapter(new RealtimeAdapter(app));

    await app.listen(0, '127.0.0.1');

    expect(logs.of('RealtimeModule')).toEqual([{ level: 'log', message: `Realtime on /live (memory engine, node ${engine.nodeId})` }]);
  });

  it('leaves that line out when the log level is not among logLevels', async () => {
    const logs = new LogLines();
    app = await createApp({ logLevels: ['warn', 'error'] }, [], logs);
    app.useWebSocketAdapter(new RealtimeAdapter(app));

    await app.listen(0, '127.0.0.1');

    expect(logs.of('RealtimeModule')).toEqual([]);
  });
});
