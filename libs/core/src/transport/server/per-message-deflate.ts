import type { PerMessageDeflateOptions } from 'ws';
import type { CompressionOptions } from '../../options/security-options.interface';

/** `ws`'s permessage-deflate settings for the `compression` option; false leaves it off. */
export function perMessageDeflate(compression: Required<CompressionOptions> | false): PerMessageDeflateOptions | false {
  if (!compression) return false;
  const { threshold, level, memLevel, windowBits, contextTakeover, concurrency } = compression;
  return {
    threshold,
    concurrencyLimit: concurrency,
    // Without context takeover each message is compressed on its own: no window is held between messages.
    serverNoContextTakeover: !contextTakeover,
    clientNoContextTakeover: !contextTakeover,
    serverMaxWindowBits: windowBits,
    zlibDeflateOptions: { level, memLevel },
  };
}
