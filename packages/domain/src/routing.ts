import type { Channel, EscalationLevel, FeedbackKind, Priority } from './enums.ts';

export const DEPARTMENT_CODES = ['CREDIT', 'RISK', 'PRODUCT', 'CUSTOMER_SERVICE'] as const;
export type DepartmentCode = (typeof DEPARTMENT_CODES)[number];

/**
 * A rule matches when every criterion it sets matches (AND across fields, OR within one field).
 * An absent or empty list sets no criterion, so `match: {}` matches everything (a default rule).
 */
export interface RoutingMatch {
  kinds?: readonly FeedbackKind[];
  /** Case-insensitive equality with the feedback's category. */
  categories?: readonly string[];
  /** Case-insensitive substring of the content (NFKC-normalised, so full-width ＶＩＰ matches VIP). */
  keywords?: readonly string[];
  tiers?: readonly string[];
  channels?: readonly Channel[];
}

export interface RouteAction {
  /** One of DEPARTMENT_CODES by default; an institution may add its own departments. */
  departmentCode: string;
  level: EscalationLevel;
  priority: Priority;
}

export interface RoutingRule {
  id: string;
  position: number;
  enabled: boolean;
  match: RoutingMatch;
  action: RouteAction;
}

export interface RoutingInput {
  kind: FeedbackKind;
  category?: string | null;
  content: string;
  tierCode?: string | null;
  channel?: Channel | null;
}

/** The decision, with the rule that made it (null for the fallback). */
export interface RouteDecision extends RouteAction { ruleId: string | null }

/** Used when no enabled rule matches: customer service answers anything. */
export const FALLBACK_ROUTE: Readonly<RouteDecision> = Object.freeze({
  ruleId: null,
  departmentCode: 'CUSTOMER_SERVICE',
  level: 'L1',
  priority: 'NORMAL',
});

const norm = (s: string) => s.normalize('NFKC').toLowerCase();
const any = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined && list.length > 0;

export function ruleMatches(match: RoutingMatch, input: RoutingInput): boolean {
  if (any(match.kinds) && !match.kinds.includes(input.kind)) return false;
  if (any(match.categories)) {
    const category = input.category == null ? null : norm(input.category.trim());
    if (category === null || !match.categories.some((c) => norm(c.trim()) === category)) return false;
  }
  if (any(match.keywords)) {
    const content = norm(input.content);
    if (!match.keywords.some((k) => k.trim() !== '' && content.includes(norm(k.trim())))) return false;
  }
  if (any(match.tiers) && (input.tierCode == null || !match.tiers.includes(input.tierCode))) return false;
  if (any(match.channels) && (input.channel == null || !match.channels.includes(input.channel))) return false;
  return true;
}

/** The first enabled matching rule by ascending position (ties: by id), else FALLBACK_ROUTE. */
export function routeFeedback(rules: readonly RoutingRule[], input: RoutingInput): RouteDecision {
  const ordered = rules
    .filter((r) => r.enabled)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rule = ordered.find((r) => ruleMatches(r.match, input));
  return rule ? { ruleId: rule.id, ...rule.action } : { ...FALLBACK_ROUTE };
}

export interface AssigneeCandidate {
  id: string;
  level: EscalationLevel;
  openTickets: number;
  active: boolean;
}

/**
 * The customer's dedicated account manager when listed and active (whatever their level: the
 * relationship matters more than the queue), else the active candidate at `level` with the fewest
 * open tickets, ties broken by id so that every replica picks the same person; null if nobody fits.
 */
export function pickAssignee<T extends AssigneeCandidate>(
  candidates: readonly T[],
  level: EscalationLevel,
  accountManagerId?: string | null,
): T | null {
  if (accountManagerId != null) {
    const manager = candidates.find((c) => c.id === accountManagerId && c.active);
    if (manager) return manager;
  }
  let best: T | null = null;
  for (const c of candidates) {
    if (!c.active || c.level !== level) continue;
    if (!best || c.openTickets < best.openTickets || (c.openTickets === best.openTickets && c.id < best.id)) best = c;
  }
  return best;
}

/** One level up; L3 is the top and stays L3. */
export function nextLevel(level: EscalationLevel): EscalationLevel {
  return level === 'L1' ? 'L2' : 'L3';
}

const PREMIUM_TIERS = ['VIP', 'PRIVATE_BANKING'];
const FRAUD_KEYWORDS = ['fraud', 'scam', 'phishing', 'unauthorized', 'unauthorised', 'stolen', '盗刷', '诈骗', '欺诈', '风险', '被盗', '冒用'];
const CREDIT_KEYWORDS = ['loan', 'credit card', 'mortgage', 'credit limit', '贷款', '信用卡', '房贷', '额度', '还款', '分期'];

const rule = (id: string, position: number, match: RoutingMatch, action: RouteAction): RoutingRule =>
  Object.freeze({ id, position, enabled: true, match: Object.freeze(match), action: Object.freeze(action) });

/**
 * Default rules; the first match wins, so order encodes precedence:
 * 10 fraud comes first: money may be leaving the account now, whoever the customer is. Only
 *    complaints and inquiries: a suggestion mentioning 风险 is a product idea, not an incident.
 * 20 a premium customer's credit complaint goes to credit, at L2 and HIGH (the fast lane).
 * 30 any other premium complaint: customer service at L2, HIGH.
 * 40 suggestions go to product before the credit keywords, so "improve the credit-card app" is
 *    treated as a product idea.
 * 50 credit keywords → credit.
 * 60 praise needs a thank-you, not urgency: LOW.
 * 1000 default: customer service, L1, NORMAL (same as FALLBACK_ROUTE).
 */
export const DEFAULT_ROUTING_RULES: readonly RoutingRule[] = Object.freeze([
  rule('default-fraud', 10, { kinds: ['COMPLAINT', 'INQUIRY'], keywords: FRAUD_KEYWORDS }, { departmentCode: 'RISK', level: 'L2', priority: 'URGENT' }),
  rule('default-premium-credit-complaint', 20, { kinds: ['COMPLAINT'], tiers: PREMIUM_TIERS, keywords: CREDIT_KEYWORDS }, { departmentCode: 'CREDIT', level: 'L2', priority: 'HIGH' }),
  rule('default-premium-complaint', 30, { kinds: ['COMPLAINT'], tiers: PREMIUM_TIERS }, { departmentCode: 'CUSTOMER_SERVICE', level: 'L2', priority: 'HIGH' }),
  rule('default-suggestion', 40, { kinds: ['SUGGESTION'] }, { departmentCode: 'PRODUCT', level: 'L1', priority: 'NORMAL' }),
  rule('default-credit', 50, { keywords: CREDIT_KEYWORDS }, { departmentCode: 'CREDIT', level: 'L1', priority: 'NORMAL' }),
  rule('default-praise', 60, { kinds: ['PRAISE'] }, { departmentCode: 'CUSTOMER_SERVICE', level: 'L1', priority: 'LOW' }),
  rule('default', 1000, {}, { departmentCode: 'CUSTOMER_SERVICE', level: 'L1', priority: 'NORMAL' }),
]);
