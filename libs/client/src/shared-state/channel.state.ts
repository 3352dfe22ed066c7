import type { ChannelLink } from '../channel/channel.link';
import { ClientMessages } from '../error/client.messages';
import { RealtimeError } from '../error/realtime.error';
import { ProtocolEvent } from '@nest-realtime/protocol';
import type { StateDeleteRequest, StateSetRequest, StateWriteResult } from '@nest-realtime/protocol';
import { SharedState, StateGapHandler } from './shared.state';
import type { StateDeleteOptions, StateKey, StateSetOptions } from './state.events';

/**
 * A channel's shared state: the merged copy of `SharedState`, plus writes (`state:set`, `state:delete`),
 * which the channel's rule may allow members. A write resolves with the server's result; the copy changes
 * when the write's `state:diff` arrives, as for everyone else's writes.
 */
export class ChannelSharedState<S extends object = Record<string, unknown>> extends SharedState<S> {
  /** @internal Made by its channel. */
  constructor(
    name: string,
    private readonly link: ChannelLink,
    private readonly isMember: () => boolean,
    onGap?: StateGapHandler,
  ) {
    super(name, link.onListenerError, { onGap });
  }

  /**
   * Writes a key; queued while disconnected. With `version`, only if the key's version is still that one:
   * otherwise it rejects with a `conflict` RealtimeError whose `details` are the key's current
   * `{version, value}` (version 0 and value null: absent).
   */
  async set<K extends StateKey<S>>(key: K, value: S[K], options: StateSetOptions = {}): Promise<StateWriteResult> {
    this.assertWritable(key);
    if (value === undefined) throw new RealtimeError('invalid', ClientMessages.badStateValue(key));
    const request: StateSetRequest<S[K]> = { channel: this.name, key, value, ...writeOptions(options) };
    return this.link.request<StateWriteResult>(ProtocolEvent.StateSet, request);
  }

  /** Deletes a key (with `version`: only if it is still that one, else `conflict` as for `set`). */
  async delete(key: StateKey<S>, options: StateDeleteOptions = {}): Promise<StateWriteResult> {
    this.assertWritable(key);
    const request: StateDeleteRequest = { channel: this.name, key, ...writeOptions({ version: options.version }) };
    return this.link.request<StateWriteResult>(ProtocolEvent.StateDelete, request);
  }

  private assertWritable(key: unknown): void {
    if (!this.isMember()) throw new RealtimeError('not_joined', ClientMessages.notJoined(this.name));
    if (typeof key !== 'string' || key.length === 0) throw new RealtimeError('invalid', ClientMessages.badStateKey(key));
  }
}

function writeOptions({ version, ttl }: StateSetOptions): StateSetOptions {
  return { ...(version !== undefined && { version }), ...(ttl !== undefined && { ttl }) };
}
