// The console's words in zh-CN, zh-TW and en. Enum values (statuses, kinds, …) are translated here too.
export type Locale = 'zh-CN' | 'zh-TW' | 'en';
export const LOCALES: Locale[] = ['zh-CN', 'zh-TW', 'en'];
const KEY = 'closeloop.console.locale';

const en = {
  appName: 'Closeloop console', signIn: 'Sign in', signOut: 'Sign out', email: 'E-mail', password: 'Password',
  wrongPassword: 'Wrong e-mail or password', sessionExpired: 'Your session has ended. Please sign in again.',
  changePassword: 'Change password', currentPassword: 'Current password', newPassword: 'New password', save: 'Save', cancel: 'Cancel',
  mustChangePassword: 'Choose a new password before you continue.', passwordChanged: 'Password changed.',
  queue: 'Queue', audit: 'Audit trail', admin: 'Administration', language: 'Language', search: 'Search',
  searchHint: 'Tracking code, customer name, phone, e-mail or text', filters: 'Filters', status: 'Status', kind: 'Kind', channel: 'Channel',
  tier: 'Tier', department: 'Department', assignee: 'Assignee', anyone: 'Anyone', me: 'Me', unassigned: 'Unassigned',
  breachedOnly: 'Breached only', sort: 'Sort', dueSoonest: 'Due soonest', newest: 'Newest first', oldest: 'Oldest first',
  views: 'Saved views', saveView: 'Save as view', viewName: 'View name', allOpen: 'All open', noTickets: 'No tickets match.',
  loading: 'Loading…', live: 'Live', reconnecting: 'Reconnecting…', assignToMe: 'Assign to me', open: 'Open',
  due: 'Due', overdue: 'overdue', paused: 'paused', noSla: 'no SLA', customer: 'Customer', accountManager: 'Account manager',
  history: 'Their feedback', timeline: 'Timeline', public: 'Public', internal: 'Internal', customerMessage: 'Customer',
  reply: 'Public reply', note: 'Internal note', send: 'Send', template: 'Template', noTemplate: 'Insert a template…',
  moveTo: 'Move to', escalate: 'Escalate', reason: 'Reason', priority: 'Priority', level: 'Level', merge: 'Merge tickets',
  mergeHint: 'Tracking codes of the tickets to merge into this one', unlink: 'Unlink', collaborators: 'Collaborators',
  addCollaborator: 'Consult a department', remove: 'Remove', sla: 'SLA', firstResponse: 'First response', resolution: 'Resolution',
  reclassify: 'Category and tags', category: 'Category', tags: 'Tags (comma-separated)', back: 'Back to queue',
  readOnly: 'Read-only: you can see this ticket but not change it.', verifyChain: 'Verify hash chain', chainIntact: 'Chain intact',
  chainBroken: 'Chain broken at', records: 'records', action: 'Action', actor: 'Actor', target: 'Target', at: 'At', older: 'Older',
  staff: 'Staff', departments: 'Departments', tiers: 'Tiers', calendars: 'Calendars', slaPolicies: 'SLA policies',
  routingRules: 'Routing rules', replyTemplates: 'Reply templates', name: 'Name', role: 'Role', active: 'Active', body: 'Text',
  locale: 'Locale', create: 'Create', delete: 'Delete', testRule: 'Test against a sample', sampleContent: 'Sample feedback text',
  matchesRule: 'First matching rule', saved: 'Saved.', error: 'Something went wrong', shortcuts: 'Keyboard: j/k move, Enter opens, a assigns to me, x marks for a bulk action, / searches', bulk: 'Bulk actions', marked: 'marked',
  channels: 'Channels', apiKeys: 'API keys', deactivate: 'Deactivate', rotateSecret: 'Rotate secret', disable: 'Disable', enable: 'Enable', revoke: 'Revoke',
  shownOnce: 'Shown once, copy it now', oneTimePassword: 'one-time password', overlapUntil: 'old secret valid until', key: 'Key', secret: 'Signing secret', lastUsed: 'Last used', revoked: 'Revoked', scopes: 'Scopes',
  received: 'Received', tracking: 'Tracking code', content: 'Content', ticketsLoaded: 'tickets',
  edit: 'Edit', moveUp: 'Move up', moveDown: 'Move down', enabled: 'Enabled', resetPassword: 'Reset password', revokeSessions: 'Sign out everywhere',
  sessionsRevoked: 'Sessions revoked.', displayName: 'Display name (shown to customers)', code: 'Code', rank: 'Rank', dedicatedManager: 'Dedicated account manager',
  timeZone: 'Time zone', holidays: 'Public holidays', workingDays: 'Make-up working days', isDefault: 'Default', datesHint: 'Dates as YYYY-MM-DD, separated by spaces or new lines',
  calendar: 'Calendar', defaultCalendar: 'Default calendar', keywords: 'Keywords (comma-separated)', categories: 'Categories (comma-separated)', kinds: 'Kinds',
  channelsMatch: 'Channels', tiersMatch: 'Tiers', anyValue: 'any', newRule: 'New rule', editRule: 'Edit rule', saveRule: 'Save rule',
  draftMatches: 'This draft matches the sample', draftNoMatch: 'This draft does not match the sample', minutes: 'business minutes', position: 'Order',
  slaState: 'SLA state', anyState: 'Any state', allowedOrigins: 'Allowed origins', originsHint: 'host pages allowed to call the API, e.g. https://www.bank.example, one per line', publicKey: 'Public key for customer tokens (JWK)', publicKeySet: 'a key is registered; paste another to replace it', publicKeyHint: 'none; paste an EC P-256 or Ed25519 public JWK', removePublicKey: 'Remove the public key', hasSecret: 'signing secret set', noSecret: 'no signing secret', expiresAt: 'Expires', optional: 'optional', disabled: 'Disabled', setTier: 'Set tier', setManager: 'Set account manager', noManager: 'None', weeklyHours: 'Working hours', makeupHours: 'Hours on make-up working days', hoursHint: 'Times as 09:00-12:00, separated by commas; empty for a day off', badHours: 'Working hours must be written as 09:00-12:00, 13:00-18:00', weekday1: 'Monday', weekday2: 'Tuesday', weekday3: 'Wednesday', weekday4: 'Thursday', weekday5: 'Friday', weekday6: 'Saturday', weekday7: 'Sunday', setPolicy: 'Set policy', firstMatchWins: 'Rules are tried in order; the first match wins.',
  testFirst: 'Test the draft against a sample before saving it.', adminOnly: 'Only administrators can change this.', match: 'Matches',
  SUBMITTED: 'Submitted', ACKNOWLEDGED: 'Acknowledged', IN_PROGRESS: 'In progress', AWAITING_CUSTOMER: 'Awaiting customer', RESOLVED: 'Resolved', CLOSED: 'Closed',
  COMPLAINT: 'Complaint', SUGGESTION: 'Suggestion', PRAISE: 'Praise', INQUIRY: 'Inquiry',
  LOW: 'Low', NORMAL: 'Normal', HIGH: 'High', URGENT: 'Urgent',
  ON_TRACK: 'On track', AT_RISK: 'At risk', BREACHED: 'Breached', MET: 'Met', PAUSED: 'Paused',
};
type Dict = typeof en;

