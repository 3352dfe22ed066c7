/** The Node entry: everything of `@nest-realtime/client`, plus the `ws` transport (kept out of browser bundles). */
export * from './index';
export { wsTransport } from './transport/ws.transport';
