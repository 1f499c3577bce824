// The admin pages' scripts share one namespace, filled in load order.
window.bridgelineAdmin = {};

/**
 * DOM helpers for the admin pages. Every text an admin or a customer
 * wrote goes in as textContent, never as markup, so no data can become
 * script (the page's Content-Security-Policy forbids inline script too).
 */
(() => {
  'use strict';

  function byId(id) {
    const node = document.getElementById(id);
    if (!node) {
      throw new Error(`the page has no #${id}`);
    }
    return node;
  }

  /**
   * A new element: `el('li', { className: 'node', data: { node: id } },
   * 'text', child)`. Strings become text nodes.
   */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'data') {
        Object.assign(node.dataset, value);
      } else if (key === 'className' || key === 'value' || key === 'type') {
        node[key] = value;
      } else {
        node.setAttribute(key, String(value));
      }
    }
    node.append(...children.filter((child) => child !== undefined));
    return node;
  }

  function setText(id, text) {
    byId(id).textContent = text;
  }

  /** Shows one section of the page and hides the others. */
  function showOnly(sectionId, sectionIds) {
    for (const id of sectionIds) {
      byId(id).hidden = id !== sectionId;
    }
  }

  /** A time as the admin's browser writes it. */
  function localTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
  }

  window.bridgelineAdmin.dom = { byId, el, setText, showOnly, localTime };
})();
