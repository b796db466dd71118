// @ts-check
// The three dialogs: confirmations (light, explicit, or typed), Create, and bulk results.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { showFailure, failureContent, failureText } from './feedback.js';
import { count } from './format.js';
import { t, tx } from './i18n.js';
import { state } from './screen.js';
import { accountInUse } from './accounts.js';

/** @typedef {import('./ipc.js').Failure} Failure */

/** Closes every dialog open, as cancelled: the list they were about is gone. */
export function closeAll() {
  for (const d of /** @type {NodeListOf<HTMLDialogElement>} */ (document.querySelectorAll('dialog[open]'))) d.close();
}

/**
 * Asks before an action. With `typed`, the user must type that text to enable the button.
 * @param {{title: string, text: string, ok: string, danger?: boolean, typed?: string, typedLabel?: string, where?: string}} o
 *   `where`: which account it is about, when not the one on screen ('' for none)
 * @returns {Promise<boolean>}
 */
export function confirm(o) {
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm'));
  const input = /** @type {HTMLInputElement} */ ($('confirm-input'));
  const ok = /** @type {HTMLButtonElement} */ ($('confirm-ok'));
  $('confirm-title').textContent = o.title;
  // Which account it is done in, always in view: never the wrong one.
  const where = o.where ?? accountInUse();
  $('confirm-account').hidden = !where;
  $('confirm-account').textContent = where;
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
 * @param {{name: string, ok: boolean, skipped: boolean, notSent?: boolean, unknown?: boolean, error: Failure|null}[]} results
 */
export function showResults(title, results) {
  // Whose machines these are: the account on screen, which the run belongs to.
  const where = accountInUse();
  $('results-account').hidden = !where;
  $('results-account').textContent = where;
  const list = $('results-list');
  list.replaceChildren(...results.map((r) => {
    if (r.ok) return h('li', {}, [h('span', { class: 'ok', text: '✓ ' + r.name }), ' ' + t('results.done')]);
    if (r.skipped) return h('li', {}, [h('span', { class: 'skip', text: '– ' + r.name }), ' ' + t('results.skipped')]);
    if (r.notSent) return h('li', {}, [h('span', { class: 'skip', text: '– ' + r.name }), ' ' + t('results.not_sent')]);
    if (r.unknown) return h('li', {}, [h('span', { class: 'skip', text: '? ' + r.name }), ' ' + t('results.unknown')]);
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
  cards.replaceChildren(...templates.map((tpl, i) => {
    const card = h('button', {
      // A template is the server's: its name and description are in the server's language.
      type: 'button', role: 'radio', class: 'card', 'data-id': tpl.id, translate: 'no',
      'aria-checked': String(tpl.id === chosen), tabindex: (tpl.id === chosen || (!chosen && i === 0)) ? '0' : '-1',
      'aria-label': `${tpl.name || tpl.id}: ${[tpl.image, tpl.machineType, tpl.diskSizeGb ? t('create.disk', { gb: tpl.diskSizeGb }) : null].filter(Boolean).join(', ')}`,
      onclick: () => choose(tpl.id),
      onkeydown: (/** @type {KeyboardEvent} */ e) => {
        const d = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
        if (!d) return;
        e.preventDefault();
        const next = templates[(i + d + templates.length) % templates.length];
        choose(next.id);
        /** @type {HTMLElement} */ (cards.querySelector(`[data-id="${CSS.escape(next.id)}"]`)).focus();
      },
    }, [
      h('strong', { text: tpl.name || tpl.id }),
      tpl.description ? h('span', { text: tpl.description }) : null,
      h('span', { text: [tpl.image, tpl.machineType, tpl.diskSizeGb ? (tpl.diskType ? `${tpl.diskSizeGb} GB ${tpl.diskType}` : t('create.disk', { gb: tpl.diskSizeGb })) : null].filter(Boolean).join(' · ') }),
    ]);
    return card;
  }));
}

/** Which zones the chosen template can run in, asked for each time the choice changes. */
let zonesAsked = 0;
/**
 * Where the chosen template's zones stand: 'none' (no template yet, or the server lists
 * none: the network configuration decides), 'loading', 'ready' or 'failed'.
 */
let zonesState = 'none';
/** @type {Promise<unknown>|null} the zones request under way, which Create waits for */
let zonesPending = null;
/** The place the person picked last, kept when the next template offers it too. */
let pickedZone = '';
/** The template the zones were last asked for. */
let zonesFor = '';

/**
 * Offers "Where" when the server lists zones for the chosen template (the SDK's servers
 * do); hides it where the network configuration decides (the overview docs' servers).
 * While the chosen template's zones are on their way, "Where" is emptied and disabled:
 * the previous template's places are never offered, nor sent, for this one. A failed
 * request says so, with "Try again".
 */
async function loadZones() {
  const ask = ++zonesAsked;
  const field = $('zone-field');
  const select = /** @type {HTMLSelectElement} */ ($('zone'));
  const template = $('template-free').hidden ? chosen : /** @type {HTMLInputElement} */ ($('template-id')).value.trim();
  $('zone-problem').hidden = true;
  zonesFor = template;
  if (!template) {
    field.hidden = true;
    zonesState = 'none';
    zonesPending = null;
    return;
  }
  zonesState = 'loading';
  select.replaceChildren(h('option', { value: '', text: t('create.where_loading') }));
  select.disabled = true;
  const request = call('zones', { templateId: template }).then((zones) => ({ zones }), (failure) => ({ failure }));
  zonesPending = request;
  const got = /** @type {{zones?: string[]|null, failure?: Failure}} */ (await request);
  if (ask !== zonesAsked) return;
  zonesPending = null;
  if (got.failure) {
    zonesState = 'failed';
    field.hidden = false;
    select.replaceChildren();
    $('zone-problem-text').textContent = failureText(got.failure);
    $('zone-problem').hidden = false;
    return;
  }
  const zones = got.zones;
  field.hidden = !zones || zones.length === 0;
  $('config-hint').textContent = field.hidden
    ? t('create.config_hint')
    : t('create.config_hint_network');
  if (zones && zones.length) {
    select.replaceChildren(...zones.map((/** @type {string} */ z) => h('option', { value: z, text: z })));
    if (zones.includes(pickedZone)) select.value = pickedZone;
    select.disabled = false;
    zonesState = 'ready';
  } else {
    select.replaceChildren();
    zonesState = 'none';
  }
}

/** Waits for the latest zones request, if one is under way. */
async function zonesSettled() {
  for (let p = zonesPending; p; p = zonesPending) await p;
}

/** @param {string} id */
function choose(id) {
  if (chosen !== id) {
    chosen = id;
    loadZones();
  }
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
  const plan = quota.tier ? t('quota.plan', { tier: quota.tier }) : '';
  if (quota.blocked) el.textContent = tx(quota.blocked);
  else if (quota.limit != null) el.textContent = t('quota.used_of', { used: quota.used, limit: count(quota.limit, 'machines'), plan });
  else if (quota.problem) el.textContent = t('quota.unchecked', { used: count(quota.used, 'machines') });
  else el.textContent = t('quota.unlimited', { used: count(quota.used, 'machines'), plan });
  /** @type {HTMLButtonElement} */ ($('create-submit')).disabled = Boolean(quota.blocked);
}

/**
 * Opens the Create dialog; resolves with the new machine's row, or null when cancelled.
 * @returns {Promise<any|null>}
 */
export async function openCreate() {
  const dialog = /** @type {HTMLDialogElement} */ ($('create'));
  showFailure($('create-error'), null);
  $('create-quota').textContent = t('quota.checking');
  $('template-cards').replaceChildren(h('p', { class: 'hint', text: t('create.loading_templates') }));
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
  // No list because the server has none, or because asking for it failed: not the same.
  $('template-free-hint').textContent = o.templatesProblem
    ? t('create.templates_failed_hint')
    : t('create.template_free_hint');
  showFailure($('create-error'), o.templatesProblem || null);
  if (!free) {
    if (!chosen || !o.templates.some((/** @type {any} */ t) => t.id === chosen)) chosen = o.templates[0].id;
    renderCards(o.templates);
  }
  /** @type {HTMLInputElement} */ ($('template-id')).onchange = loadZones;
  $('zone-retry').onclick = loadZones;
  $('zone').onchange = () => { pickedZone = /** @type {HTMLSelectElement} */ ($('zone')).value; };
  loadZones();
  $('config-list').replaceChildren(...o.configs.map((/** @type {string} */ c) => h('option', { value: c })));
  const config = /** @type {HTMLInputElement} */ ($('config-id'));
  if (!config.value) config.value = o.configs[0] || '';
  quotaLine(o.quota);
  waitForUnanswered();
  const first = free ? $('template-id') : $('template-cards').querySelector('[aria-checked="true"]');
  if (first) first.focus();
  return waitForCreate(dialog);
}

/**
 * While the machine of a create ThreatWinds never answered is looked for, Create waits:
 * another create now could make a second machine. Says so; true when it does.
 */
function waitForUnanswered() {
  if (!state.snapshot.lookingForCreate) return false;
  showFailure($('create-error'), /** @type {Failure} */ ({ sentence: t('desk.create_wait') }));
  /** @type {HTMLButtonElement} */ ($('create-submit')).disabled = true;
  return true;
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
    let creating = false;
    $('create-cancel').onclick = () => { if (!creating) finish(null); };
    dialog.onclose = () => finish(null);
    // Esc while the machine is being created would hide how the create ended.
    dialog.oncancel = (/** @type {Event} */ e) => { if (creating) e.preventDefault(); };
    dialog.onkeydown = (/** @type {KeyboardEvent} */ e) => { if (creating && e.key === 'Escape') e.preventDefault(); };
    $('create-form').onsubmit = async (/** @type {Event} */ e) => {
      e.preventDefault();
      if (creating) return;
      const submit = /** @type {HTMLButtonElement} */ ($('create-submit'));
      const templateId = $('template-free').hidden ? chosen : $('template-id').value;
      const configId = $('config-id').value;
      showFailure($('create-error'), null);
      /** @type {unknown} */
      let failure = null;
      creating = true;
      submit.disabled = true;
      /** @type {HTMLButtonElement} */ ($('create-cancel')).disabled = true;
      submit.textContent = t('progress.create');
      try {
        // The chosen template's places first (a click can come before they arrive): a
        // create never goes without the place, or with another template's.
        if (templateId.trim() !== zonesFor) loadZones();
        await zonesSettled();
        if (zonesState === 'failed') {
          showFailure($('create-error'), /** @type {Failure} */ ({ sentence: t('create.where_needed') }));
          return;
        }
        const zone = zonesState === 'ready' ? /** @type {HTMLSelectElement} */ ($('zone')).value : null;
        const row = await call('create', { templateId, configId, zone });
        finish(row);
      } catch (err) {
        failure = err;
        showFailure($('create-error'), /** @type {Failure} */ (err));
      } finally {
        creating = false;
        submit.textContent = t('create.submit');
        const unanswered = /** @type {any} */ (failure)?.text?.key === 'desk.create_unanswered';
        submit.disabled = unanswered || Boolean(options && options.quota && options.quota.blocked);
        /** @type {HTMLButtonElement} */ ($('create-cancel')).disabled = false;
      }
    };
  });
}
