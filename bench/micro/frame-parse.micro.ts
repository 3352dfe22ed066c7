import { parseFrame } from '../../libs/core/src/codec/frame.codec';
import { nestsDeeperThan } from '../../libs/core/src/codec/json-depth';
import type { MicroSuite } from './micro-suite';

const FRAMES = 1000;

/**
 * An inbound `channel:publish` frame as the dispatcher reads it: bytes to text, the depth check, the
 * parse and the frame's checks, against a bare `JSON.parse` of the same bytes.
 */
export const frameParseSuite: MicroSuite = {
  name: 'frame parse',
  per: { label: 'frame', plural: 'frames', count: FRAMES },
  async tasks() {
    const frames = Array.from({ length: FRAMES }, (_, index) =>
      Buffer.from(JSON.stringify({ event: 'channel:publish', data: { channel: 'room:lobby', payload: { text: `message ${index}`.padEnd(100, '.') } }, ref: String(index) })),
    );
    let sink = 0;
    return {
      'JSON.parse(buffer.toString())': () => {
        for (const raw of frames) sink += (JSON.parse(raw.toString()) as { ref: string }).ref.length;
        return sink;
      },
      'depth check + parseFrame (the library)': () => {
        for (const raw of frames) {
          const text = raw.toString();
          if (!nestsDeeperThan(text, 32)) sink += parseFrame(text).ref!.length;
        }
        return sink;
      },
    };
  },
};
