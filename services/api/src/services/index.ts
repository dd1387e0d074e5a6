import type { Database } from '@closeloop/db';
import { ATTACHMENT_DEFAULTS } from '@closeloop/domain';
import { FeedbackService } from './feedback.ts';
import { TicketService, type Publish } from './tickets.ts';
import { SurveyService } from './survey.ts';
import { SlaSweeper } from './escalation.ts';
import { MergeService } from './merge.ts';
import { WorkflowService } from './workflow.ts';
import { AttachmentService, type AttachmentLimits } from './attachments.ts';
import { ConversationService, type ConversationOptions } from './conversation.ts';

export interface Services {
  feedback: FeedbackService;
  tickets: TicketService;
  survey: SurveyService;
  sweeper: SlaSweeper;
  merge: MergeService;
  workflow: WorkflowService;
  attachments: AttachmentService;
  conversation: ConversationService;
}

export interface ServiceOptions {
  attachments?: Partial<AttachmentLimits>;
  conversation?: ConversationOptions;
}

export function createServices(db: Database, secretKey: Buffer, publish: Publish, options: ServiceOptions = {}): Services {
  const feedback = new FeedbackService(db, secretKey, publish);
  const attachments = new AttachmentService(db, secretKey, { ...ATTACHMENT_DEFAULTS, ...definedOnly(options.attachments ?? {}) });
  return {
    feedback,
    attachments,
    conversation: new ConversationService(db, feedback, attachments, publish, options.conversation),
    tickets: new TicketService(db, publish, attachments),
    survey: new SurveyService(db, feedback, publish),
    sweeper: new SlaSweeper(db, publish),
    merge: new MergeService(db, publish),
    workflow: new WorkflowService(db),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
