/**
 * One composer for the contact in hand: it replies on the channel the
 * conversation is on now (chat, SMS or email), and sends a chat link or
 * books a callback through the desktop's own API.
 */
(() => {
  'use strict';

  const ns = (window.blDesktop = window.blDesktop || {});
  let target;

  function status(text) {
    ns.byId('compose-status').textContent = text;
  }

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(answer.message || `HTTP ${response.status}`);
    }
    return answer;
  }

  function replyUrl(channel, customerId, conversationId) {
    const c = encodeURIComponent(customerId);
    const v = encodeURIComponent(conversationId);
    if (channel === 'sms') {
      return `/api/customers/${c}/conversations/${v}/sms`;
    }
    if (channel === 'email') {
      return `/api/customers/${c}/conversations/${v}/email`;
    }
    return `/api/chats/${c}/${v}/messages`;
  }

  async function run(label, work) {
    status(`${label}…`);
    try {
      const outcome = await work();
      status(`${label}: ${typeof outcome === 'string' ? outcome : 'done'}`);
    } catch (err) {
      status(`${label}: ${err.message}`);
    }
  }

  ns.setConversation = (frame) => {
    const contact = frame.offer.contact;
    const card = frame.card;
    const conversations = card
      ? [...card.conversations.open, ...card.conversations.recent]
      : [];
    const conversation = conversations.find(
      (c) => c.id === contact.conversationId,
    );
    target =
      contact.customerId && conversation
        ? {
            customerId: contact.customerId,
            conversationId: conversation.id,
            channel: conversation.currentChannel,
          }
        : undefined;
    ns.byId('compose').hidden = target === undefined;
    if (target) {
      ns.byId('conversation-subject').textContent =
        `Conversation: ${conversation.subject}`;
      ns.byId('reply-channel').textContent = target.channel;
      ns.byId('reply-subject').hidden = target.channel !== 'email';
    }
  };

  ns.byId('send-reply').addEventListener('click', () => {
    const text = ns.byId('reply-text').value.trim();
    if (!target || !text) {
      return;
    }
    const body = { text };
    const subject = ns.byId('reply-subject').value.trim();
    if (target.channel === 'email' && subject) {
      body.subject = subject;
    }
    const url = replyUrl(
      target.channel,
      target.customerId,
      target.conversationId,
    );
    const channel = target.channel;
    void run('Reply', async () => {
      const sent = await post(url, body);
      ns.byId('reply-text').value = '';
      // Live frames carry the visitor's side; the agent's own goes here.
      if (channel === 'chat') {
        ns.addChatMessage(sent.message);
      }
    });
  });

  function desktopUrl(action) {
    const c = encodeURIComponent(target.customerId);
    const v = encodeURIComponent(target.conversationId);
    return `/api/desktop/conversations/${c}/${v}/${action}`;
  }

  ns.byId('send-link').addEventListener('click', () => {
    if (target) {
      void run('Chat link', () => post(desktopUrl('chat-link'), {}));
    }
  });
  ns.byId('schedule-callback').addEventListener('click', () => {
    if (target) {
      const requestId = newId();
      // The receipt says whether it was booked, and if not, why not.
      void run('Callback', async () => {
        const receipt = await post(desktopUrl('callback'), { requestId });
        return receipt.reason
          ? `${receipt.status} (${receipt.reason})`
          : receipt.status;
      });
    }
  });
})();
