// Loads <cl-message-box> and <cl-case-actions> (conversation/conversation.ts) the first time a tracker
// shows feedback the customer can still write to, withdraw or have reviewed. In /sdk/closeloop.js that
// module is a file of its own (scripts/build.ts); it gets Lit and the shared base from here.
import { css, html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { codePointLength, LIMITS } from '@closeloop/domain/validation';
import { ClElement } from './base.ts';
import { base } from './styles.ts';

let loading: Promise<void> | undefined;

export function loadConversation(): Promise<void> {
  loading ??= import('../conversation/conversation.ts').then(
    (m) => m.define({ ClElement, html, css, nothing, msg, str, base, codePointLength, messageMax: LIMITS.messageMax, reasonMax: LIMITS.reasonMax }),
    (e) => {
      loading = undefined; // tried again by the next tracker
      throw e;
    },
  );
  return loading;
}
