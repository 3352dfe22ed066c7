import { performance } from 'perf_hooks';
import { Subject } from 'rxjs';
import type { RealtimeLogger } from '../logging/realtime.logger';
import type { ResolvedHooksOptions } from '../options/hooks-options.resolver';
import { HOOK_FAILED, HOOK_QUEUE_OVERFLOW, HOOK_TIMED_OUT } from '../realtime.messages';
import { BoundHook, HookChain } from './hook.chain';
import { HOOK_QUEUE_WARNING_INTERVAL } from './hooks.constants';

interface Event {
  id: number;
  kind?: string;
}

const never = () => new Promise<void>(() => undefined);
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((done, fail) => ((resolve = done), (reject = fail)));
  return { promise, resolve, reject };
}

function hook(name: string, run: (event: Event) => unknown, priority = 0, kind?: string): BoundHook<Event> {
  return { name, priority, matches: (event) => kind === undefined || event.kind === kind, run };
}

function chainOf(options: Partial<ResolvedHooksOptions>, ...hooks: BoundHook<Event>[]) {
  const logger = { warn: jest.fn(), error: jest.fn() };
  const chain = new HookChain<Event>('test$', (event) => `event ${event.id}`, logger as unknown as RealtimeLogger, {
    queueSize: 100,
    overflow: 'drop-oldest',
    timeout: 0,
    ...options,
  });
  for (const one of hooks) chain.add(one);
  const source = new Subject<Event>();
  const subscription = chain.listen(source);
  return { chain, source, logger, subscription };
}

