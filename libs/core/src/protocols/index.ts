// `@nest-realtime/core/protocols`: what a module serving another wire protocol on the core's services builds
// on (such as `@nest-realtime/pusher`): its endpoint on the core's HTTP server, and core connections whose
// native frames are translated into that protocol's.
export type { ProtocolEndpoint } from '../transport/protocols/protocol-endpoint';
export { ProtocolEndpoints } from '../transport/protocols/protocol-endpoints';
export type { ProtocolIdentity } from '../transport/protocols/protocol-endpoints';
export { TranslatedConnection } from '../services/connection/translated-connection';
export type { OutboundTranslator } from '../services/connection/translated-connection';
export { InOrderFrames } from '../pipeline/dispatch/in-order-frames';
