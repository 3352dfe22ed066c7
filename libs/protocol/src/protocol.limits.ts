/** The subprotocol of the JSON encoding: text frames, one JSON object each. */
export const JSON_SUBPROTOCOL = 'realtime.v1.json';

/** Longest `event` name a frame may carry. */
export const MAX_EVENT_LENGTH = 128;

/** Longest `ref` a frame may carry. */
export const MAX_REF_LENGTH = 64;

/** The subprotocol of the MessagePack encoding: binary frames, one MessagePack map each (docs/protocol.md, "Encodings"). */
export const MSGPACK_SUBPROTOCOL = 'realtime.v1.msgpack';

/** The encodings of the protocol's frames: JSON text (the default) or MessagePack binary. */
export type FrameEncoding = 'json' | 'msgpack';
