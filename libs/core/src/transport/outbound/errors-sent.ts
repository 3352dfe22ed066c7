/**
 * Errors answered to clients (replies with `ok: false` and `error` frames), by code: one increment per
 * error, read by the metrics. Kept per process, like `FrameWriter.shared`: the applications of one process
 * share it.
 */
export const errorsSent: Record<string, number> = Object.create(null);

export function countErrorSent(code: string): void {
  errorsSent[code] = (errorsSent[code] ?? 0) + 1;
}
