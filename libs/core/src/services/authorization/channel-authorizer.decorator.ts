import 'reflect-metadata';
import type { ChannelAuthorizationRequest } from '../channel/channel.options';

/** The reflect-metadata key under which a method keeps its authorizer patterns. */
export const CHANNEL_AUTHORIZER_METADATA = 'realtime:channel-authorizer';

type AuthorizerMethod = (request: ChannelAuthorizationRequest) => boolean | Promise<boolean>;

/**
 * Makes a provider method the authorizer of the channels that match `pattern` (`*` matches any run of
 * characters), and those channels private: joining one needs the method to return (or resolve to)
 * `true`. It gets `{connectionId, clientId, claims, channel, meta}`.
 */
export function ChannelAuthorizer(pattern: string) {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new TypeError(`@ChannelAuthorizer: the channel pattern must be a non-empty string such as "private:*"; got ${JSON.stringify(pattern) ?? String(pattern)}.`);
  }
  return <M extends AuthorizerMethod>(_target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    const method: unknown = descriptor.value;
    if (typeof method !== 'function') throw new TypeError(`@ChannelAuthorizer decorates methods; "${String(propertyKey)}" is not one.`);
    const patterns: string[] = Reflect.getMetadata(CHANNEL_AUTHORIZER_METADATA, method) ?? [];
    Reflect.defineMetadata(CHANNEL_AUTHORIZER_METADATA, [...patterns, pattern], method);
  };
}
