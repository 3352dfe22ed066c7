import type { ModuleRef } from '@nestjs/core';
import type { IncomingMessage } from 'http';
import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';
import { fakeConnection } from '../../testing/internal/unit-fakes';
import { InboundFrame } from './inbound-frame';
import { MiddlewarePipeline } from './middleware.pipeline';
import type { RealtimeMiddleware } from './realtime-middleware.interface';
import { UpgradeContext, UpgradeRejection } from '../../transport/upgrade/upgrade-context';

const off = { enabled: false };
const builtInsOff = [off, off, off, off, off, off] as unknown as [never, never, never, never, never, never];

async function pipelineOf(middleware: RealtimeMiddleware[]): Promise<MiddlewarePipeline> {
  const options = resolveRealtimeOptions({ middleware, logLevels: [] });
  const pipeline = new MiddlewarePipeline(options, {} as ModuleRef, ...builtInsOff);
  await pipeline.onModuleInit();
  return pipeline;
}

const upgradeContext = () => new UpgradeContext({ headers: {} } as IncomingMessage, '127.0.0.1');
const frameContext = () => new InboundFrame(fakeConnection('c1').connection, 20, { event: 'x', data: 1 });

describe('MiddlewarePipeline', () => {
  it('runs upgrade middleware in order, around each other', async () => {
    const trace: string[] = [];
    const around = (name: string): RealtimeMiddleware => ({
      async upgrade(_context, next) {
        trace.push(`${name} before`);
        await next();
        trace.push(`${name} after`);
      },
    });
    const pipeline = await pipelineOf([around('a'), around('b')]);

    await pipeline.upgrade(upgradeContext());

    expect(trace).toEqual(['a before', 'b before', 'b after', 'a after']);
  });

  it('refuses with 403 an upgrade that a middleware neither passed on nor refused', async () => {
    const pipeline = await pipelineOf([{ upgrade: () => undefined }]);

    await expect(pipeline.upgrade(upgradeContext())).rejects.toEqual(new UpgradeRejection(403, 'The connection was refused.'));
  });

  it('fails an upgrade whose middleware calls next() twice', async () => {
    const pipeline = await pipelineOf([
      {
        async upgrade(_context, next) {
          await next();
          await next();
        },
      },
    ]);

    await expect(pipeline.upgrade(upgradeContext())).rejects.toThrow('called next() twice');
  });

  it('runs the abandon handlers once, and at once for one registered after the upgrade was abandoned', () => {
    const context = upgradeContext();
    const calls: string[] = [];
    context.onAbandoned(() => calls.push('early'));

    context.abandon();
    context.abandon();
    context.onAbandoned(() => calls.push('late'));

    expect(calls).toEqual(['early', 'late']);
  });

  it('does not run abandon handlers of an upgrade that opened', () => {
    const context = upgradeContext();
    const handler = jest.fn();
    context.onAbandoned(handler);

    context.open();
    context.abandon();

    expect(handler).not.toHaveBeenCalled();
  });

  it('hands a frame through synchronous middleware to the end without a promise', async () => {
    const pipeline = await pipelineOf([{ frame: (_context, next) => next() }, { frame: (_context, next) => next() }]);

    const result = pipeline.frame(frameContext(), () => 'handled');

    expect(result).toBe('handled');
  });

  it('stops a refused frame: later middleware and the handler do not run', async () => {
    const later = jest.fn((_context: InboundFrame, next: () => unknown) => next());
    const terminal = jest.fn();
    const pipeline = await pipelineOf([
      {
        frame(context, next) {
          context.refuse('forbidden', 'no');
          return next();
        },
      },
      { frame: later },
    ]);
    const context = frameContext();

    pipeline.frame(context, terminal);

    expect(context.refusal).toEqual({ code: 'forbidden', message: 'no' });
    expect(later).not.toHaveBeenCalled();
    expect(terminal).not.toHaveBeenCalled();
  });

  it('keeps a failing opened or closed hook from stopping the others', async () => {
    const seen: string[] = [];
    const pipeline = await pipelineOf([
      {
        opened: () => {
          throw new Error('bug');
        },
        closed: () => {
          throw new Error('bug');
        },
      },
      { opened: () => seen.push('opened'), closed: () => seen.push('closed') },
    ]);
    const { connection } = fakeConnection('c1');

    pipeline.opened(connection, upgradeContext());
    pipeline.closed(connection, 1000);

    expect(seen).toEqual(['opened', 'closed']);
  });

  it('takes a middleware class from the container, and refuses one with no hook', async () => {
    class Empty {}
    const options = resolveRealtimeOptions({ middleware: [Empty as never], logLevels: [] });
    const moduleRef = { get: () => new Empty() } as unknown as ModuleRef;
    const pipeline = new MiddlewarePipeline(options, moduleRef, ...builtInsOff);

    await expect(pipeline.onModuleInit()).rejects.toThrow('option "middleware[0]" (Empty) has none of the hooks');
  });
});
