// Script of the demo host pages. Everything a real host writes is in the snippets shown on the page;
// the /demo/* endpoints stand in for the host's backend (they exist outside production only).
import { configure } from '/sdk/closeloop.js';

const $ = (id) => document.getElementById(id);
const origin = location.origin;
const page = document.body.dataset.page;

async function post(path) {
  const res = await fetch(path, { method: 'POST' });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? res.statusText);
  return res.json();
}

function website() {
  $('snippet').textContent = `<script type="module" src="${origin}/sdk/closeloop.js"></script>

<cl-feedback-form channel-key="pk_web_demo" lang="zh-CN"></cl-feedback-form>
<cl-feedback-tracker channel-key="pk_web_demo" tracking-code="FB-…" access-key="…"></cl-feedback-tracker>

<script type="module">
  // Signed-in customers: your backend signs a short-lived token; the elements ask for it again when it expires.
  import { configure } from '${origin}/sdk/closeloop.js';
  configure({ channelKey: 'pk_web_demo', getToken: () => fetch('/my-backend/closeloop-token').then((r) => r.text()) });
  document.addEventListener('cl-submitted', (e) => console.log(e.detail.trackingCode));
</script>`;

  $('lang').onchange = (e) => {
    document.documentElement.lang = e.target.value;
    for (const el of document.querySelectorAll('cl-feedback-form, cl-feedback-tracker, cl-my-feedback')) el.setAttribute('lang', e.target.value);
  };

  const tracker = document.querySelector('cl-feedback-tracker');
  const follow = ({ trackingCode, accessKey }) => {
    tracker.setAttribute('tracking-code', trackingCode);
    if (accessKey) tracker.setAttribute('access-key', accessKey);
    else tracker.removeAttribute('access-key');
    $('tracking').hidden = false;
    $('graphiql-snippet').textContent = `query { trackFeedback(trackingCode: "${trackingCode}") { ticket { id status } } }

# then, with the variables {"id": "<ticket.id from the answer>"}:
mutation Move($id: ID!) {
  transitionTicket(input: { ticketId: $id, status: IN_PROGRESS, note: "我们正在处理。We are on it." }) {
    __typename ... on TicketPayload { ticket { status } }
  }
}`;
  };
  document.addEventListener('cl-submitted', (e) => follow(e.detail));
  document.addEventListener('cl-track', (e) => {
    follow(e.detail);
    $('tracking-title').scrollIntoView();
  });
  document.addEventListener('cl-select', (e) => follow(e.detail));

  $('signin').onclick = async () => {
    // Stand-in for the host backend endpoint that signs the customer token (HS256, channel secret).
    const getToken = () => post('/demo/customer-token?channel=pk_web_demo').then((r) => r.token);
    configure({ channelKey: 'pk_web_demo', getToken });
    $('signin').hidden = true;
    $('mine').hidden = false;
  };
}

function webview() {
  const channel = document.body.dataset.channel;
  $('backend-snippet').textContent = `// Your backend, when the signed-in customer opens feedback (Node 20):
const res = await fetch('${origin}/graphql', {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: \`Bearer \${customerToken}\`, 'x-closeloop-channel': '${channel}' },
  body: JSON.stringify({ query: 'mutation { createPortalTicket { ... on PortalTicketPayload { portalPath } } }' }),
});
const { portalPath } = (await res.json()).data.createPortalTicket;   // valid 60 s, once`;
  $('host-snippet').textContent =
    page === 'mini-program'
      ? `<!-- pages/feedback/feedback.wxml -->
<web-view src="{{url}}"></web-view>

// pages/feedback/feedback.js
Page({
  async onLoad() {
    const { portalPath } = await wx.cloud.callFunction({ name: 'closeloopTicket' }).then((r) => r.result);
    this.setData({ url: '${origin}' + portalPath + '&lang=zh-CN' });
  },
});`
      : `// iOS (WKWebView)
webView.load(URLRequest(url: URL(string: "${origin}" + portalPath)!))

// Android (WebView)
webView.loadUrl("${origin}" + portalPath)`;
  const open = async () => {
    const t = await post(`/demo/portal-ticket?channel=${channel}`);
    $('webview').src = `/portal?ticket=${encodeURIComponent(t.ticket)}&channel=${encodeURIComponent(t.channelKey)}`;
  };
  $('reload').onclick = open;
  open().catch((e) => ($('backend-snippet').textContent += `\n\n// Demo error: ${e.message}`));
}

if (page === 'website') website();
else if (page) webview();
