import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
import './error-types.ts';
import './enums.ts';
import './directory.ts';
import './customer.ts';
import './timeline.ts';
import './feedback.ts';
import './ticket.ts';
import './viewer.ts';
import './realtime.ts';
import './workflow.ts';
import './calendar-coverage.ts';
import './sla.ts';
import './survey.ts';
import './portal.ts';
import './handling.ts';
import './templates.ts';
import './admin-staff.ts';
import './admin-channels.ts';
import './admin-directory.ts';
import './conversation.ts';

export const schema = builder.toSchema();

export function printedSchema(): string {
  return printSchema(lexicographicSortSchema(schema));
}
