export { ChannelAuthorizer } from './channel-authorizer.decorator';
