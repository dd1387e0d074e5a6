import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_ROUTING_RULES,
  FALLBACK_ROUTE,
  nextLevel,
  pickAssignee,
  routeFeedback,
  ruleMatches,
  type AssigneeCandidate,
  type RoutingInput,
  type RoutingRule,
} from './routing.ts';

const input = (over: Partial<RoutingInput>): RoutingInput => ({ kind: 'COMPLAINT', content: 'The queue at the branch was long', tierCode: 'STANDARD', channel: 'APP', ...over });
const route = (over: Partial<RoutingInput>) => {
  const r = routeFeedback(DEFAULT_ROUTING_RULES, input(over));
  return `${r.ruleId} ${r.departmentCode} ${r.level} ${r.priority}`;
};

describe('DEFAULT_ROUTING_RULES', () => {
  it.each([
    ['my card was 盗刷 last night', {}, 'default-fraud RISK L2 URGENT'],
    ['Possible FRAUD on my account', { kind: 'INQUIRY' }, 'default-fraud RISK L2 URGENT'],
    ['fraud on my 信用卡, VIP or not, fraud wins', { tierCode: 'VIP' }, 'default-fraud RISK L2 URGENT'],
    ['我的贷款审批太慢', { tierCode: 'PRIVATE_BANKING' }, 'default-premium-credit-complaint CREDIT L2 HIGH'],
    ['the branch was closed', { tierCode: 'VIP' }, 'default-premium-complaint CUSTOMER_SERVICE L2 HIGH'],
    ['Add dark mode to the Credit Card app', { kind: 'SUGGESTION' }, 'default-suggestion PRODUCT L1 NORMAL'],
    ['建议加强风险提示', { kind: 'SUGGESTION' }, 'default-suggestion PRODUCT L1 NORMAL'],
    ['My CREDIT CARD statement is wrong', {}, 'default-credit CREDIT L1 NORMAL'],
    ['信用卡额度怎么提高', { kind: 'INQUIRY' }, 'default-credit CREDIT L1 NORMAL'],
    ['mortgage question', { kind: 'INQUIRY', tierCode: 'VIP' }, 'default-credit CREDIT L1 NORMAL'],
    ['谢谢柜员的耐心', { kind: 'PRAISE', tierCode: 'VIP' }, 'default-praise CUSTOMER_SERVICE L1 LOW'],
    ['the queue at the branch was long', {}, 'default CUSTOMER_SERVICE L1 NORMAL'],
    ['opening hours?', { kind: 'INQUIRY', tierCode: null, channel: null }, 'default CUSTOMER_SERVICE L1 NORMAL'],
  ] as const)('%s → %s', (content, over, expected) => {
    expect(route({ content, ...over })).toBe(expected);
  });
});

