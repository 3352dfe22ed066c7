import { Logger, LoggerService } from '@nestjs/common';

/** Routes Nest's logger to a list of the errors logged (the rest is dropped) until `restore()`. */
export function captureErrorLog(): { errors: string[]; restore(): void } {
  const errors: string[] = [];
  const record = (message: unknown) => errors.push(String(message));
  const quiet = () => undefined;
  const logger: LoggerService = { log: quiet, warn: quiet, debug: quiet, verbose: quiet, error: record, fatal: record };
  Logger.overrideLogger(logger);
  return { errors, restore: () => Logger.overrideLogger(false) };
}
