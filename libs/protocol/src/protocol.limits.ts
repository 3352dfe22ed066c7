/** The subprotocol of the JSON encoding: text frames, one JSON object each. */
export const JSON_SUBPROTOCOL = 'realtime.v1.json';

/** Longest `event` name a frame may carry. */
export const MAX_EVENT_LENGTH = 128;

/** Longest `ref` a frame may carry. */
export const MAX_REF_LENGTH = 64;
