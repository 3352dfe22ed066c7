export * from './protocol.types';
export { CloseCode, JSON_SUBPROTOCOL, ProtocolEvent } from './protocol.constants';