const zhCN: Dict = {
  appName: 'Closeloop 工作台', signIn: '登录', signOut: '退出', email: '邮箱', password: '密码',
  wrongPassword: '邮箱或密码错误', sessionExpired: '登录已失效，请重新登录。',
  changePassword: '修改密码', currentPassword: '当前密码', newPassword: '新密码', save: '保存', cancel: '取消',
  mustChangePassword: '首次登录请先设置新密码。', passwordChanged: '密码已修改。',
  queue: '工单队列', audit: '审计日志', admin: '系统管理', language: '语言', search: '搜索',
  searchHint: '受理编号、客户姓名、电话、邮箱或内容', filters: '筛选', status: '状态', kind: '类型', channel: '渠道',
  tier: '客户等级', department: '部门', assignee: '处理人', anyone: '全部', me: '我', unassigned: '未分配',
  breachedOnly: '仅超时', sort: '排序', dueSoonest: '最先到期', newest: '最新', oldest: '最早',
  views: '我的视图', saveView: '保存为视图', viewName: '视图名称', allOpen: '全部未结', noTickets: '没有符合条件的工单。',
  loading: '加载中…', live: '实时', reconnecting: '重新连接中…', assignToMe: '分配给我', open: '打开',
  due: '到期', overdue: '已超时', paused: '已暂停', noSla: '无时限', customer: '客户', accountManager: '客户经理',
  history: '历史反馈', timeline: '处理记录', public: '公开', internal: '内部', customerMessage: '客户',
  reply: '公开回复', note: '内部备注', send: '发送', template: '模板', noTemplate: '插入模板…',
  moveTo: '变更状态', escalate: '升级', reason: '原因', priority: '优先级', level: '级别', merge: '合并工单',
  mergeHint: '要并入本工单的受理编号', unlink: '拆分', collaborators: '协办',
  addCollaborator: '邀请部门协办', remove: '移除', sla: '时限', firstResponse: '首次响应', resolution: '办结',
  reclassify: '分类与标签', category: '分类', tags: '标签（逗号分隔）', back: '返回队列',
  readOnly: '只读：您可以查看此工单，但不能修改。', verifyChain: '校验哈希链', chainIntact: '哈希链完整',
  chainBroken: '哈希链断裂于', records: '条记录', action: '操作', actor: '操作人', target: '对象', at: '时间', older: '更早',
  staff: '员工', departments: '部门', tiers: '客户等级', calendars: '工作日历', slaPolicies: '时限策略',
  routingRules: '分派规则', replyTemplates: '回复模板', name: '名称', role: '角色', active: '启用', body: '内容',
  locale: '语言', create: '新建', delete: '删除', testRule: '用示例测试', sampleContent: '示例反馈内容',
  matchesRule: '首个匹配规则', saved: '已保存。', error: '出错了', shortcuts: '快捷键：j/k 移动，Enter 打开，a 分配给我，x 批量选择，/ 搜索', bulk: '批量操作', marked: '已选',
  channels: '渠道', apiKeys: 'API 密钥', deactivate: '停用', rotateSecret: '轮换密钥', disable: '停用', enable: '启用', revoke: '吊销',
  shownOnce: '仅显示一次，请立即复制', oneTimePassword: '一次性密码', overlapUntil: '旧密钥有效至', key: '密钥', secret: '签名密钥', lastUsed: '最近使用', revoked: '已吊销', scopes: '权限范围',
  received: '受理时间', tracking: '受理编号', content: '内容', ticketsLoaded: '个工单',
  edit: '编辑', moveUp: '上移', moveDown: '下移', enabled: '启用', resetPassword: '重置密码', revokeSessions: '强制下线',
  sessionsRevoked: '已强制下线。', displayName: '对客户显示的名称', code: '代码', rank: '等级序号', dedicatedManager: '配备专属客户经理',
  timeZone: '时区', holidays: '法定节假日', workingDays: '调休上班日', isDefault: '默认', datesHint: '日期格式 YYYY-MM-DD，以空格或换行分隔',
  calendar: '工作日历', defaultCalendar: '默认日历', keywords: '关键词（逗号分隔）', categories: '分类（逗号分隔）', kinds: '类型',
  channelsMatch: '渠道', tiersMatch: '客户等级', anyValue: '不限', newRule: '新建规则', editRule: '编辑规则', saveRule: '保存规则',
  draftMatches: '该草稿规则匹配示例', draftNoMatch: '该草稿规则不匹配示例', minutes: '工作分钟', position: '顺序',
  slaState: '时限状态', anyState: '全部状态', allowedOrigins: '允许的来源', originsHint: '可调用接口的宿主页面，例如 https://www.bank.example，每行一个', publicKey: '客户令牌公钥（JWK）', publicKeySet: '已登记公钥；粘贴新公钥即可替换', publicKeyHint: '未登记；请粘贴 EC P-256 或 Ed25519 公钥 JWK', removePublicKey: '移除公钥', hasSecret: '已设置签名密钥', noSecret: '无签名密钥', expiresAt: '到期时间', optional: '可选', disabled: '已停用', setTier: '设置等级', setManager: '设置客户经理', noManager: '无', weeklyHours: '工作时间', makeupHours: '调休上班日的工作时间', hoursHint: '时间格式 09:00-12:00，以逗号分隔；留空表示休息', badHours: '工作时间须写作 09:00-12:00, 13:00-18:00', weekday1: '星期一', weekday2: '星期二', weekday3: '星期三', weekday4: '星期四', weekday5: '星期五', weekday6: '星期六', weekday7: '星期日', setPolicy: '设置策略', firstMatchWins: '规则按顺序匹配，首个匹配的规则生效。',
  testFirst: '保存前请先用示例测试草稿规则。', adminOnly: '仅管理员可修改。', match: '匹配条件',
  SUBMITTED: '已提交', ACKNOWLEDGED: '已受理', IN_PROGRESS: '处理中', AWAITING_CUSTOMER: '待客户回复', RESOLVED: '已办结', CLOSED: '已关闭',
  COMPLAINT: '投诉', SUGGESTION: '建议', PRAISE: '表扬', INQUIRY: '咨询',
  LOW: '低', NORMAL: '普通', HIGH: '高', URGENT: '紧急',
  ON_TRACK: '正常', AT_RISK: '临期', BREACHED: '超时', MET: '已达成', PAUSED: '暂停',
};

