import { Deadline, StatusDeadlines } from './presence-status.deadlines';

const entry = (due: number): Deadline => ({ due, index: -1 });

function drain(heap: StatusDeadlines<Deadline>, now = Infinity): number[] {
  const dues: number[] = [];
  for (let next = heap.popDue(now); next; next = heap.popDue(now)) dues.push(next.due);
  return dues;
}

describe('StatusDeadlines', () => {
  it('hands out the due entries earliest first, leaving the later ones', () => {
    const heap = new StatusDeadlines<Deadline>();
    for (const due of [50, 10, 40, 30, 20, 60]) heap.schedule(entry(due));

    expect(drain(heap, 35)).toEqual([10, 20, 30]);
    expect(heap.size).toBe(3);
    expect(heap.peek()!.due).toBe(40);
  });

  it('moves an entry whose deadline changed to its new place', () => {
    const heap = new StatusDeadlines<Deadline>();
    const moving = entry(10);
    for (const other of [entry(20), moving, entry(30)]) heap.schedule(other);

    moving.due = 25;
    heap.schedule(moving);

    expect(heap.size).toBe(3);
    expect(drain(heap)).toEqual([20, 25, 30]);
  });

  it('takes an entry out from anywhere, leaving nothing of it behind', () => {
    const heap = new StatusDeadlines<Deadline>();
    const entries = [70, 10, 60, 20, 50, 30, 40].map(entry);
    entries.forEach((each) => heap.schedule(each));

    heap.remove(entries[2]);
    heap.remove(entries[1]);
    heap.remove(entries[1]);

    expect(entries[1].index).toBe(-1);
    expect(drain(heap)).toEqual([20, 30, 40, 50, 70]);
  });

  it('stays ordered through many random changes', () => {
    const heap = new StatusDeadlines<Deadline>();
    const entries = Array.from({ length: 200 }, (_, i) => entry((i * 7919) % 1000));
    entries.forEach((each) => heap.schedule(each));
    for (let i = 0; i < entries.length; i += 3) heap.remove(entries[i]);
    for (let i = 1; i < entries.length; i += 3) {
      entries[i].due = (entries[i].due * 31) % 997;
      heap.schedule(entries[i]);
    }
    const expected = entries.filter((_, i) => i % 3 !== 0).map((each) => each.due).sort((a, b) => a - b);

    expect(drain(heap)).toEqual(expected);
  });

  it('forgets every entry when cleared', () => {
    const heap = new StatusDeadlines<Deadline>();
    const first = entry(1);
    heap.schedule(first);
    heap.clear();

    expect(heap.size).toBe(0);
    expect(first.index).toBe(-1);
    expect(heap.popDue(Infinity)).toBeUndefined();
  });
});
