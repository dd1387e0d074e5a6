import type { Database } from '@closeloop/db';
import type { ReceivedAtLimits } from '@closeloop/domain';
import { Identity } from '../auth/identity.ts';
import { ATTACHMENT_DEFAULTS } from '@closeloop/domain';
import { FeedbackService } from './feedback.ts';
import { TicketService, type Publish } from './tickets.ts';
import { SurveyService } from './survey.ts';
import { SlaSweeper } from './sweeper.ts';
import { MergeService } from './merge.ts';
import { WorkflowService } from './workflow.ts';
import { HandlingService } from './handling.ts';
import { TemplateService } from './templates.ts';
import { StaffService } from './staff.ts';
import { ChannelService } from './channels.ts';
import { ApiKeyService } from './api-keys.ts';
import { DirectoryService } from './directory.ts';
import { CustomerService } from './customers.ts';
import { AttachmentService, type AttachmentLimits } from './attachments.ts';
import { ConversationService, type ConversationOptions } from './conversation.ts';

export interface Services {
  feedback: FeedbackService;
  tickets: TicketService;
  survey: SurveyService;
  sweeper: SlaSweeper;
  merge: MergeService;
  workflow: WorkflowService;
  handling: HandlingService;
  templates: TemplateService;
  staff: StaffService;
  channels: ChannelService;
  apiKeys: ApiKeyService;
  directory: DirectoryService;
  customers: CustomerService;
  attachments: AttachmentService;
  conversation: ConversationService;
}

export interface ServiceOptions {
  /** Signs staff sessions and seals channel secrets; one is made from `secretKey` when not given. */
  identity?: Identity;
  /** How long a rotated channel secret keeps verifying (seconds). */
  channelSecretOverlapSeconds?: number;
  /** Told after staff sessions or API keys were revoked (the realtime hub re-checks open subscriptions). */
  onSessionsRevoked?: () => void;
  /** Bounds on receivedAt, which feeds business-time arithmetic (config.ts; defaults in the domain package). */
  receivedAt?: ReceivedAtLimits;
  attachments?: Partial<AttachmentLimits>;
  conversation?: ConversationOptions;
}

export function createServices(db: Database, secretKey: Buffer, publish: Publish, options: ServiceOptions = {}): Services {
  const identity = options.identity ?? new Identity({ db, secretKey, staffSessionTtlSeconds: 12 * 3600 });
  const feedback = new FeedbackService(db, secretKey, publish, options.receivedAt);
  const attachments = new AttachmentService(db, secretKey, { ...ATTACHMENT_DEFAULTS, ...definedOnly(options.attachments ?? {}) });
  const tickets = new TicketService(db, publish, attachments);
  const merge = new MergeService(db, publish);
  return {
    feedback,
    attachments,
    conversation: new ConversationService(db, feedback, attachments, publish, options.conversation),
    tickets,
    survey: new SurveyService(db, feedback, publish),
    sweeper: new SlaSweeper(db, publish, { cleanup: (now) => attachments.deleteUnattached(now) }),
    merge,
    workflow: new WorkflowService(db),
    handling: new HandlingService(db, publish, tickets, merge),
    templates: new TemplateService(db),
    staff: new StaffService(db, identity, options.onSessionsRevoked),
    channels: new ChannelService(db, identity, options.channelSecretOverlapSeconds),
    apiKeys: new ApiKeyService(db, options.onSessionsRevoked),
    directory: new DirectoryService(db),
    customers: new CustomerService(db),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