const zhTW: Dict = {
  ...zhCN,
  appName: 'Closeloop 工作台', signOut: '登出', email: '電子郵件', password: '密碼', wrongPassword: '電子郵件或密碼錯誤',
  sessionExpired: '登入已失效，請重新登入。', signIn: '登入', changePassword: '變更密碼', currentPassword: '目前密碼', newPassword: '新密碼',
  save: '儲存', mustChangePassword: '首次登入請先設定新密碼。', passwordChanged: '密碼已變更。',
  queue: '工單佇列', audit: '稽核紀錄', admin: '系統管理', language: '語言', search: '搜尋',
  searchHint: '受理編號、客戶姓名、電話、電子郵件或內容', filters: '篩選', status: '狀態', kind: '類型', channel: '通路',
  tier: '客戶等級', department: '部門', assignee: '處理人', unassigned: '未分派', breachedOnly: '僅逾時', sort: '排序',
  dueSoonest: '最先到期', views: '我的檢視', saveView: '儲存為檢視', viewName: '檢視名稱', allOpen: '全部未結', noTickets: '沒有符合條件的工單。',
  loading: '載入中…', live: '即時', reconnecting: '重新連線中…', assignToMe: '分派給我', open: '開啟',
  due: '到期', overdue: '已逾時', paused: '已暫停', noSla: '無時限', customer: '客戶', accountManager: '客戶經理',
  history: '歷史意見', timeline: '處理紀錄', public: '公開', internal: '內部', customerMessage: '客戶',
  reply: '公開回覆', note: '內部備註', send: '送出', template: '範本', noTemplate: '插入範本…',
  moveTo: '變更狀態', escalate: '升級', reason: '原因', priority: '優先順序', level: '級別', merge: '合併工單',
  mergeHint: '要併入本工單的受理編號', unlink: '拆分', collaborators: '協辦', addCollaborator: '邀請部門協辦', remove: '移除',
  sla: '時限', firstResponse: '首次回應', resolution: '辦結', reclassify: '分類與標籤', category: '分類', tags: '標籤（逗號分隔）',
  back: '返回佇列', readOnly: '唯讀：您可以檢視此工單，但不能修改。', verifyChain: '驗證雜湊鏈', chainIntact: '雜湊鏈完整',
  chainBroken: '雜湊鏈斷裂於', records: '筆紀錄', action: '操作', actor: '操作人', target: '對象', at: '時間', older: '更早',
  staff: '員工', departments: '部門', tiers: '客戶等級', calendars: '工作日曆', slaPolicies: '時限政策', routingRules: '分派規則',
  replyTemplates: '回覆範本', name: '名稱', role: '角色', active: '啟用', body: '內容', locale: '語言', create: '新增', delete: '刪除',
  testRule: '以範例測試', sampleContent: '範例意見內容', matchesRule: '第一個符合的規則', saved: '已儲存。', error: '發生錯誤',
  shortcuts: '快速鍵：j/k 移動，Enter 開啟，a 分派給我，x 批次選取，/ 搜尋', bulk: '批次操作', marked: '已選',
  channels: '通路', apiKeys: 'API 金鑰', deactivate: '停用', rotateSecret: '輪換金鑰', disable: '停用', enable: '啟用', revoke: '撤銷',
  shownOnce: '僅顯示一次，請立即複製', oneTimePassword: '一次性密碼', overlapUntil: '舊金鑰有效至', key: '金鑰', secret: '簽章金鑰', lastUsed: '最近使用', revoked: '已撤銷', scopes: '權限範圍',
  received: '受理時間', tracking: '受理編號', content: '內容', ticketsLoaded: '個工單',
  edit: '編輯', moveUp: '上移', moveDown: '下移', enabled: '啟用', resetPassword: '重設密碼', revokeSessions: '強制登出',
  sessionsRevoked: '已強制登出。', displayName: '對客戶顯示的名稱', code: '代碼', rank: '等級序號', dedicatedManager: '配置專屬客戶經理',
  timeZone: '時區', holidays: '國定假日', workingDays: '補班日', isDefault: '預設', datesHint: '日期格式 YYYY-MM-DD，以空格或換行分隔',
  calendar: '工作日曆', defaultCalendar: '預設日曆', keywords: '關鍵字（逗號分隔）', categories: '分類（逗號分隔）', kinds: '類型',
  channelsMatch: '通路', tiersMatch: '客戶等級', anyValue: '不限', newRule: '新增規則', editRule: '編輯規則', saveRule: '儲存規則',
  draftMatches: '此草稿規則符合範例', draftNoMatch: '此草稿規則不符合範例', minutes: '工作分鐘', position: '順序',
  slaState: '時限狀態', anyState: '全部狀態', allowedOrigins: '允許的來源', originsHint: '可呼叫介面的宿主頁面，例如 https://www.bank.example，每行一個', publicKey: '客戶權杖公鑰（JWK）', publicKeySet: '已登記公鑰；貼上新公鑰即可替換', publicKeyHint: '未登記；請貼上 EC P-256 或 Ed25519 公鑰 JWK', removePublicKey: '移除公鑰', hasSecret: '已設定簽章金鑰', noSecret: '無簽章金鑰', expiresAt: '到期時間', optional: '選填', disabled: '已停用', setTier: '設定等級', setManager: '設定客戶經理', noManager: '無', weeklyHours: '工作時間', makeupHours: '補班日的工作時間', hoursHint: '時間格式 09:00-12:00，以逗號分隔；留空表示休息', badHours: '工作時間須寫作 09:00-12:00, 13:00-18:00', weekday1: '星期一', weekday2: '星期二', weekday3: '星期三', weekday4: '星期四', weekday5: '星期五', weekday6: '星期六', weekday7: '星期日', setPolicy: '設定政策', firstMatchWins: '規則依序比對，第一個符合的規則生效。',
  testFirst: '儲存前請先以範例測試草稿規則。', adminOnly: '僅管理員可修改。', match: '比對條件',
  SUBMITTED: '已提交', ACKNOWLEDGED: '已受理', IN_PROGRESS: '處理中', AWAITING_CUSTOMER: '待客戶回覆', RESOLVED: '已辦結', CLOSED: '已關閉',
  COMPLAINT: '投訴', SUGGESTION: '建議', PRAISE: '表揚', INQUIRY: '諮詢', LOW: '低', NORMAL: '普通', HIGH: '高', URGENT: '緊急',
  ON_TRACK: '正常', AT_RISK: '臨期', BREACHED: '逾時', MET: '已達成', PAUSED: '暫停',
};

const DICTS: Record<Locale, Dict> = { en, 'zh-CN': zhCN, 'zh-TW': zhTW };

function initial(): Locale {
  const saved = localStorage.getItem(KEY);
  if (saved && (LOCALES as string[]).includes(saved)) return saved as Locale;
  const nav = navigator.language;
  if (/^zh-(TW|HK|MO|Hant)/i.test(nav)) return 'zh-TW';
  return nav.startsWith('zh') ? 'zh-CN' : 'en';
}

let current: Locale = initial();
document.documentElement.lang = current;

export const locale = () => current;
export function setLocale(l: Locale): void {
  current = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
  window.dispatchEvent(new CustomEvent('cl-locale'));
}

/** The word for `key` (an enum value falls back to itself). */
export function t(key: keyof Dict | string): string {
  return (DICTS[current] as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(current, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

/** "2h 05m" left or "overdue 1h 10m": what SLA countdowns show. */
export function countdown(dueIso: string | null | undefined, now: number): { text: string; overdue: boolean } {
  if (!dueIso) return { text: t('noSla'), overdue: false };
  const ms = Date.parse(dueIso) - now;
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const span = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
  return ms < 0 ? { text: `${t('overdue')} ${span}`, overdue: true } : { text: span, overdue: false };
}
