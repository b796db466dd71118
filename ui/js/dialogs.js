// @ts-check
// The three dialogs: confirmations (light, explicit, or typed), Create, and bulk results.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { showFailure, failureContent } from './feedback.js';
import { plural } from './format.js';

/** @typedef {import('./ipc.js').Failure} Failure */

/**
 * Asks before an action. With `typed`, the user must type that text to enable the button.
 * @param {{title: string, text: string, ok: string, danger?: boolean, typed?: string, typedLabel?: string}} o
 * @returns {Promise<boolean>}
 */
export function confirm(o) {
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm'));
  const input = /** @type {HTMLInputElement} */ ($('confirm-input'));
  const ok = /** @type {HTMLButtonElement} */ ($('confirm-ok'));
  $('confirm-title').textContent = o.title;
  $('confirm-text').textContent = o.text;
  ok.textContent = o.ok;
  ok.className = o.danger ? 'primary danger-fill' : 'primary';
  $('confirm-typed').hidden = !o.typed;
  input.value = '';
  $('confirm-label').textContent = o.typedLabel || '';
  const matches = () => !o.typed || input.value.trim() === o.typed;
  ok.disabled = !matches();
  input.oninput = () => { ok.disabled = !matches(); };
  return new Promise((resolve) => {
    /** @param {boolean} answer */
    const finish = (answer) => {
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    $('confirm-cancel').onclick = () => finish(false);
    $('confirm-form').onsubmit = (/** @type {Event} */ e) => {
      e.preventDefault();
      if (matches()) finish(true);
    };
    dialog.onclose = () => finish(false);
    dialog.showModal();
    (o.typed ? input : $('confirm-cancel')).focus();
  });
}

/**
 * Per-machine outcome of a bulk action.
 * @param {string} title
 * @param {{name: string, ok: boolean, skipped: boolean, error: Failure|null}[]} results
 */
export function showResults(title, results) {
  const list = $('results-list');
  list.replaceChildren(...results.map((r) => {
    if (r.ok) return h('li', {}, [h('span', { class: 'ok', text: '✓ ' + r.name }), ' done']);
    if (r.skipped) return h('li', {}, [h('span', { class: 'skip', text: '– ' + r.name }), ' skipped: not possible in its current state']);
    return h('li', {}, [h('span', { class: 'bad', text: '✗ ' + r.name }), h('div', {}, failureContent(/** @type {Failure} */ (r.error)))]);
  }));
  $('results-title').textContent = title;
  /** @type {HTMLDialogElement} */ ($('results')).showModal();
}

/** @type {{templates: any[]|null, configs: string[], quota: any}|null} */
let options = null;
let chosen = '';

/** @param {any[]} templates */
function renderCards(templates) {
  const cards = $('template-cards');
  cards.replaceChildren(...templates.map((t, i) => {
    const card = h('button', {
      type: 'button', role: 'radio', class: 'card', 'data-id': t.id,
      'aria-checked': String(t.id === chosen), tabindex: (t.id === chosen || (!chosen && i === 0)) ? '0' : '-1',
      'aria-label': `${t.name || t.id}: ${[t.image, t.machineType, t.diskSizeGb ? t.diskSizeGb + ' GB disk' : null].filter(Boolean).join(', ')}`,
      onclick: () => choose(t.id),
      onkeydown: (/** @type {KeyboardEvent} */ e) => {
        const d = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
        if (!d) return;
        e.preventDefault();
        const next = templates[(i + d + templates.length) % templates.length];
        choose(next.id);
        /** @type {HTMLElement} */ (cards.querySelector(`[data-id="${CSS.escape(next.id)}"]`)).focus();
      },
    }, [
      h('strong', { text: t.name || t.id }),
      t.description ? h('span', { text: t.description }) : null,
      h('span', { text: [t.image, t.machineType, t.diskSizeGb ? `${t.diskSizeGb} GB ${t.diskType || 'disk'}` : null].filter(Boolean).join(' · ') }),
    ]);
    return card;
  }));
}

/** @param {string} id */
function choose(id) {
  chosen = id;
  for (const card of $('template-cards').querySelectorAll('.card')) {
    const on = card.getAttribute('data-id') === id;
    card.setAttribute('aria-checked', String(on));
    card.setAttribute('tabindex', on ? '0' : '-1');
  }
}

/** @param {any} quota */
function quotaLine(quota) {
  const el = $('create-quota');
  el.classList.toggle('full', Boolean(quota.blocked));
  const plan = quota.tier ? ` (${quota.tier} plan)` : '';
  if (quota.blocked) el.textContent = quota.blocked;
  else if (quota.limit != null) el.textContent = `${quota.used} of ${plural(quota.limit, 'machine')} used${plan}.`;
  else if (quota.problem) el.textContent = `${plural(quota.used, 'machine')} in use. Your plan's limit could not be checked.`;
  else el.textContent = `${plural(quota.used, 'machine')} in use${plan}. Your plan has no limit on machines.`;
  /** @type {HTMLButtonElement} */ ($('create-submit')).disabled = Boolean(quota.blocked);
}

/**
 * Opens the Create dialog; resolves with the new machine's row, or null when cancelled.
 * @returns {Promise<any|null>}
 */
export async function openCreate() {
  const dialog = /** @type {HTMLDialogElement} */ ($('create'));
  showFailure($('create-error'), null);
  $('create-quota').textContent = 'Checking your plan…';
  $('template-cards').replaceChildren(h('p', { class: 'hint', text: 'Loading templates…' }));
  /** @type {HTMLButtonElement} */ ($('create-submit')).disabled = true;
  dialog.showModal();
  try {
    options = await call('create_options');
  } catch (e) {
    showFailure($('create-error'), /** @type {Failure} */ (e));
    $('template-cards').replaceChildren();
    $('create-quota').textContent = '';
    return waitForCreate(dialog);
  }
  const o = /** @type {any} */ (options);
  const free = !o.templates || o.templates.length === 0;
  $('template-free').hidden = !free;
  $('template-cards').hidden = free;
  if (!free) {
    if (!chosen || !o.templates.some((/** @type {any} */ t) => t.id === chosen)) chosen = o.templates[0].id;
    renderCards(o.templates);
  }
  $('config-list').replaceChildren(...o.configs.map((/** @type {string} */ c) => h('option', { value: c })));
  const config = /** @type {HTMLInputElement} */ ($('config-id'));
  if (!config.value) config.value = o.configs[0] || '';
  quotaLine(o.quota);
  const first = free ? $('template-id') : $('template-cards').querySelector('[aria-checked="true"]');
  if (first) first.focus();
  return waitForCreate(dialog);
}

/** @param {HTMLDialogElement} dialog @returns {Promise<any|null>} */
function waitForCreate(dialog) {
  return new Promise((resolve) => {
    /** @param {any} row */
    const finish = (row) => {
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(row);
    };
    $('create-cancel').onclick = () => finish(null);
    dialog.onclose = () => finish(null);
    $('create-form').onsubmit = async (/** @type {Event} */ e) => {
      e.preventDefault();
      const submit = /** @type {HTMLButtonElement} */ ($('create-submit'));
      const templateId = $('template-free').hidden ? chosen : $('template-id').value;
      const configId = $('config-id').value;
      showFailure($('create-error'), null);
      submit.disabled = true;
      submit.textContent = 'Creating…';
      try {
        const row = await call('create', { templateId, configId });
        finish(row);
      } catch (err) {
        showFailure($('create-error'), /** @type {Failure} */ (err));
      } finally {
        submit.textContent = 'Create';
        submit.disabled = Boolean(options && options.quota && options.quota.blocked);
      }
    };
  });
}
