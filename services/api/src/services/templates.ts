// Reply templates (canned replies per locale, admin-managed) and staff members' saved queue views.
import { and, asc, eq, sql } from 'drizzle-orm';
import { customers, feedback, replyTemplates, savedViews, tickets, type Database } from '@closeloop/db';
import { LIMITS } from '@closeloop/domain';
import type { Viewer } from '../policy/viewer.ts';
import { ConflictError, NotFoundError, ValidationError } from '../policy/errors.ts';
import { audit } from './audit.ts';
import { actorOf } from './feedback.ts';

export const TEMPLATE_LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
/** What a template may say; anything else in {{ }} is refused when the template is saved. */
export const PLACEHOLDERS = ['customer.name', 'trackingCode', 'agent.displayName', 'dueDate'] as const;
export const MAX_VIEWS_PER_STAFF = 20;

const PLACEHOLDER = /\{\{\s*([A-Za-z.]+)\s*\}\}/g;
const len = (s: string) => [...s].length;

export type ReplyTemplateRow = typeof replyTemplates.$inferSelect;
export type SavedViewRow = typeof savedViews.$inferSelect;

/** Plain substitution from a fixed list: no expressions, no HTML (bodies are rendered as text). */
export function renderTemplate(body: string, values: Record<string, string>): string {
  return body.replace(PLACEHOLDER, (_, key: string) => values[key] ?? '');
}

function checkTemplate(input: { name?: string | null; locale?: string | null; body?: string | null }) {
  const errors = [];
  if (input.name != null && (!input.name.trim() || len(input.name) > LIMITS.nameMax)) errors.push({ path: ['input', 'name'], code: 'INVALID', message: `name must be 1–${LIMITS.nameMax} characters` });
  if (input.locale != null && !(TEMPLATE_LOCALES as readonly string[]).includes(input.locale)) errors.push({ path: ['input', 'locale'], code: 'INVALID_ENUM', message: `locale must be one of ${TEMPLATE_LOCALES.join(', ')}` });
  if (input.body != null) {
    if (!input.body.trim() || len(input.body) > LIMITS.noteMax) errors.push({ path: ['input', 'body'], code: 'INVALID', message: `body must be 1–${LIMITS.noteMax} characters` });
    for (const [, key] of input.body.matchAll(PLACEHOLDER)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(key!)) errors.push({ path: ['input', 'body'], code: 'UNKNOWN_PLACEHOLDER', message: `unknown placeholder {{${key}}}; use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}` });
    }
  }
  if (errors.length) throw new ValidationError(errors);
}

const isUniqueViolation = (e: unknown) => (e as { code?: string; cause?: { code?: string } }).code === '23505' || (e as { cause?: { code?: string } }).cause?.code === '23505';

export class TemplateService {
  constructor(private readonly db: Database) {}

  async createTemplate(viewer: Viewer, input: { name: string; locale: string; body: string }): Promise<ReplyTemplateRow> {
    checkTemplate(input);
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(replyTemplates).values({ name: input.name.trim(), locale: input.locale, body: input.body.trim() }).returning();
        await audit(tx, actorOf(viewer), 'replyTemplate.create', { type: 'ReplyTemplate', id: row!.id }, { name: row!.name, locale: row!.locale });
        return row!;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('A template with this name and locale exists');
      throw e;
    }
  }

  async updateTemplate(viewer: Viewer, id: string, input: { name?: string | null; locale?: string | null; body?: string | null }): Promise<ReplyTemplateRow> {
    checkTemplate(input);
    const patch: Partial<ReplyTemplateRow> = { updatedAt: new Date() };
    if (input.name != null) patch.name = input.name.trim();
    if (input.locale != null) patch.locale = input.locale;
    if (input.body != null) patch.body = input.body.trim();
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.update(replyTemplates).set(patch).where(eq(replyTemplates.id, id)).returning();
        if (!row) throw new NotFoundError('No such reply template');
        await audit(tx, actorOf(viewer), 'replyTemplate.update', { type: 'ReplyTemplate', id }, { name: row.name, locale: row.locale });
        return row;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('A template with this name and locale exists');
      throw e;
    }
  }

  deleteTemplate(viewer: Viewer, id: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.delete(replyTemplates).where(eq(replyTemplates.id, id)).returning();
      if (!row) throw new NotFoundError('No such reply template');
      await audit(tx, actorOf(viewer), 'replyTemplate.delete', { type: 'ReplyTemplate', id }, { name: row.name, locale: row.locale });
      return id;
    });
  }

  /** The template filled in for one ticket (the caller has already been allowed to read it). */
  async render(viewer: Viewer, templateId: string, ticketId: string): Promise<string> {
    const [tpl] = await this.db.select().from(replyTemplates).where(eq(replyTemplates.id, templateId)).limit(1);
    if (!tpl) throw new NotFoundError('No such reply template');
    const [row] = await this.db
      .select({ customerName: customers.name, trackingCode: feedback.trackingCode, dueAt: tickets.resolutionDueAt })
      .from(tickets)
      .innerJoin(feedback, eq(feedback.ticketId, tickets.id))
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .where(eq(tickets.id, ticketId))
      .orderBy(asc(feedback.receivedAt))
      .limit(1);
    const displayName = viewer.kind === 'STAFF' ? (viewer.staff.displayName ?? '') : '';
    const due = row?.dueAt ? new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short' }).format(row.dueAt) : '';
    return renderTemplate(tpl.body, {
      'customer.name': row?.customerName ?? '', trackingCode: row?.trackingCode ?? '', 'agent.displayName': displayName, dueDate: due,
    });
  }

  async saveView(viewer: Viewer & { kind: 'STAFF' }, input: { id?: string | null; name: string; filter: Record<string, unknown>; orderBy: string }): Promise<SavedViewRow> {
    if (!input.name.trim() || len(input.name) > LIMITS.nameMax) throw new ValidationError([{ path: ['input', 'name'], code: 'INVALID', message: `name must be 1–${LIMITS.nameMax} characters` }]);
    const me = viewer.staff.id;
    try {
      return await this.db.transaction(async (tx) => {
        let row: SavedViewRow | undefined;
        if (input.id) {
          [row] = await tx.update(savedViews).set({ name: input.name.trim(), filter: input.filter, orderBy: input.orderBy })
            .where(and(eq(savedViews.id, input.id), eq(savedViews.staffId, me))).returning();
          if (!row) throw new NotFoundError('No such saved view');
        } else {
          const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(savedViews).where(eq(savedViews.staffId, me))) as [{ n: number }];
          if (n >= MAX_VIEWS_PER_STAFF) throw new ValidationError([{ path: ['input'], code: 'TOO_MANY', message: `at most ${MAX_VIEWS_PER_STAFF} saved views` }]);
          [row] = await tx.insert(savedViews).values({ staffId: me, name: input.name.trim(), filter: input.filter, orderBy: input.orderBy, position: n }).returning();
        }
        await audit(tx, actorOf(viewer), 'savedView.save', { type: 'SavedView', id: row!.id }, { name: row!.name });
        return row!;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('You already have a view with this name');
      throw e;
    }
  }

  deleteView(viewer: Viewer & { kind: 'STAFF' }, id: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.delete(savedViews).where(and(eq(savedViews.id, id), eq(savedViews.staffId, viewer.staff.id))).returning();
      if (!row) throw new NotFoundError('No such saved view');
      await audit(tx, actorOf(viewer), 'savedView.delete', { type: 'SavedView', id }, { name: row.name });
      return id;
    });
  }
}
