/**
 * The admin pages' entry: sign in, then one section per location hash:
 * #/flows, #/flows/<id> (the editor), #/numbers, #/queues (with the
 * live figures), #/skills, #/agents. A supervisor sees the live figures
 * only; an agent is turned away.
 */
(() => {
  'use strict';

  const { whenUnauthorized } = window.bridgelineAdmin.api;
  const { askToSignIn, signOut, whoIsSignedIn } = window.bridgelineAdmin.auth;
  const { byId, setText, showOnly } = window.bridgelineAdmin.dom;
  const { editing, isDirty, openFlow, setUpEditor } =
    window.bridgelineAdmin.editor;
  const { setUpFlows, showFlows } = window.bridgelineAdmin.flows;
  const { setUpHistory } = window.bridgelineAdmin.history;
  const { setUpNumbers, showNumbers } = window.bridgelineAdmin.numbers;
  const { setUpQueues, showQueues } = window.bridgelineAdmin.queues;
  const { showAgents } = window.bridgelineAdmin.agents;
  const { showSkills } = window.bridgelineAdmin.skills;
  const { startLive, stopLive } = window.bridgelineAdmin.live;
  const { setUpPublishing } = window.bridgelineAdmin.publish;
  const { setUpSimulator } = window.bridgelineAdmin.simulator;

  const sections = [
    'sign-in',
    'flows-view',
    'editor-view',
    'numbers-view',
    'queues-view',
    'skills-view',
    'agents-view',
  ];

  // A supervisor may watch the live figures; the rest is an admin's.
  let watchOnly = false;

  // The sections other than flows, each with what fills it when shown.
  const pages = {
    numbers: () => showNumbers(),
    queues: () => {
      startLive();
      byId('queue-definitions').hidden = watchOnly;
      return watchOnly ? Promise.resolve() : showQueues();
    },
    skills: () => showSkills(),
    agents: () => showAgents(),
  };

  const editorOpen = () => !byId('editor-view').hidden;

  function route() {
    const hash = window.location.hash || '#/flows';
    // Leaving the editor with unsaved text asks first; staying puts the
    // address back without reloading the text.
    const editorHash = `#/flows/${encodeURIComponent(editing.flowId)}`;
    if (editorOpen() && hash !== editorHash && isDirty()) {
      if (!window.confirm('Leave this flow without saving your changes?')) {
        window.history.replaceState(null, '', editorHash);
        return;
      }
    }
    const flow = /^#\/flows\/(.+)$/.exec(hash);
    const named = /^#\/([a-z]+)/.exec(hash)?.[1] ?? 'flows';
    const known = Object.hasOwn(pages, named) ? named : 'flows';
    const section = watchOnly ? 'queues' : known;
    // The live figures are read only while their page is in sight.
    stopLive();
    for (const link of byId('nav').querySelectorAll('a')) {
      link.classList.toggle('current', link.dataset.section === section);
    }
    if (flow && !watchOnly) {
      showOnly('editor-view', sections);
      void openFlow(decodeURIComponent(flow[1]));
    } else if (section !== 'flows') {
      showOnly(`${section}-view`, sections);
      void pages[section]();
    } else {
      showOnly('flows-view', sections);
      void showFlows();
    }
  }

  function signedIn(who) {
    watchOnly = who.role === 'supervisor';
    if (who.role !== 'admin' && !watchOnly) {
      // The API would refuse every call (403); say why once, here.
      needSignIn();
      setText(
        'sign-in-status',
        `${who.label} is signed in, but only an admin may edit flows.`,
      );
      return;
    }
    setText('who', who.label);
    for (const link of byId('nav').querySelectorAll('a')) {
      link.hidden = watchOnly && link.dataset.section !== 'queues';
    }
    byId('nav').hidden = false;
    byId('sign-out').hidden = false;
    window.addEventListener('hashchange', route);
    route();
  }

  function warnBeforeUnload(event) {
    if (editorOpen() && isDirty()) {
      event.preventDefault();
    }
  }

  function needSignIn() {
    window.removeEventListener('hashchange', route);
    stopLive();
    watchOnly = false;
    byId('nav').hidden = true;
    byId('sign-out').hidden = true;
    setText('who', '');
    showOnly('sign-in', sections);
    askToSignIn(signedIn);
  }

  async function start() {
    window.addEventListener('beforeunload', warnBeforeUnload);
    setUpEditor();
    setUpSimulator();
    setUpPublishing();
    setUpHistory();
    setUpFlows();
    setUpNumbers();
    setUpQueues();
    whenUnauthorized(needSignIn);
    byId('sign-out').addEventListener('click', async () => {
      await signOut();
      needSignIn();
    });

    const who = await whoIsSignedIn();
    if (who === null) {
      needSignIn();
    } else {
      signedIn(who);
    }
  }

  void start();
})();
