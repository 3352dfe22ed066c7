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
export const HOOK_TIMED_OUT = (hook: string, event: string, timeout: number, queue: string) =>
  `Hook ${hook} has not finished on ${event} after ${timeout} ms; the ${queue} hooks go on without waiting for it. ` +
  `Make it faster or hand its work to a job queue, or raise hooks.timeout (0: no limit).`;
export const HOOK_QUEUE_OVERFLOW = (
  queue: string,
  size: number,
  dropped: 'oldest' | 'newest',
  total: number,
  running: { hook: string; ms: number } | undefined,
) =>
  `The ${queue} hook queue is full (${size} ${size === 1 ? 'event' : 'events'}): dropped the ${dropped} event, ${total} dropped so far` +
  (running ? `; hook ${running.hook} has been running for ${running.ms} ms` : '') +
  `. Its hooks are slower than its events arrive: make them faster or hand their work to a job queue, ` +
  `lower hooks.timeout, or raise hooks.queueSize.`;

// Metrics (`@nest-realtime/core/metrics`): thrown at bootstrap.

export const METRICS_NEED_REALTIME_MODULE =
  'RealtimeMetricsModule reads the metrics of RealtimeModule, which this application does not import: add RealtimeModule.forRoot(...) to its imports.';
export const METRICS_PATH = "a path such as '/metrics', or false (no route: serve the registry yourself)";
export const METRICS_PREFIX = "letters, digits, '_' and ':', not starting with a digit (a Prometheus metric name's start)";
export const METRICS_REGISTRY = "a prom-client Registry (import { Registry } from 'prom-client')";

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

// Connection limits: logged at run time.

/** `forwarded`: its upgrades carry X-Forwarded-For or Forwarded, which is what a proxy sends. */
export const LIKELY_PROXY = (ip: string, count: number, forwarded: boolean) =>
  `${count} connections come from ${ip}${forwarded ? ' (with X-Forwarded-For or Forwarded headers)' : ''}: it looks like a proxy or load balancer, ` +
  `and every client behind it has its address (connection.ip, the audit trail, limits.maxConnectionsPerIp). ` +
  `If it is your proxy, set limits.trustProxy to its address or range (true trusts loopback and private addresses); ` +
  `if it is one client, cap it with limits.maxConnectionsPerIp.`;

// Drain: readiness goes down, new upgrades get 503, connections close with 1012 spread over the window.

export const DRAIN_STARTED = (connections: number, window: number) =>
  `Draining: new connections get 503; closing ${connections} connection(s) with 1012 (service restart) over ${window} ms, their sessions kept for a resume elsewhere`;
export const DRAIN_ENDED = (closed: number, elapsed: number) => `Drained: ${closed} connection(s) closed with 1012 in ${elapsed} ms`;
export const DRAIN_WINDOW_ENDED = (window: number, open: number) =>
  `The drain window (${window} ms) ended with ${open} connection(s) not closed yet: the shutdown closes them`;
export const DRAIN_CLOSE_FAILED = (connectionId: string) => `Drain: could not release connection ${connectionId} before closing it`;
/** The reason of a drain's 1012 close frame. */
export const DRAIN_CLOSE_REASON = 'service restart';
/** The body of the 503 an upgrade gets during a drain. */
export const UPGRADE_REFUSED_DRAINING = 'This server is draining before it stops; reconnect in a moment (to another node, through your load balancer).';

// The admin module (`@nest-realtime/core/admin`).

const ADMIN_OWNER = 'RealtimeAdminModule';

// Options: a bad one fails the startup.

export const ADMIN_TOKEN_OR_GUARD =
  `${ADMIN_OWNER}: give option "token" (a bearer token, or a function returning it) or option "guard" (a CanActivate class of yours); ` +
  'with neither, the admin API would be open to anyone.';
export const ADMIN_TOKEN_AND_GUARD = `${ADMIN_OWNER}: give option "token" or option "guard", not both: the admin API is guarded by one of them.`;
export const ADMIN_PATH_EXPECTED = 'a URL path such as "admin" or "ops/realtime" (letters, digits, ".", "_", "~", "-", segments separated by "/")';
export const ADMIN_TOKEN_EXPECTED = 'a non-empty string, or a function returning one';
export const ADMIN_GUARD_EXPECTED = 'a class implementing CanActivate';
export const NEEDS_REALTIME_MODULE_FOR_ADMIN =
  `${ADMIN_OWNER} needs RealtimeModule: add RealtimeModule.forRoot(...) to the imports of the application module.`;

// Requests: the `message` of a 4xx answer.

export const TOKEN_MISSING = 'This API needs the admin token: send it as "Authorization: Bearer <token>".';
export const TOKEN_REFUSED = 'The admin token is wrong.';
export const JSON_BODY_NEEDED = (got: string | undefined) =>
  `Send a JSON body with "content-type: application/json" (an empty one is {}); got ${got ? `"${got}"` : 'no content type'}.`;
export const UNKNOWN_PARAMETER = (where: 'query' | 'body', name: string, allowed: readonly string[]) =>
  `Unknown ${where} parameter "${name}"; ${allowed.length ? `expected ${allowed.join(', ')}` : 'none is expected'}.`;
