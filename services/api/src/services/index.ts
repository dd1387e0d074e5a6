import type { Database } from '@closeloop/db';
import { FeedbackService } from './feedback.ts';
import { TicketService, type Publish } from './tickets.ts';

export interface Services {
  feedback: FeedbackService;
  tickets: TicketService;
}

export function createServices(db: Database, secretKey: Buffer, publish: Publish): Services {
  return {
    feedback: new FeedbackService(db, secretKey),
    tickets: new TicketService(db, publish),
  };
}
