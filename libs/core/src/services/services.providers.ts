import type { Provider } from '@nestjs/common';
import { AuditService } from './audit/audit.service';
import { ChannelAuthorization } from './authorization/channel-authorization.service';
import { ChannelAuthorizersLoader } from './authorization/channel-authorizers.loader';
import { ChannelRules } from './channel/channel.rules';
import { ChannelService } from './channel/channel.service';
import { TemporaryChannels } from './channel/temporary-channels';
import { ConnectionLifecycle } from './connection/connection.lifecycle';
import { ConnectionRegistry } from './connection/connection.registry';
import { ConnectionService } from './connection/connection.service';
import { ConnectionStateService } from './connection/connection-state.service';
import { CredentialsService } from './credentials/credentials.service';
import { DirectService } from './direct/direct.service';
import { GroupService } from './group/group.service';
import { PresenceService } from './presence/presence.service';
import { ResumeService } from './resume/resume.service';
import { ResumeSessions } from './resume/resume-sessions';
import { GroupStateDelivery } from './shared-state/group-state.delivery';
import { SharedStateService } from './shared-state/shared-state.service';
import { StateSnapshots } from './shared-state/state.snapshots';

export const servicesProviders: Provider[] = [
  ConnectionRegistry,
  ConnectionStateService,
  ConnectionLifecycle,
  ConnectionService,
  ChannelRules,
  ChannelService,
  TemporaryChannels,
  PresenceService,
  GroupService,
  DirectService,
  AuditService,
  CredentialsService,
  ChannelAuthorization,
  ChannelAuthorizersLoader,
  ResumeSessions,
  ResumeService,
  StateSnapshots,
  SharedStateService,
  GroupStateDelivery,
];