export const BAD_PARAMETER = (name: string, expected: string, got: unknown) => `"${name}" must be ${expected}; got ${describeValue(got)}.`;
export const BODY_NOT_OBJECT = (got: unknown) => `The body must be a JSON object; got ${describeValue(got)}.`;
export const CONNECTION_NOT_HERE = (connectionId: string) =>
  `No connection "${connectionId}" on this node: it closed, or is held by another node (each node disconnects its own).`;
export const CLIENT_NOT_HERE = (clientId: string) => `Client "${clientId}" has no connection on this node.`;
export const NOT_A_MEMBER = (channel: string, clientId: string) => `Client "${clientId}" is not a member of "${channel}".`;
export const NO_PRESENCE = (channel: string) => `"${channel}" does not track presence (its channel rule has no presence: true).`;

// Log lines: one per action.

export const ADMIN_DISCONNECTED = (what: string, count: number, reason: string) => `Admin: disconnected ${what} (${count} connection${count === 1 ? '' : 's'}): ${reason}`;
export const ADMIN_KICKED = (channel: string, clientId: string, count: number, reason: string) =>
  `Admin: kicked ${clientId} from ${channel} (${count} connection${count === 1 ? '' : 's'}): ${reason}`;
export const ADMIN_PUBLISHED = (channel: string, delivered: number) => `Admin: published to ${channel} (${delivered} deliveries)`;
export const ADMIN_DRAIN_STARTED = (window: number | undefined) =>
  `Admin: started draining this node${window === undefined ? '' : ` over ${window} ms`}`;
export const ADMIN_DRAIN_FAILED = 'Admin: the drain failed';

// Connection states: policies and timeouts (`state.policies`, `state.timeouts`).

export const STATE_POLICY_ENTRY = 'a function (change) => true | false | reason, an object with decide(change), or a class with decide(change)';
export const STATE_TIMEOUT_ENTRY = (states: readonly string[]) => `an object {after, to} with after an integer ≥ 1 and to one of ${states.join(', ')}`;
export const STATE_TIMEOUT_NOT_ALLOWED = (from: string, targets: readonly string[]) => `a state the machine allows from "${from}" (${targets.join(', ')})`;
export const STATE_TIMEOUT_ON_TERMINAL = (terminal: string) => `not set on the terminal state "${terminal}": a connection in it is closed`;
export const STATE_POLICY_REFUSED = (from: string, to: string, reason: string) => `A state policy refused "${from}" → "${to}": ${reason}`;
export const STATE_POLICY_NO_REASON = (policy: string) => `refused by ${policy}`;
export const STATE_POLICY_FAILED = (policy: string) => `${policy} failed`;
export const STATE_POLICY_FAILED_LOG = (policy: string) => `State policy ${policy} failed; the transition it was asked about is refused`;
export const STATE_POLICY_NOT_A_POLICY = (index: number, name: string) =>
  `RealtimeModule: option "state.policies[${index}]" (${name}) has no decide(change) method; add one or remove it from the list.`;
export const STATE_CHANGED_MEANWHILE = (connectionId: string, from: string, now: string) =>
  `Connection "${connectionId}" went from "${from}" to "${now}" while the state policies decided; ask again from "${now}".`;
export const STATE_TIMEOUT_REFUSED = (connectionId: string, from: string, to: string, reason: string) =>
  `The timeout of "${from}" could not move ${connectionId} to "${to}": ${reason}; it stays in "${from}".`;

// Adaptive heartbeat: log lines of its changes.

export const HEARTBEAT_STRETCHED = (interval: number, timeout: number, lagMs: number) =>
  `Heartbeat stretched to every ${interval} ms (timeout ${timeout} ms): the event loop lags ${Math.round(lagMs)} ms; clients were told.`;
export const HEARTBEAT_RELAXED = (interval: number, timeout: number) =>
  `Heartbeat back to every ${interval} ms (timeout ${timeout} ms): the event loop keeps up again; clients were told.`;

// Presence statuses: the `invalid` (or `not_found`) errors a status change is refused with.

const quotedList = (statuses: readonly string[]) => statuses.map((status) => `"${status}"`).join(', ');
export const NO_STATUSES = (channel: string) =>
  `"${channel}" has no presence statuses: declare them in its channel rule ({presence: true, statuses: {...}}).`;
export const NOT_A_STATUS = (channel: string, status: unknown, statuses: readonly string[]) =>
  `${JSON.stringify(status) ?? String(status)} is not a presence status of "${channel}": use one of ${quotedList(statuses)}.`;
export const NOT_SETTABLE = (channel: string, status: string, settable: readonly string[]) =>
  settable.length === 0
    ? `Clients do not set their status in "${channel}": only the server does.`
    : `A client may not set the status "${status}" in "${channel}": it may set ${quotedList(settable)}.`;
export const ON_ANOTHER_NODE = (connectionId: string) =>
  `Connection "${connectionId}" is on another node: set its status on the node that holds it, where its timeouts run.`;
