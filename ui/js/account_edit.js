// @ts-check
// "Name and colour": the dialog that names an account ("Production") and picks its colour
// from the app's palette. The app checks the name; a refusal is said in the dialog and
// what was typed stays. Loaded the first time it is opened.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { showFailure } from './feedback.js';
import { t } from './i18n.js';
import { whoAndWhere } from './accounts.js';

/** The palette, as `settings.rs` ACCOUNT_COLOURS has it. */
const COLOURS = ['blue', 'green', 'orange', 'purple', 'red', 'teal'];

/**
 * Opens the dialog for `account`; `saved` gets the app's view once the change is kept.
 * @param {import('./accounts.js').AccountItem} account
 * @param {(view: any) => void} saved
 */
export function open(account, saved) {
  const dialog = /** @type {HTMLDialogElement} */ ($('account-edit'));
  const input = /** @type {HTMLInputElement} */ ($('account-name'));
  const error = $('account-edit-error');
  const words = whoAndWhere(account);
  $('account-edit-of').textContent = t('accounts.edit_of', words);
  $('account-name-hint').textContent = t('accounts.name_hint', { who: words.who });
  input.value = account.name;
  error.hidden = true;
  $('account-colours').replaceChildren(...COLOURS.map((colour) => h('label', { class: 'colour-choice' }, [
    h('input', { type: 'radio', name: 'account-colour', value: colour, checked: colour === account.colour }),
    h('span', { class: 'swatch', 'data-colour': colour, 'aria-hidden': 'true' }),
    h('span', { text: t(`accounts.colour.${colour}`) }),
  ])));
  const save = /** @type {HTMLButtonElement} */ ($('account-edit-save'));
  $('account-edit-cancel').onclick = () => dialog.close();
  $('account-edit-form').onsubmit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    const chosen = /** @type {HTMLInputElement|null} */ (dialog.querySelector('input[name="account-colour"]:checked'));
    save.disabled = true;
    try {
      const view = await call('edit_account', { id: account.id, name: input.value, colour: chosen ? chosen.value : account.colour });
      dialog.close();
      saved(view);
      $('account').focus();
    } catch (failure) {
      // Said in the dialog; the name typed stays as it was, to be corrected.
      showFailure(error, /** @type {any} */ (failure));
      input.focus();
    } finally {
      save.disabled = false;
    }
  };
  dialog.showModal();
  input.focus();
  input.select();
}
