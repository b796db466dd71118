// @ts-check
// "Share names with colleagues", from the account menu: this account's machine names,
// notes and groups exported as a file (saved in Downloads, as a browser saves a
// download), and a colleague's file imported: what it will change said first, each
// machine named otherwise here shown with both names to choose between, merged without
// losing a local name unless asked. Loaded the first time it is opened.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { count } from './format.js';
import { showFailure, toast } from './feedback.js';
import { t } from './i18n.js';
import { accountInUse } from './accounts.js';

/** @typedef {{name?: string, note?: string, groups?: string[]}} Shared */
/** @typedef {{machine: string, service: string, here: Shared, there: Shared}} ConflictView */
/** @typedef {{added: number, grouped: number, same: number, unknown: number, conflicts: ConflictView[]}} ImportView */

/** A name and note as one line: "Accounting PC: Ana's test machine". @param {Shared} s */
const said = (s) => [s.name, s.note].filter(Boolean).join(': ') || t('share.nothing');

export function open() {
  const dialog = /** @type {HTMLDialogElement} */ ($('share'));
  const file = /** @type {HTMLInputElement} */ ($('share-file'));
  const importButton = /** @type {HTMLButtonElement} */ ($('share-import'));
  const replace = /** @type {HTMLInputElement} */ ($('share-replace'));
  const error = $('share-error');
  /** The file picked, as text; its plan. @type {{text: string, plan: ImportView}|null} */
  let picked = null;
  const forget = () => {
    picked = null;
    $('share-plan').replaceChildren();
    $('share-conflicts').replaceChildren();
    $('share-replace-line').hidden = true;
    $('share-replace-hint').hidden = true;
    replace.checked = false;
    importButton.disabled = true;
  };
  showFailure(error, null);
  $('share-account').textContent = accountInUse();
  $('share-exported').textContent = '';
  $('share-folder').hidden = true;
  file.value = '';
  forget();

  $('share-export').onclick = async () => {
    showFailure(error, null);
    try {
      const path = await call('export_names');
      $('share-exported').textContent = t('share.exported', { path });
      $('share-folder').hidden = false;
    } catch (failure) {
      showFailure(error, /** @type {any} */ (failure));
    }
  };
  $('share-folder').onclick = () => call('open_exports_folder').catch((failure) => showFailure(error, failure));

  file.onchange = async () => {
    forget();
    showFailure(error, null);
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    try {
      const text = await chosen.text();
      /** @type {ImportView} */
      const plan = await call('plan_names_import', { text });
      picked = { text, plan };
      showPlan(plan);
      importButton.disabled = false;
    } catch (failure) {
      showFailure(error, /** @type {any} */ (failure));
    }
  };
  replace.onchange = () => { $('share-conflicts').hidden = replace.checked; };

  $('share-form').onsubmit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    if (!picked) return;
    const theirs = picked.plan.conflicts
      .filter((c) => /** @type {HTMLInputElement|null} */ (document.querySelector(`input[name="share-${CSS.escape(c.machine)}"][value="theirs"]`))?.checked)
      .map((c) => c.machine);
    importButton.disabled = true;
    try {
      await call('import_names', { text: picked.text, choice: { theirs, replace: replace.checked } });
      dialog.close();
      toast(t('share.imported'));
    } catch (failure) {
      showFailure(error, /** @type {any} */ (failure));
      importButton.disabled = false;
    }
  };
  $('share-close').onclick = () => dialog.close();
  dialog.showModal();
  $('share-export').focus();
}

/** What the import will do, and a choice for each machine named otherwise here. @param {ImportView} plan */
function showPlan(plan) {
  const lines = [
    plan.added ? t('share.plan_added', { what: count(plan.added, 'machines') }) : '',
    plan.grouped ? t('share.plan_grouped', { what: count(plan.grouped, 'machines') }) : '',
    plan.same ? t('share.plan_same', { what: count(plan.same, 'machines') }) : '',
    plan.unknown ? t('share.plan_unknown', { what: count(plan.unknown, 'machines') }) : '',
    plan.conflicts.length ? t('share.plan_conflicts', { what: count(plan.conflicts.length, 'machines') }) : '',
  ].filter(Boolean);
  $('share-plan').replaceChildren(...(lines.length ? lines : [t('share.plan_nothing')]).map((text) => h('p', { text })));
  $('share-conflicts').hidden = false;
  $('share-conflicts').replaceChildren(...plan.conflicts.map((c) => {
    const name = `share-${c.machine}`;
    const option = (/** @type {string} */ value, /** @type {string} */ text, /** @type {boolean} */ checked) => {
      const id = `${name}-${value}`;
      return h('div', { class: 'check-line' }, [
        h('input', { type: 'radio', id, name, value, checked }),
        h('label', { for: id, text }),
      ]);
    };
    return h('fieldset', { class: 'share-conflict' }, [
      h('legend', { text: t('share.conflict', { machine: c.service }) }),
      option('mine', t('share.keep_mine', { said: said(c.here) }), true),
      option('theirs', t('share.take_theirs', { said: said(c.there) }), false),
    ]);
  }));
  $('share-replace-line').hidden = false;
  $('share-replace-hint').hidden = false;
}
