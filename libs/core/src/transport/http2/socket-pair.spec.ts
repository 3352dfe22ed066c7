import { once } from 'events';
import { socketPair } from './socket-pair';

describe('an in-memory socket pair', () => {
  it('reads at one end what the other wrote, and its end', async () => {
    const [one, other] = socketPair();
    const read: string[] = [];
    other.setEncoding('utf8').on('data', (chunk: string) => read.push(chunk));

    one.write('hello ');
    one.end('world');
    await once(other, 'end');

    expect(read.join('')).toBe('hello world');
  });

  it('holds a writer back until the reader takes what waits', async () => {
    const [one, other] = socketPair();
    const chunk = Buffer.alloc(1024);
    let written = 0;
    while (one.write(chunk)) written++;
    written++;

    let read = 0;
    other.on('data', (data: Buffer) => (read += data.length));
    await once(one, 'drain');

    expect(read).toBe(written * chunk.length);
  });

  it('destroys both ends together', async () => {
    const [one, other] = socketPair();

    one.destroy();
    await once(other, 'close');

    expect(other.destroyed).toBe(true);
  });
});