describe('routeFeedback', () => {
  const action = { departmentCode: 'X', level: 'L1', priority: 'NORMAL' } as const;
  const r = (id: string, position: number, match: RoutingRule['match'], enabled = true): RoutingRule =>
    ({ id, position, enabled, match, action: { ...action, departmentCode: id } });

  it('takes the first enabled match by position, whatever the array order', () => {
    const rules = [r('late', 20, {}), r('disabled', 1, {}, false), r('early', 10, { channels: ['APP'] }), r('tie-b', 10, {}), r('tie-a', 10, {})];
    expect(routeFeedback(rules, input({})).ruleId).toBe('early');
    expect(routeFeedback(rules, input({ channel: 'WEB' })).ruleId).toBe('tie-a');
    expect(rules.map((x) => x.id)).toEqual(['late', 'disabled', 'early', 'tie-b', 'tie-a']); // not sorted in place
  });

  it('falls back when nothing matches', () => {
    expect(routeFeedback([], input({}))).toEqual(FALLBACK_ROUTE);
    expect(routeFeedback([r('x', 1, {}, false)], input({}))).toEqual({ ruleId: null, departmentCode: 'CUSTOMER_SERVICE', level: 'L1', priority: 'NORMAL' });
  });

  it('matches criteria with AND across fields and OR within one', () => {
    const m = { kinds: ['COMPLAINT', 'INQUIRY'], categories: ['ATM'], keywords: ['cash', '吞卡'], tiers: ['VIP'], channels: ['APP', 'WEB'] } as const;
    const ok = input({ category: ' atm ', content: 'ATM 吞卡 again', tierCode: 'VIP', channel: 'WEB' });
    expect(ruleMatches(m, ok)).toBe(true);
    expect(ruleMatches(m, { ...ok, kind: 'PRAISE' })).toBe(false);
    expect(ruleMatches(m, { ...ok, category: null })).toBe(false);
    expect(ruleMatches(m, { ...ok, content: 'no keyword here' })).toBe(false);
    expect(ruleMatches(m, { ...ok, tierCode: undefined })).toBe(false);
    expect(ruleMatches(m, { ...ok, channel: 'PHONE' })).toBe(false);
    expect(ruleMatches({ kinds: [], keywords: [] }, ok)).toBe(true); // empty lists set no criterion
    expect(ruleMatches({ keywords: ['vip'] }, input({ content: 'ＶＩＰ lounge' }))).toBe(true); // full-width
    expect(ruleMatches({ keywords: [' '] }, ok)).toBe(false); // a blank keyword matches nothing
  });

  it('the default rules end with a catch-all, so the fallback is never needed', () => {
    const kinds = fc.constantFrom('COMPLAINT', 'SUGGESTION', 'PRAISE', 'INQUIRY' as const);
    fc.assert(fc.property(kinds, fc.string(), fc.option(fc.string()), (kind, content, tierCode) => {
      expect(routeFeedback(DEFAULT_ROUTING_RULES, { kind, content, tierCode }).ruleId).not.toBeNull();
    }));
  });
});

describe('pickAssignee', () => {
  const c = (id: string, level: AssigneeCandidate['level'], openTickets: number, active = true): AssigneeCandidate => ({ id, level, openTickets, active });
  const staff = [c('b', 'L1', 2), c('a', 'L1', 2), c('c', 'L1', 1, false), c('d', 'L2', 0), c('e', 'L1', 5)];

  it('prefers the active account manager, whatever their level', () => {
    expect(pickAssignee(staff, 'L1', 'd')?.id).toBe('d');
    expect(pickAssignee(staff, 'L1', 'c')?.id).toBe('a'); // inactive manager
    expect(pickAssignee(staff, 'L1', 'nobody')?.id).toBe('a'); // not a candidate
  });

  it('else the least-loaded active candidate at the level, ties by id', () => {
    expect(pickAssignee(staff, 'L1')?.id).toBe('a');
    expect(pickAssignee(staff, 'L2', null)?.id).toBe('d');
    expect(pickAssignee(staff, 'L3')).toBeNull();
    expect(pickAssignee([], 'L1')).toBeNull();
  });

  it('does not depend on the order of the candidates', () => {
    const cand = fc.record({ id: fc.string({ maxLength: 3 }), level: fc.constantFrom('L1', 'L2', 'L3' as const), openTickets: fc.nat(5), active: fc.boolean() });
    fc.assert(fc.property(fc.uniqueArray(cand, { selector: (x) => x.id }), (list) => {
      const picked = pickAssignee(list, 'L1');
      expect(pickAssignee([...list].reverse(), 'L1')).toBe(picked);
      if (picked) {
        expect(picked.active && picked.level === 'L1').toBe(true);
        for (const o of list) if (o.active && o.level === 'L1') expect(o.openTickets).toBeGreaterThanOrEqual(picked.openTickets);
      }
    }));
  });
});

describe('nextLevel', () => {
  it('climbs L1 → L2 → L3 and stays at L3', () => {
    expect([nextLevel('L1'), nextLevel('L2'), nextLevel('L3')]).toEqual(['L2', 'L3', 'L3']);
  });
});
