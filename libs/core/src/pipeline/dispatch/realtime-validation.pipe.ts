import { ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { FieldError, invalid } from '../../errors/realtime.exception';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Turns class-validator errors into an `invalid` error whose details list each field and its message. */
export function realtimeValidationException(errors: ValidationError[]) {
  return invalid('Validation failed', flatten(errors));
}

/**
 * `ValidationPipe` that answers bad data with `invalid` and a list of `{field, message}`. A plain
 * `ValidationPipe` works too; its messages are mapped to fields by their first word.
 */
export class RealtimeValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions = {}) {
    super({ transform: true, exceptionFactory: realtimeValidationException, ...options });
  }
}
