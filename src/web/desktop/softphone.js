/**
 * The desktop's softphone: a JsSIP user agent registering over SIP on
 * WebSocket (RFC 7118) to the SIP server in bridgeline's config, as the
 * signed-in agent. Answer, hang up, mute, hold and DTMF (sent as SIP INFO
 * or RFC 4733 events, as JsSIP chooses). Without a SIP WebSocket in the
 * config, or without the JsSIP bundle, the page says "softphone offline"
 * and everything else works.
 */
(() => {
  'use strict';

  const ns = (window.blDesktop = window.blDesktop || {});
  const buttons = ['answer', 'hangup', 'mute', 'hold'];
  let session;
  let ua;
  let muted = false;
  let held = false;

  function say(text) {
    ns.byId('phone-status').textContent = text;
  }

  function enable(names) {
    for (const name of buttons) {
      ns.byId(name).disabled = !names.includes(name);
    }
  }

  function track(incoming) {
    session = incoming;
    muted = false;
    held = false;
    say('ringing');
    enable(['answer', 'hangup']);
    session.on('confirmed', () => {
      say('on call');
      enable(['hangup', 'mute', 'hold']);
    });
    session.on('peerconnection', (event) => {
      event.peerconnection.addEventListener('track', (e) => {
        ns.byId('remote-audio').srcObject = e.streams[0];
      });
    });
    const ended = () => {
      session = undefined;
      say('registered');
      enable([]);
    };
    session.on('ended', ended);
    session.on('failed', ended);
  }

  function keypad() {
    const pad = ns.byId('keypad');
    for (const key of '123456789*0#') {
      const button = ns.el('button', key);
      button.type = 'button';
      button.addEventListener('click', () => {
        if (session && session.isEstablished()) {
          session.sendDTMF(key);
        }
      });
      pad.append(button);
    }
  }

  ns.byId('answer').addEventListener('click', () => {
    session?.answer({ mediaConstraints: { audio: true, video: false } });
  });
  ns.byId('hangup').addEventListener('click', () => {
    session?.terminate();
  });
  ns.byId('mute').addEventListener('click', () => {
    if (!session) {
      return;
    }
    if (muted) {
      session.unmute({ audio: true });
    } else {
      session.mute({ audio: true });
    }
    muted = !muted;
    ns.byId('mute').textContent = muted ? 'Unmute' : 'Mute';
  });
  ns.byId('hold').addEventListener('click', () => {
    if (!session) {
      return;
    }
    if (held) {
      session.unhold();
    } else {
      session.hold();
    }
    held = !held;
    ns.byId('hold').textContent = held ? 'Resume' : 'Hold';
  });
  keypad();

  /** Starts the phone for `agent` once the desktop knows who signed in. */
  ns.startPhone = async (agent) => {
    let config;
    try {
      const response = await fetch('/api/desktop/config', {
        credentials: 'same-origin',
      });
      config = await response.json();
    } catch {
      config = {};
    }
    if (!config.sipWsUri || !config.sipDomain || !window.JsSIP) {
      say('softphone offline');
      return;
    }
    // The agent types the SIP password: the server hands out none.
    const login = ns.byId('phone-login');
    login.hidden = false;
    say('softphone ready: enter your SIP password');
    login.addEventListener('submit', (event) => {
      event.preventDefault();
      login.hidden = true;
      register(config, agent, ns.byId('sip-password').value);
      ns.byId('sip-password').value = '';
    });
  };

  function register(config, agent, password) {
    const JsSIP = window.JsSIP;
    // A second try replaces the first agent, which would retry forever.
    if (ua) {
      ua.stop();
    }
    ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(config.sipWsUri)],
      uri: `sip:${config.sipUser || agent.id}@${config.sipDomain}`,
      password,
      display_name: agent.displayName,
      register: true,
    });
    ua.on('registered', () => say('registered'));
    ua.on('unregistered', () => say('softphone offline'));
    ua.on('registrationFailed', () => {
      say('softphone offline: registration failed');
      ns.byId('phone-login').hidden = false;
    });
    ua.on('newRTCSession', (event) => {
      if (event.originator === 'remote') {
        track(event.session);
      }
    });
    say('connecting');
    ua.start();
  }
})();
