import { closedBy, nextCloseAt } from './drain.schedule';

describe('drain schedule', () => {
  it('spaces six closes over 3 s evenly, the first after 3/7 s and the last 3/7 s before the end', () => {
    const times = [1, 2, 3, 4, 5, 6].map((k) => nextCloseAt(k - 1, 6, 3000));

    expect(times).toEqual([429, 858, 1286, 1715, 2143, 2572]);
    times.forEach((at, index) => {
      expect(closedBy(6, at - 1, 3000)).toBe(index);
      expect(closedBy(6, at, 3000)).toBe(index + 1);
    });
  });

  it('closes many connections in batches of the same size', () => {
    const everyBatch = [100, 200, 300, 400].map((elapsed) => closedBy(10_000, elapsed, 10_000));

    expect(everyBatch).toEqual([100, 200, 300, 400]);
  });

  it('closes whatever is left once the window is over, and everything at once with no window', () => {
    expect(closedBy(6, 3000, 3000)).toBe(6);
    expect(closedBy(6, 5000, 3000)).toBe(6);
    expect(closedBy(6, 0, 0)).toBe(6);
    expect(closedBy(0, 100, 3000)).toBe(0);
  });
});
