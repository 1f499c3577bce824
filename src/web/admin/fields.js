/**
 * The queue and agent forms: lists typed with commas, numbers that may be
 * left empty, and the API's errors shown next to the field each names.
 * A 400 names its fields in `problems` (src/context/validate.ts); a 409
 * such as a taken username names one in `field`.
 */
(() => {
  'use strict';

  /** `billing, fr` -> ['billing', 'fr']. */
  function listOf(text) {
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }

  /** An empty box is left out, so the API's default applies. */
  function numberOr(text) {
    const trimmed = text.trim();
    return trimmed === '' ? undefined : Number(trimmed);
  }

  function clearErrors(form) {
    for (const slot of form.querySelectorAll('[data-error-for]')) {
      slot.textContent = '';
      slot.hidden = true;
    }
    for (const input of form.querySelectorAll('[aria-invalid]')) {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }

  function problemsOf(reply) {
    const { problems, field, message } = reply.body ?? {};
    if (Array.isArray(problems) && problems.length > 0) {
      return problems;
    }
    return [{ field, message }];
  }

  /**
   * Puts each problem of a refused request at its field of `form` (by
   * the field's first segment: `skills.0` is the skills box); what names
   * no field of the form goes into `status`.
   */
  function showErrors(form, reply, status) {
    clearErrors(form);
    const elsewhere = [];
    for (const problem of problemsOf(reply)) {
      const message =
        typeof problem.message === 'string'
          ? problem.message
          : `HTTP ${reply.status}`;
      const name =
        typeof problem.field === 'string' ? problem.field.split('.')[0] : '';
      const slot =
        name === ''
          ? null
          : form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (slot) {
        slot.id ||= `${form.id}-${name}-error`;
        slot.textContent = message;
        slot.hidden = false;
        const input = form.elements.namedItem(name);
        input?.setAttribute('aria-invalid', 'true');
        input?.setAttribute('aria-describedby', slot.id);
      } else {
        elsewhere.push(message);
      }
    }
    status.textContent =
      elsewhere.length > 0
        ? `Not saved: ${elsewhere.join('; ')}`
        : 'Not saved: see the marked fields.';
  }

  /** A plain duration: `42 s`, `3 min 5 s`, `2 h 10 min`. */
  function duration(seconds) {
    const whole = Math.max(0, Math.round(seconds));
    if (whole < 60) {
      return `${whole} s`;
    }
    if (whole < 3600) {
      return `${Math.floor(whole / 60)} min ${whole % 60} s`;
    }
    return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
  }

  /** An agent's live state as GET /api/agents gives it, in words. */
  function describeState(agent, now = Date.now()) {
    const reason = agent.reason ? ` (${agent.reason})` : '';
    return `${agent.state}${reason}, ${duration((now - agent.since) / 1000)}`;
  }

  window.bridgelineAdmin.fields = {
    listOf,
    numberOr,
    clearErrors,
    showErrors,
    duration,
    describeState,
  };
})();
