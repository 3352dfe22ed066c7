function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The error a bad option fails the bootstrap with; tests match on the option's name. */
export function invalidOption(name: string, expected: string, got: unknown): Error {
  return new Error(`RealtimeModule: option "${name}" must be ${expected}; got ${show(got)}.`);
}
