/**
 * The agent desktop: signs in, keeps the desktop WebSocket open, shows
 * each offer with its screen-pop and sends the agent's answers. The
 * protocol is in src/agents/desktop/protocol.ts.
 */
(() => {
  'use strict';

  const ns = window.blDesktop;
  const byId = ns.byId;
  const socketUrl = `${location.origin.replace(/^http/, 'ws')}/api/desktop/ws`;
  let socket;
  let offer;
  let contact;
  let retryMs = 500;
  let phoneStarted = false;

  function connection(text) {
    byId('connection').textContent = text;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
    }
  }

  function showSignIn(message) {
    byId('desk').hidden = true;
    byId('signin').hidden = false;
    byId('signin-error').textContent = message || '';
  }

  function onHello(agent) {
    retryMs = 500;
    byId('signin').hidden = true;
    byId('desk').hidden = false;
    byId('agent-name').textContent = `${agent.displayName} (${agent.role})`;
    byId('state').disabled = false;
    connection('Connected');
    if (!phoneStarted) {
      phoneStarted = true;
      void ns.startPhone(agent);
    }
  }

  function onPop(frame) {
    offer = frame.offer;
    contact = frame.offer.contact;
    byId('offer').hidden = false;
    byId('accept').hidden = false;
    byId('decline').hidden = false;
    byId('accept').disabled = false;
    byId('decline').disabled = false;
    ns.showPop(frame);
    ns.setConversation(frame);
  }

  function onGone(frame) {
    if (!offer || offer.offerId !== frame.offerId) {
      return;
    }
    offer = undefined;
    // Accepted (in this tab, another, or over the API): the contact stays
    // on screen, with its conversation, until the agent finishes it.
    if (frame.why === 'accepted' && contact) {
      byId('accept').hidden = true;
      byId('decline').hidden = true;
      byId('offer-reason').textContent = 'Accepted: you have this contact';
      byId('wrap').hidden = false;
      return;
    }
    contact = undefined;
    byId('offer').hidden = true;
  }

  const handlers = {
    hello: (frame) => onHello(frame.agent),
    'screen-pop': onPop,
    'offer-gone': onGone,
    state: (frame) => {
      byId('state').value = frame.state;
    },
    'queue-stats': (frame) => ns.showQueueStats(frame.stats),
    message: (frame) => {
      if (contact && contact.id === frame.contactId) {
        ns.addChatMessage(frame.message);
      }
    },
    ack: () => undefined,
    error: (frame) => connection(`Refused: ${frame.message}`),
  };

  function connect() {
    let greeted = false;
    socket = new WebSocket(socketUrl);
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      greeted = greeted || frame.type === 'hello';
      const handle = handlers[frame.type];
      if (handle) {
        handle(frame);
      }
    });
    socket.addEventListener('close', () => {
      byId('state').disabled = true;
      // Never greeted: the upgrade was refused, so there is no session.
      if (!greeted) {
        connection('Not connected');
        showSignIn();
        return;
      }
      connection('Reconnecting…');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    });
  }

  byId('signin').addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const response = await fetch('/api/auth/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: byId('username').value,
          password: byId('password').value,
        }),
      });
      if (!response.ok) {
        const answer = await response.json().catch(() => ({}));
        showSignIn(answer.message || 'Sign-in failed.');
        return;
      }
      connect();
    })();
  });

  byId('state').addEventListener('change', () => {
    send({ type: 'state', state: byId('state').value });
  });
  byId('accept').addEventListener('click', () => {
    if (offer) {
      send({ type: 'accept', offerId: offer.offerId });
      byId('accept').disabled = true;
      byId('decline').disabled = true;
      byId('wrap').hidden = false;
      connection('On contact');
    }
  });
  byId('decline').addEventListener('click', () => {
    if (offer) {
      send({ type: 'decline', offerId: offer.offerId });
      offer = undefined;
      byId('offer').hidden = true;
    }
  });
  byId('finish').addEventListener('click', () => {
    if (!contact) {
      return;
    }
    const note = byId('note').value.trim();
    send({
      type: 'finish',
      contactId: contact.id,
      ...(note ? { note } : {}),
    });
    byId('note').value = '';
    byId('wrap').hidden = true;
    byId('offer').hidden = true;
    connection('Connected');
    contact = undefined;
    offer = undefined;
  });

  connect();
})();
