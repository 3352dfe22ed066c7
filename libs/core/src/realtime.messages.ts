/** The library's error and log texts, as small factories that the code and its specs share. */

/** A value as a message shows it: JSON where that reads well, `a function` for a function. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// Options: `owner` is what is being configured (`RealtimeModule`, `RedisEngine`); a bad option fails its startup.

export const INVALID_OPTION = (owner: string, name: string, expected: string, got: unknown) =>
  `${owner}: option "${name}" must be ${expected}; got ${describeValue(got)}.`;
export const INVALID_MODULE_OPTION = (name: string, expected: string, got: unknown) => INVALID_OPTION('RealtimeModule', name, expected, got);

/** What an option must be, as the option checks word it. */
export const AN_INTEGER = (min: number, max?: number) => (max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`);
export const A_POSITIVE_NUMBER = 'a number > 0';
export const TRUE_OR_FALSE = 'true or false';
export const AN_OBJECT = (orFalse = false) => (orFalse ? 'an object or false' : 'an object');
export const ONE_OF = (allowed: readonly string[]) => `one of ${allowed.join(', ')}`;
export const AN_ARRAY_OF = (allowed: readonly string[]) => `an array of ${allowed.join(', ')}`;
export const NON_EMPTY_STRINGS = 'an array of non-empty strings';
export const A_FUNCTION = (signature: string) => `a function ${signature}`;

// Decorators: thrown when the class is defined.

export const DECORATOR_MISUSE = (decorator: string, what: string, expected: string, got: unknown) =>
  `@${decorator}: ${what} must be ${expected}; got ${describeValue(got)}.`;
export const NOT_A_METHOD = (decorator: string, key: string | symbol) => `@${decorator} decorates methods; "${String(key)}" is not one.`;

// Discovery: decorated methods need one instance to call.

export const SCOPED_HOOKS_IGNORED = (owner: string) => `${owner} is request-scoped or transient: its realtime hooks are ignored.`;
export const SCOPED_CHANNEL_AUTHORIZER = (owner: string, method: string) =>
  `${owner}.${method} is a @ChannelAuthorizer on a request-scoped or transient provider; make the provider a singleton.`;

// Hooks at run time: logged, never thrown.

export const HOOK_FAILED = (hook: string, event: string) => `Hook ${hook} failed on ${event}`;
export const HOOK_STREAM_FAILED = (stream: string) => `The ${stream} stream failed; its hooks no longer run`;

// The adapter: a missing module or adapter, a gateway asking for its own port or path, the startup line.

const INSTALL = 'In main.ts, call app.useWebSocketAdapter(new RealtimeAdapter(app)) before app.listen().';

export const NEEDS_REALTIME_MODULE =
  'RealtimeAdapter needs RealtimeModule: add RealtimeModule.forRoot(...) to the imports of the application module.';

export const GATEWAYS_WITHOUT_ADAPTER = (path: string) =>
  "RealtimeModule is imported but RealtimeAdapter is not installed, so the application's @WebSocketGateway classes cannot be served. " +
  `${INSTALL} It serves them and RealtimeModule on "${path}". (To serve the gateways with another adapter, install that one the same way.)`;

/** `installed`: the class of the adapter installed instead, if any. */
export const PATH_NOT_SERVED = (path: string, installed?: string) =>
  `RealtimeModule is imported but ${installed ? `the WebSocket adapter is ${installed}, not RealtimeAdapter` : 'RealtimeAdapter is not installed'}: ` +
  `nothing serves "${path}", and clients connecting there will fail. ${INSTALL} (A node that only publishes through a shared engine may ignore this.)`;

export const SERVING_ON = (path: string, engine: string, nodeId: string) => `Realtime on ${path} (${engine}, node ${nodeId})`;

export const PORT_IN_GATEWAY = (port: number) =>
  `RealtimeAdapter serves gateways on the application's HTTP server; remove the port (${port}) from @WebSocketGateway().`;

export const PATH_IN_GATEWAY = (path: string, asked: string) =>
  `RealtimeAdapter serves every gateway on "${path}" (RealtimeModule's path); a gateway asks for "${asked}".`;
