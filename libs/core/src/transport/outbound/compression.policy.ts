/** Deflated at most this share of the original size, or the payload is sent as it is. */
export const PAYS_AT_RATIO = 0.9;
/** Payloads of a size class sent plain after its first miss, without trying; doubled at each miss in a row. */
const FIRST_SKIP = 8;
/** The most payloads of a class sent plain between two tries. */
const MOST_SKIPPED = 256;
/** Size classes: powers of two, up to 2^31 bytes. */
const CLASSES = 32;

/**
 * Whether compressing a payload pays, and what recent payloads say about trying. Payloads are grouped
 * by size class (a power of two): a class whose last try did not pay is sent plain for the next 8
 * payloads, then tried again; each further miss in a row doubles the wait (at most 256), a hit ends it.
 * So a stream of incompressible payloads (images, ciphertext, base64 of either) costs a deflate now
 * and then rather than at every broadcast, and a change of shape is noticed within a few hundred.
 */
export class CompressionPolicy {
  private readonly waits = new Uint16Array(CLASSES);
  private readonly misses = new Uint8Array(CLASSES);

  constructor(private readonly paysAtRatio = PAYS_AT_RATIO) {}

  /** Whether a payload of this size should be compressed at all (false: send it plain, untried). */
  shouldTry(size: number): boolean {
    const sizeClass = classOf(size);
    if (this.waits[sizeClass] === 0) return true;
    this.waits[sizeClass]--;
    return false;
  }

  /** Records a try; true when the compressed size pays for itself. */
  record(size: number, compressedSize: number): boolean {
    const sizeClass = classOf(size);
    const pays = compressedSize <= size * this.paysAtRatio;
    if (pays) {
      this.misses[sizeClass] = 0;
    } else {
      const misses = Math.min(this.misses[sizeClass] + 1, 16);
      this.misses[sizeClass] = misses;
      this.waits[sizeClass] = Math.min(FIRST_SKIP * 2 ** (misses - 1), MOST_SKIPPED);
    }
    return pays;
  }
}

function classOf(size: number): number {
  return 31 - Math.clz32(size | 1);
}
