import type { Database } from '@closeloop/db';
import type { ReceivedAtLimits } from '@closeloop/domain';
import { FeedbackService } from './feedback.ts';
import { TicketService, type Publish } from './tickets.ts';
import { SurveyService } from './survey.ts';
import { SlaSweeper } from './escalation.ts';
import { MergeService } from './merge.ts';
import { WorkflowService } from './workflow.ts';

export interface Services {
  feedback: FeedbackService;
  tickets: TicketService;
  survey: SurveyService;
  sweeper: SlaSweeper;
  merge: MergeService;
  workflow: WorkflowService;
}

/** Bounds on input that feeds business-time arithmetic (config.ts; defaults in the domain package). */
export interface ServiceLimits { receivedAt?: ReceivedAtLimits }

export function createServices(db: Database, secretKey: Buffer, publish: Publish, limits: ServiceLimits = {}): Services {
  const feedback = new FeedbackService(db, secretKey, publish, limits.receivedAt);
  return {
    feedback,
    tickets: new TicketService(db, publish),
    survey: new SurveyService(db, feedback, publish),
    sweeper: new SlaSweeper(db, publish),
    merge: new MergeService(db, publish),
    workflow: new WorkflowService(db),
  };
}
