// The public part of shared states: the service and the types its callers and channel rules use.
export { SharedStateService } from './shared-state.service';
export type { GroupState, GroupStateWriteResult, StateDeleteOptions, StateEvent, StateSetOptions } from './shared-state.service';
export type { ChannelStateOptions, StateWriteAuthorizer, StateWriteRequest } from '../channel/channel.options';
