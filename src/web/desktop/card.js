/**
 * The screen-pop card on the agent desktop: the customer, how we know
 * them, the IVR path of this call, their conversations and the timeline
 * across channels. Everything a customer typed is set as textContent,
 * never as markup, so a name like "<img onerror=...>" shows as text.
 */
(() => {
  'use strict';

  const ns = (window.blDesktop = window.blDesktop || {});

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function fill(parent, children) {
    parent.replaceChildren(...children);
  }

  const reasons = {
    'preferred-agent': 'You handled this customer before',
    'longest-idle': 'You have been waiting longest',
    'only-available': 'You are the only agent available',
  };

  function describeOffer(frame) {
    const contact = frame.offer.contact;
    byId('offer-kind').textContent = `${contact.kind}, queue ${contact.queue}`;
    byId('offer-reason').textContent =
      reasons[frame.reason] || String(frame.reason);
  }

  function who(entry, name) {
    if (entry.type === 'agent.note') {
      return entry.agentId;
    }
    if (entry.type === 'ivr.step') {
      return 'IVR';
    }
    if (entry.direction === 'outbound') {
      return entry.author || 'agent';
    }
    return entry.author || name;
  }

  function what(entry) {
    switch (entry.type) {
      case 'chat.message':
      case 'sms.message':
      case 'agent.note':
        return entry.text;
      case 'email.message':
        return entry.subject;
      case 'ivr.step':
        return entry.input ? `${entry.node}: ${entry.input}` : entry.node;
      case 'callback':
        return `callback ${entry.status}`;
      case 'call.started':
        return 'call started';
      case 'call.ended':
        return 'call ended';
      default:
        return entry.type;
    }
  }

  function timelineRow(entry, name) {
    const row = el('tr');
    const time = new Date(entry.at);
    row.append(
      el('td', entry.channel),
      el('td', Number.isNaN(time.getTime()) ? '' : time.toLocaleString()),
      el('td', entry.direction || ''),
      el('td', who(entry, name)),
      el('td', what(entry)),
    );
    return row;
  }

  // The customer's name as the card shows it, for rows added live.
  let shownName = 'Visitor';

  function renderCard(frame) {
    const card = frame.card;
    shownName = (card && card.customer.name) || 'Visitor';
    byId('card').hidden = false;
    byId('history').hidden = false;
    if (!card) {
      byId('customer-name').textContent = 'Unknown customer';
      byId('customer-facts').textContent = 'No history yet.';
      fill(byId('identities'), []);
      fill(byId('ivr-path'), []);
      fill(byId('conversations'), []);
      fill(byId('timeline'), []);
      return;
    }
    const customer = card.customer;
    const name = customer.name || 'Unnamed customer';
    byId('customer-name').textContent = name;
    byId('customer-facts').textContent = [
      customer.tier,
      customer.language,
      customer.preferredChannel,
    ]
      .filter(Boolean)
      .join(' · ');
    fill(
      byId('identities'),
      card.identities.map((identity) => {
        const item = el('li', `${identity.kind}: ${identity.value} `);
        item.append(
          identity.verified
            ? el('span', 'verified', 'verified')
            : el('span', 'unverified', 'unverified'),
        );
        return item;
      }),
    );
    fill(
      byId('ivr-path'),
      frame.ivrPath.map((step) =>
        el('li', step.input ? `${step.node}: ${step.input}` : step.node),
      ),
    );
    const conversations = [
      ...card.conversations.open,
      ...card.conversations.recent,
    ];
    fill(
      byId('conversations'),
      conversations.map((c) =>
        el('li', `${c.subject} (${c.status}, ${c.currentChannel})`),
      ),
    );
    fill(
      byId('timeline'),
      card.timeline.map((entry) => timelineRow(entry, name)),
    );
  }

  ns.el = el;
  ns.byId = byId;
  ns.showPop = (frame) => {
    describeOffer(frame);
    renderCard(frame);
  };
  // A chat message that arrived after the pop: newest first, as the card.
  ns.addChatMessage = (message) => {
    byId('timeline').prepend(
      timelineRow(
        {
          type: 'chat.message',
          channel: 'chat',
          direction: message.direction,
          // As the timeline stores a visitor's messages.
          author:
            message.author ||
            (message.direction === 'inbound' ? 'visitor' : undefined),
          text: message.text,
          at: message.at,
        },
        shownName,
      ),
    );
  };
})();
