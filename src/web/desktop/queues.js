/**
 * Queue statistics for supervisors: the desktop socket pushes a
 * `queue-stats` frame each time a queue changes (only to supervisors and
 * admins), and this keeps one row per queue up to date.
 */
(() => {
  'use strict';

  const ns = (window.blDesktop = window.blDesktop || {});
  const rows = new Map();

  function seconds(value) {
    if (value === null || value === undefined) {
      return '–';
    }
    return value < 60
      ? `${value}s`
      : `${Math.floor(value / 60)}m ${value % 60}s`;
  }

  function percent(share) {
    return share === null || share === undefined
      ? '–'
      : `${Math.round(share * 100)}%`;
  }

  ns.showQueueStats = (stats) => {
    ns.byId('queues').hidden = false;
    let row = rows.get(stats.queue);
    if (!row) {
      row = ns.el('tr');
      row.dataset.queue = stats.queue;
      rows.set(stats.queue, row);
      ns.byId('queue-stats').append(row);
    }
    row.replaceChildren(
      ns.el('td', stats.name || stats.queue),
      ns.el('td', stats.waiting),
      ns.el('td', seconds(stats.longestWaitSeconds)),
      ns.el('td', stats.agentsAvailable),
      ns.el('td', stats.agentsStaffed),
      ns.el('td', stats.offered),
      ns.el('td', stats.answered),
      ns.el('td', stats.abandoned),
      ns.el('td', percent(stats.serviceLevel)),
    );
  };
})();
