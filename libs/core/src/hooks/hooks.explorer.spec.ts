import { Controller, Injectable, Logger, Scope, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { REALTIME_OPTIONS } from '../realtime.constants';
import { SCOPED_HOOKS_IGNORED } from '../realtime.messages';
import { OnConnection } from './decorators';
import { RealtimeHooksMetadataAccessor } from './hooks-metadata.accessor';
import { DiscoveredHook, RealtimeHooksExplorer } from './hooks.explorer';
import type { ConnectionEvent } from './realtime-events';

@Injectable()
class Calls {
  readonly list: string[] = [];
}

@Injectable()
class ProviderHooks {
  constructor(private readonly calls: Calls) {}

  @OnConnection('open')
  opened(event: ConnectionEvent) {
    this.calls.list.push(`provider:${event.connectionId}`);
  }
}

@Controller()
class ControllerHooks {
  @OnConnection('open', { priority: -1 })
  opened() {}
}

@Injectable()
class BaseHooks {
  @OnConnection('close')
  closed() {}
}

@Injectable()
class DerivedHooks extends BaseHooks {}

@Injectable()
class StackedHooks {
  @OnConnection('open', { priority: 1 })
  @OnConnection('close', { priority: 1 })
  either() {}
}

@Injectable({ scope: Scope.REQUEST })
class RequestHooks {
  @OnConnection('open')
  opened() {}
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientHooks {
  @OnConnection('open')
  opened() {}
}

const open: ConnectionEvent = { type: 'open', connectionId: 'c1', clientId: 'alice', claims: {}, at: 1 };

async function explore(hooks: { providers?: Type[]; controllers?: Type[] }, logLevels = ['error', 'warn']) {
  const app = await Test.createTestingModule({
    imports: [DiscoveryModule],
    controllers: hooks.controllers ?? [],
    providers: [
      RealtimeHooksExplorer,
      RealtimeHooksMetadataAccessor,
      Calls,
      { provide: REALTIME_OPTIONS, useValue: { logLevels } },
      ...(hooks.providers ?? []),
    ],
  }).compile();
  const found = app.get(RealtimeHooksExplorer).explore();
  return { app, found };
}

const names = (found: DiscoveredHook[]) => found.map((hook) => hook.name);

describe('RealtimeHooksExplorer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('finds the hook methods of providers, then of controllers, with what their decorators recorded', async () => {
    const { app, found } = await explore({ providers: [ProviderHooks], controllers: [ControllerHooks] });

    expect(names(found)).toEqual(['ProviderHooks.opened', 'ControllerHooks.opened']);
    expect(found.map((hook) => hook.metadata)).toEqual([
      { kind: 'connection', type: 'open', options: {} },
      { kind: 'connection', type: 'open', options: { priority: -1 } },
    ]);
    await app.close();
  });

  it('binds each hook to its own instance', async () => {
    const { app, found } = await explore({ providers: [ProviderHooks] });
    found[0].run(open);

    expect(app.get(Calls).list).toEqual(['provider:c1']);
    await app.close();
  });

  it('finds the hook methods a provider inherits', async () => {
    const { app, found } = await explore({ providers: [DerivedHooks] });

    expect(names(found)).toEqual(['DerivedHooks.closed']);
    await app.close();
  });

  it('finds a method once for each of its decorators, in the order they are written', async () => {
    const { app, found } = await explore({ providers: [StackedHooks] });

    expect(found.map((hook) => [hook.name, hook.metadata.kind === 'connection' && hook.metadata.type])).toEqual([
      ['StackedHooks.either', 'open'],
      ['StackedHooks.either', 'close'],
    ]);
    await app.close();
  });

  it('ignores request-scoped and transient providers and says so', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { app, found } = await explore({ providers: [RequestHooks, TransientHooks, ProviderHooks] });

    expect(names(found)).toEqual(['ProviderHooks.opened']);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([SCOPED_HOOKS_IGNORED('RequestHooks'), SCOPED_HOOKS_IGNORED('TransientHooks')]);
    await app.close();
  });

  it('logs each binding it finds at the verbose level', async () => {
    const verbose = jest.spyOn(Logger.prototype, 'verbose').mockImplementation(() => undefined);
    const { app } = await explore({ providers: [ProviderHooks, StackedHooks] }, ['verbose']);

    expect(verbose.mock.calls.map(([message]) => message)).toEqual([
      "@OnConnection('open') → ProviderHooks.opened",
      "@OnConnection('open') → StackedHooks.either",
      "@OnConnection('close') → StackedHooks.either",
    ]);
    await app.close();
  });
});
