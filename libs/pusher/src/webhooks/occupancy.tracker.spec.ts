import { OccupancyTracker } from './occupancy.tracker';

/** A tracker over a count the test sets, recording what it reports. */
function setup() {
  const counts = new Map<string, number>();
  const reports: string[] = [];
  const tracker = new OccupancyTracker(async (key) => counts.get(key) ?? 0, {
    occupied: (key) => reports.push(`occupied ${key}`),
    vacated: (key) => reports.push(`vacated ${key}`),
    failed: (error) => reports.push(`failed ${String(error)}`),
  });
  return { counts, reports, tracker };
}

describe('OccupancyTracker', () => {
  it('reports occupied on the first join and vacated on the last leave, once each', async () => {
    const { counts, reports, tracker } = setup();
    counts.set('a', 1);
    tracker.joined('a');
    await tracker.settled();
    counts.set('a', 2);
    tracker.joined('a');
    counts.set('a', 1);
    tracker.left('a');
    await tracker.settled();
    counts.set('a', 0);
    tracker.left('a');
    await tracker.settled();
    expect(reports).toEqual(['occupied a', 'vacated a']);
  });

  it('reports a join and leave faster than the count reads, in order', async () => {
    const { reports, tracker } = setup();
    tracker.joined('a');
    tracker.left('a');
    await tracker.settled();
    expect(reports).toEqual(['occupied a', 'vacated a']);
  });

  it('reports occupied once when a member leaves and another comes back before the reads', async () => {
    const { counts, reports, tracker } = setup();
    counts.set('a', 1);
    tracker.joined('a');
    tracker.left('a');
    tracker.joined('a');
    await tracker.settled();
    expect(reports).toEqual(['occupied a']);
  });

  it('stays silent when another node holds members: that node reported occupied, and reports vacated', async () => {
    const { counts, reports, tracker } = setup();
    counts.set('a', 2);
    tracker.joined('a');
    await tracker.settled();
    counts.set('a', 1);
    tracker.left('a');
    await tracker.settled();
    expect(reports).toEqual([]);
  });

  it('reports vacated when its leave empties a channel another node made occupied', async () => {
    const { counts, reports, tracker } = setup();
    counts.set('a', 2);
    tracker.joined('a');
    await tracker.settled();
    counts.set('a', 0);
    tracker.left('a');
    await tracker.settled();
    expect(reports).toEqual(['vacated a']);
  });

  it('hands a failed count read to the listener and goes on', async () => {
    const reports: string[] = [];
    let fail = true;
    const tracker = new OccupancyTracker(
      async () => {
        if (fail) throw new Error('engine down');
        return 1;
      },
      { occupied: (key) => reports.push(`occupied ${key}`), vacated: () => undefined, failed: (error) => reports.push(`failed ${(error as Error).message}`) },
    );
    tracker.joined('a');
    await tracker.settled();
    fail = false;
    tracker.joined('b');
    await tracker.settled();
    expect(reports).toEqual(['failed engine down', 'occupied b']);
  });
});
