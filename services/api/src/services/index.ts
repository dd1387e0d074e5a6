import type { Database } from '@closeloop/db';
import { FeedbackService } from './feedback.ts';
import { TicketService, type Publish } from './tickets.ts';
import { SlaSweeper } from './escalation.ts';
import { MergeService } from './merge.ts';
import { WorkflowService } from './workflow.ts';

export interface Services {
  feedback: FeedbackService;
  tickets: TicketService;
  sweeper: SlaSweeper;
  merge: MergeService;
  workflow: WorkflowService;
}

export function createServices(db: Database, secretKey: Buffer, publish: Publish): Services {
  return {
    feedback: new FeedbackService(db, secretKey),
    tickets: new TicketService(db, publish),
    sweeper: new SlaSweeper(db, publish),
    merge: new MergeService(db, publish),
    workflow: new WorkflowService(db),
  };
}
