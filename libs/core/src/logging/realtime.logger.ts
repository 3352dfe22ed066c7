import { Logger, LogLevel } from '@nestjs/common';

/** Nest's `Logger` behind the module's own `logLevels`, so the library can be quieter than the app. */
export class RealtimeLogger {
  private readonly logger: Logger;
  private readonly levels: Set<LogLevel>;

  constructor(context: string, levels: LogLevel[]) {
    this.logger = new Logger(context);
    this.levels = new Set(levels);
  }

  isEnabled(level: LogLevel): boolean {
    return this.levels.has(level);
  }

  verbose(message: string): void {
    if (this.levels.has('verbose')) this.logger.verbose(message);
  }

  debug(message: string): void {
    if (this.levels.has('debug')) this.logger.debug(message);
  }

  log(message: string): void {
    if (this.levels.has('log')) this.logger.log(message);
  }

  warn(message: string): void {
    if (this.levels.has('warn')) this.logger.warn(message);
  }

  error(message: string, error?: unknown): void {
    if (!this.levels.has('error')) return;
    if (error instanceof Error) this.logger.error(message, error.stack);
    else this.logger.error(error === undefined ? message : `${message}: ${String(error)}`);
  }
}
