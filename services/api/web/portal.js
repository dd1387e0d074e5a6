// The hosted portal (/portal) for app web-views and mini-program <web-view>s. It needs nothing from
// the host after load: identity arrives in the URL as a single-use ticket (?ticket=…, exchanged once
// and removed from the address bar), as a token in the fragment (#token=…, never sent to a server),
// or by postMessage from a parent page named in ?origin=. Without any, it works anonymously.
import { configure, createCloseloop, localeOf, setLocale } from '/sdk/closeloop.js';

const TEXT = {
  'zh-CN': { title: '意见反馈', mine: '我的反馈', new: '我要反馈', lookup: '查询进度', code: '跟踪编号', key: '查询密钥', go: '查询', back: '← 返回', expired: '登录链接已失效，请返回后重新进入。', nochannel: '页面地址缺少 channel 参数。' },
  'zh-TW': { title: '意見回饋', mine: '我的意見', new: '我要回饋', lookup: '查詢進度', code: '追蹤編號', key: '查詢密鑰', go: '查詢', back: '← 返回', expired: '登入連結已失效，請返回後重新進入。', nochannel: '頁面網址缺少 channel 參數。' },
  en: { title: 'Feedback', mine: 'My feedback', new: 'New feedback', lookup: 'Track progress', code: 'Tracking code', key: 'Access key', go: 'Track', back: '← Back', expired: 'This sign-in link has expired. Please go back and open it again.', nochannel: 'The page address lacks the channel parameter.' },
};

const $ = (id) => document.getElementById(id);
const url = new URL(location.href);
const query = url.searchParams;
const fragment = new URLSearchParams(location.hash.slice(1));
// zh-CN unless the host asks for another (?lang=zh-TW or en): the host knows its user's language.
const locale = localeOf(query.get('lang'));
document.documentElement.lang = locale;
setLocale(locale);
const t = TEXT[locale];

const channelKey = query.get('channel') ?? fragment.get('channel');
const ticket = query.get('ticket');
let token = fragment.get('token');
const trackCode = query.get('code');
const trackKey = fragment.get('key');
const parentOrigin = query.get('origin');
const endpoint = new URL('/graphql', location.href).href;
// Inside a mini-program web-view (?wx=1, with CLOSELOOP_PORTAL_SCRIPT_SRC allowing res.wx.qq.com) the page
// can answer its host through the WeChat JS-SDK; it never waits for it. ?wx_done=/pages/x/y names the
// mini-program page to open after a submission.
const inMiniProgram = query.get('wx') === '1';
const doneRoute = query.get('wx_done');
if (inMiniProgram) {
  const sdk = document.createElement('script');
  sdk.src = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js';
  document.head.append(sdk);
}

// Credentials leave the address bar (history, screenshots, share sheets) before anything else runs.
if (ticket || token || trackKey) {
  query.delete('ticket');
  history.replaceState(null, '', url.pathname + (query.size ? `?${query}` : ''));
}

function show(...ids) {
  for (const id of ['mine', 'new', 'lookup', 'track']) $(id).hidden = !ids.includes(id);
}

function fail(text) {
  $('message').textContent = text;
  $('message').hidden = false;
}

function label() {
  document.title = t.title;
  $('title').textContent = t.title;
  $('tab-mine').textContent = t.mine;
  $('tab-new').textContent = t.new;
  $('lookup-title').textContent = t.lookup;
  document.querySelector('label[for=lookup-code]').textContent = t.code;
  document.querySelector('label[for=lookup-key]').textContent = t.key;
  document.querySelector('#lookup-form button').textContent = t.go;
  $('back').textContent = t.back;
}

/** `focus`: only when the customer chose to track (a link in the address opens the page without moving focus). */
function track(code, key, focus = true) {
  const tracker = document.querySelector('cl-feedback-tracker');
  tracker.setAttribute('tracking-code', code);
  if (key) tracker.setAttribute('access-key', key);
  else tracker.removeAttribute('access-key');
  show('track');
  if (focus) $('back').focus();
}

function signedIn() {
  $('tabs').hidden = false;
  const tab = (which) => {
    $('tab-mine').setAttribute('aria-pressed', String(which === 'mine'));
    $('tab-new').setAttribute('aria-pressed', String(which === 'new'));
    show(which);
  };
  $('tab-mine').onclick = () => tab('mine');
  $('tab-new').onclick = () => tab('new');
  $('back').onclick = () => tab('mine');
  tab(trackCode ? 'track' : 'mine');
}

function anonymous() {
  show('new', 'lookup');
  $('back').onclick = () => show('new', 'lookup');
  $('lookup-form').onsubmit = (e) => {
    e.preventDefault();
    track($('lookup-code').value.trim(), $('lookup-key').value.trim());
  };
}

async function start() {
  label();
  if (!channelKey) return fail(t.nochannel);
  if (ticket) {
    const r = await createCloseloop({ url: endpoint, channelKey }).exchangePortalTicket(ticket).catch(() => null);
    if (r?.__typename === 'PortalSessionPayload') token = r.token;
    else fail(t.expired);
  }
  configure(token ? { url: endpoint, channelKey, getToken: () => token } : { url: endpoint, channelKey });
  document.addEventListener('cl-track', (e) => track(e.detail.trackingCode, e.detail.accessKey));
  document.addEventListener('cl-select', (e) => track(e.detail.trackingCode)); // from the signed-in list
  document.addEventListener('cl-submitted', (e) => {
    const mp = globalThis.wx?.miniProgram;
    if (!mp) return;
    // postMessage is delivered to the mini-program on back or share; navigateTo hands over at once.
    mp.postMessage?.({ data: { type: 'closeloop:submitted', trackingCode: e.detail.trackingCode } });
    if (doneRoute?.startsWith('/')) mp.navigateTo?.({ url: `${doneRoute}?trackingCode=${encodeURIComponent(e.detail.trackingCode)}` });
  });
  if (token) signedIn();
  else anonymous();
  if (trackCode) track(trackCode, trackKey, false);
}

// A parent page (an app shell in an iframe) may hand over a token instead of a ticket.
if (parentOrigin && window.parent !== window) {
  addEventListener('message', (e) => {
    if (e.origin !== parentOrigin || e.source !== window.parent || e.data?.type !== 'closeloop:token' || typeof e.data.token !== 'string') return;
    token = e.data.token;
    configure({ url: endpoint, channelKey, getToken: () => token });
    signedIn();
  });
  window.parent.postMessage({ type: 'closeloop:ready' }, parentOrigin);
}

start();
