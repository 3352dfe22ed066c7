import { MemoryEngine } from '../../engine/memory/memory.engine';
import { resolveRealtimeOptions } from '../../options/realtime-options.resolver';
import { StateExpirySweeper } from './state-expiry.sweeper';

describe('StateExpirySweeper', () => {
  afterEach(() => jest.useRealTimers());

  function sweeper(expiryInterval = 500) {
    const engine = new MemoryEngine();
    const options = resolveRealtimeOptions({ engine, sharedState: { expiryInterval }, logLevels: [] });
    return { engine, sweeper: new StateExpirySweeper(options, engine) };
  }

  it('asks the engine to expire keys every expiryInterval, with the time of the sweep', async () => {
    jest.useFakeTimers({ now: 1000 });
    const { engine, sweeper: expiry } = sweeper();
    const expire = jest.spyOn(engine.state, 'expire');

    expiry.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(1000);

    expect(expire.mock.calls).toEqual([[1500], [2000]]);
    expiry.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(1000);
    expect(expire).toHaveBeenCalledTimes(2);
  });

  it('does not keep the process alive', () => {
    const { sweeper: expiry } = sweeper();
    expiry.onApplicationBootstrap();
    expect((expiry as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
    expiry.onModuleDestroy();
  });

  it('skips a tick while a sweep still runs, and survives a failed one', async () => {
    const { engine, sweeper: expiry } = sweeper();
    let finish!: () => void;
    const expire = jest.spyOn(engine.state, 'expire').mockImplementationOnce(() => new Promise<void>((resolve) => (finish = resolve)));

    const first = expiry.sweep(1);
    await expiry.sweep(2);
    finish();
    await first;
    expect(expire).toHaveBeenCalledTimes(1);

    expire.mockRejectedValueOnce(new Error('store down'));
    await expect(expiry.sweep(3)).resolves.toBeUndefined();
    await expiry.sweep(4);
    expect(expire.mock.calls.map(([now]) => now)).toEqual([1, 3, 4]);
  });
});