describe('HookChain', () => {
  afterEach(() => jest.restoreAllMocks());

  it('runs no hook in the call of the stream that emits', async () => {
    const ran: number[] = [];
    const { source } = chainOf({}, hook('A.sync', (event) => ran.push(event.id)));
    source.next({ id: 1 });

    expect(ran).toEqual([]);
    await settle();
    expect(ran).toEqual([1]);
  });

  it('keeps the order of events: the next event waits for every hook of the one before', async () => {
    const calls: string[] = [];
    const gates = [deferred(), deferred()];
    const { source } = chainOf(
      {},
      hook('A.slow', async (event) => {
        calls.push(`slow:${event.id}:start`);
        await gates[event.id - 1].promise;
        calls.push(`slow:${event.id}:end`);
      }, 1),
      hook('A.after', (event) => calls.push(`after:${event.id}`)),
    );
    source.next({ id: 1 });
    source.next({ id: 2 });
    await settle();
    expect(calls).toEqual(['slow:1:start']);

    gates[1].resolve();
    await settle();
    expect(calls).toEqual(['slow:1:start']);

    gates[0].resolve();
    await settle();
    expect(calls).toEqual(['slow:1:start', 'slow:1:end', 'after:1', 'slow:2:start', 'slow:2:end', 'after:2']);
  });

  it('queues only the events some hook matches, and counts the waiting ones as its depth', async () => {
    const { chain, source } = chainOf({}, hook('A.stuck', never, 0, 'join'));
    source.next({ id: 1, kind: 'join' });
    source.next({ id: 2, kind: 'leave' });
    source.next({ id: 3, kind: 'join' });
    source.next({ id: 4, kind: 'join' });
    await settle();

    // 1 runs (and never ends), 3 and 4 wait; 2 has no hook.
    expect(chain.depth).toBe(2);
    expect(chain.dropped).toBe(0);
  });

  describe('when full', () => {
    const stuckThenRecord = (ran: number[]) => {
      const release = deferred();
      return {
        release,
        hook: hook('Slow.handle', async (event) => {
          ran.push(event.id);
          if (event.id === 1) await release.promise;
        }),
      };
    };

    it('drops the oldest waiting event by default, counts it, and warns once, saying which hook holds the queue', async () => {
      let now = 1_000;
      jest.spyOn(performance, 'now').mockImplementation(() => now);
      const ran: number[] = [];
      const stuck = stuckThenRecord(ran);
      const { chain, source, logger } = chainOf({ queueSize: 2 }, stuck.hook);
      source.next({ id: 1 });
      await settle();
      now += 1_500;
      for (const id of [2, 3, 4, 5]) source.next({ id });

      expect(chain.depth).toBe(2);
      expect(chain.dropped).toBe(2);
      expect(logger.warn.mock.calls).toEqual([[HOOK_QUEUE_OVERFLOW('test$', 2, 'oldest', 1, { hook: 'Slow.handle', ms: 1_500 })]]);

      stuck.release.resolve();
      await settle();
      expect(ran).toEqual([1, 4, 5]);
      expect(chain.depth).toBe(0);
    });

    it('drops the arriving event with overflow: drop-newest', async () => {
      const ran: number[] = [];
      const stuck = stuckThenRecord(ran);
      const { chain, source, logger } = chainOf({ queueSize: 2, overflow: 'drop-newest' }, stuck.hook);
      source.next({ id: 1 });
      await settle();
      for (const id of [2, 3, 4, 5]) source.next({ id });

      expect(chain.dropped).toBe(2);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn.mock.calls[0][0]).toContain('dropped the newest event, 1 dropped so far');

      stuck.release.resolve();
      await settle();
      expect(ran).toEqual([1, 2, 3]);
    });

    it('warns again once the interval has passed, with the count so far', async () => {
      let now = 0;
      jest.spyOn(performance, 'now').mockImplementation(() => now);
      const { source, logger } = chainOf({ queueSize: 1 }, hook('Stuck.handle', never));
      source.next({ id: 1 });
      await settle();
      source.next({ id: 2 });
      for (const id of [3, 4, 5]) source.next({ id });
      now += HOOK_QUEUE_WARNING_INTERVAL - 1;
      source.next({ id: 6 });
      now += 1;
      source.next({ id: 7 });

      expect(logger.warn.mock.calls).toEqual([
        [HOOK_QUEUE_OVERFLOW('test$', 1, 'oldest', 1, { hook: 'Stuck.handle', ms: 0 })],
        [HOOK_QUEUE_OVERFLOW('test$', 1, 'oldest', 5, { hook: 'Stuck.handle', ms: HOOK_QUEUE_WARNING_INTERVAL })],
      ]);
    });
  });

  describe('timeout', () => {
    it('logs a hook that outlasts hooks.timeout and goes on with the next hooks and events', async () => {
      const calls: string[] = [];
      const late = deferred();
      const { source, logger } = chainOf(
        { timeout: 20 },
        hook('A.stuck', (event) => (event.id === 1 ? late.promise : undefined), 1),
        hook('A.next', (event) => calls.push(`next:${event.id}`)),
      );
      source.next({ id: 1 });
      source.next({ id: 2 });
      await new Promise((resolve) => setTimeout(resolve, 60));

      expect(calls).toEqual(['next:1', 'next:2']);
      expect(logger.warn.mock.calls).toEqual([[HOOK_TIMED_OUT('A.stuck', 'event 1', 20, 'test$')]]);

      late.reject(new Error('late boom'));
      await settle();
      expect(logger.error).toHaveBeenCalledWith(HOOK_FAILED('A.stuck', 'event 1'), expect.objectContaining({ message: 'late boom' }));
    });

    it('fires no timeout once stopped, at shutdown', async () => {
      const { chain, source, logger } = chainOf({ timeout: 20 }, hook('A.stuck', never));
      source.next({ id: 1 });
      await settle();
      chain.stop();
      await new Promise((resolve) => setTimeout(resolve, 40));

      expect(logger.warn).not.toHaveBeenCalled();
    });

    it('still reports a rejection within the timeout as the failure of the hook', async () => {
      const { source, logger } = chainOf({ timeout: 1_000 }, hook('A.rejects', async () => Promise.reject(new Error('boom'))));
      source.next({ id: 1 });
      await settle();

      expect(logger.error).toHaveBeenCalledWith(HOOK_FAILED('A.rejects', 'event 1'), expect.objectContaining({ message: 'boom' }));
      expect(logger.warn).not.toHaveBeenCalled();
    });
  });

  it('tells the timer how long each hook took', async () => {
    const { chain, source } = chainOf({}, hook('A.one', () => undefined), hook('A.two', async () => undefined));
    const timer = jest.fn();
    chain.timer = timer;
    source.next({ id: 1 });
    await settle();

    expect(timer.mock.calls).toEqual([
      ['A.one', expect.any(Number)],
      ['A.two', expect.any(Number)],
    ]);
  });
});
