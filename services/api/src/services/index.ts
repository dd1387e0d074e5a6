import type { Database } from '@closeloop/db';
import { FeedbackService } from './feedback.ts';
import { TicketService, type Publish } from './tickets.ts';
import { SurveyService } from './survey.ts';
import { SlaSweeper } from './escalation.ts';
import { MergeService } from './merge.ts';
import { WorkflowService } from './workflow.ts';
import { HandlingService } from './handling.ts';
import { TemplateService } from './templates.ts';

export interface Services {
  feedback: FeedbackService;
  tickets: TicketService;
  survey: SurveyService;
  sweeper: SlaSweeper;
  merge: MergeService;
  workflow: WorkflowService;
  handling: HandlingService;
  templates: TemplateService;
}

export function createServices(db: Database, secretKey: Buffer, publish: Publish): Services {
  const feedback = new FeedbackService(db, secretKey, publish);
  const tickets = new TicketService(db, publish);
  const merge = new MergeService(db, publish);
  return {
    feedback,
    tickets,
    survey: new SurveyService(db, feedback, publish),
    sweeper: new SlaSweeper(db, publish),
    merge,
    workflow: new WorkflowService(db),
    handling: new HandlingService(db, publish, tickets, merge),
    templates: new TemplateService(db),
  };
}
