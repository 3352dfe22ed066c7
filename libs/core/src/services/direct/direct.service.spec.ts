import { isObservable } from 'rxjs';
import type { DirectMessageEvent } from '../../hooks/realtime-events';
import { createRealtimeTestBed, RealtimeTestBed } from '../../testing/internal/unit-fakes';
import { DirectService } from './direct.service';

const T0 = Date.UTC(2025, 0, 1);

describe('DirectService', () => {
  let bed: RealtimeTestBed;
  let direct: DirectService;
  let events: DirectMessageEvent[];

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    bed = await createRealtimeTestBed({}, [DirectService]);
    direct = bed.moduleRef.get(DirectService);
    events = [];
    direct.direct$.subscribe((event) => events.push(event));
  });

  afterEach(() => jest.useRealTimers());

  it('sends direct:message to every connection of the clientId', async () => {
    const tab1 = bed.connect('a1', 'alice').socket;
    const tab2 = bed.connect('a2', 'alice').socket;
    const other = bed.connect('b1', 'bob').socket;

    expect(await direct.send('alice', { text: 'hi' }, 'bob')).toBe(2);

    const expected = [{ event: 'direct:message', data: { from: 'bob', payload: { text: 'hi' }, at: T0 } }];
    expect(tab1.frames()).toEqual(expected);
    expect(tab2.frames()).toEqual(expected);
    expect(other.send).not.toHaveBeenCalled();
    expect(events).toEqual([{ from: 'bob', to: 'alice', payload: { text: 'hi' }, delivered: 2, at: T0 }]);
  });

  it('sends from null for server code', async () => {
    const tab = bed.connect('a1', 'alice').socket;

    await direct.send('alice', 'ping');

    expect(tab.frames()).toEqual([{ event: 'direct:message', data: { from: null, payload: 'ping', at: T0 } }]);
  });

  it('answers 0 deliveries for a clientId without connections, and still reports it', async () => {
    expect(await direct.send('nobody', 'hello?', 'alice')).toBe(0);
    expect(events).toEqual([{ from: 'alice', to: 'nobody', payload: 'hello?', delivered: 0, at: T0 }]);
  });

  it('streams as an Observable that cannot be pushed into, completed at shutdown', () => {
    let completed = false;
    direct.direct$.subscribe({ complete: () => (completed = true) });

    expect(isObservable(direct.direct$)).toBe(true);
    expect((direct.direct$ as unknown as { next?: unknown }).next).toBeUndefined();
    direct.onApplicationShutdown();
    expect(completed).toBe(true);
  });
});
