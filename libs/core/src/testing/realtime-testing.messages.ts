/** The testing entry's error texts, as small factories that the code and its tests share. */
import type { Frame } from '@nest-realtime/protocol';

const SHOWN_FRAMES = 20;
const SHOWN_CHARS = 160;

function frameLine(frame: Frame, taken: boolean): string {
  const ref = frame.ref === undefined ? '' : ` (ref ${frame.ref})`;
  let data = frame.data === undefined ? '' : ` ${JSON.stringify(frame.data)}`;
  if (data.length > SHOWN_CHARS) data = `${data.slice(0, SHOWN_CHARS)}…`;
  return `  ${taken ? '✓' : '·'} ${frame.event}${ref}${data}`;
}

/** The frames a connection received, oldest first, the last 20 at most; ✓ marks those an earlier wait took. */
export function framesSeen(frames: readonly Frame[], taken: (frame: Frame) => boolean): string {
  if (frames.length === 0) return 'No frame was received.';
  const shown = frames.slice(-SHOWN_FRAMES);
  const skipped = frames.length - shown.length;
  return [
    `Frames received (${frames.length}, oldest first; ✓ = taken by an earlier wait or request):`,
    ...(skipped > 0 ? [`  … ${skipped} earlier`] : []),
    ...shown.map((frame) => frameLine(frame, taken(frame))),
  ].join('\n');
}

export const WAITED_FOR = (event: string, filtered: boolean) => `a "${event}" frame${filtered ? ' matching the predicate' : ''}`;
export const REPLY_TO = (event: string, ref: string) => `the reply to "${event}" (ref ${ref})`;

export const WAIT_TIMED_OUT = (who: string, what: string, timeout: number, seen: string) =>
  `${who}: ${what} did not arrive within ${timeout} ms.\n${seen}`;
export const CLOSED_BEFORE = (who: string, what: string, code: number, reason: string, seen: string) =>
  `${who}: the connection closed (${code}${reason ? ` "${reason}"` : ''}) before ${what} arrived.\n${seen}`;
export const CLOSE_TIMED_OUT = (who: string, timeout: number, seen: string) => `${who}: the server did not close the connection within ${timeout} ms.\n${seen}`;
export const UPGRADE_REFUSED = (url: string, status: number, body: string) =>
  `The server refused the WebSocket upgrade to ${url} with HTTP ${status}${body ? `: ${body}` : ''}.`;
export const CONNECT_FAILED = (url: string, cause: string) => `Could not connect to ${url}: ${cause}.`;
export const NOT_OPEN = (who: string, event: string) => `${who}: cannot send "${event}": the connection is closed.`;

export const TWO_REALTIME_MODULES =
  'createRealtimeTestingApp: `realtime` options were given, but `imports` already bring a RealtimeModule. ' +
  'Leave `realtime` out to test your own module as it is, or import only the modules under test and pass `realtime`.';
