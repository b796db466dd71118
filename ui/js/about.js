// @ts-check
// The About dialog: version, licence, the system, where the log file is; "Copy details" for
// a support ticket, and "Open log folder" in the desktop's file manager (a command of the
// app's own that opens that one folder; the page names no path). Loaded on first use.
import { call, openLogFolder } from './ipc.js';
import { $ } from './dom.js';
import { copy, showFailure } from './feedback.js';
import { t } from './i18n.js';

/** @typedef {{name: string, version: string, licence: string|null, copyright: string|null, homepage: string|null, updates: string|null, logFolder: string|null, logFile: string|null, system: string}} About */

/**
 * The text "Copy details" puts on the clipboard: everything a support desk asks first.
 * @param {About} a
 */
export function supportText(a) {
  return [
    `${a.name} ${a.version}`,
    `${t('about.licence')}: ${a.licence || t('about.not_stated')}`,
    `${t('about.system')}: ${a.system}`,
    `${t('about.log_file')}: ${a.logFile || t('about.none')}`,
  ].join('\n');
}

/** Opens the dialog, asking the Rust side for its facts each time (the log may move). */
export async function open() {
  /** @type {About} */
  const a = await call('about');
  const dialog = /** @type {HTMLDialogElement} */ ($('about'));
  $('about-version').textContent = a.version;
  $('about-licence').textContent = a.licence || t('about.not_stated');
  // A build without a release's homepage names none, not even the word.
  $('about-homepage').textContent = a.homepage || '';
  $('about-homepage').hidden = !a.homepage;
  $('about-homepage-label').hidden = !a.homepage;
  $('about-updates').textContent = a.updates ? t('about.updates_system', { address: a.updates }) : t('about.updates_none');
  $('about-system').textContent = a.system;
  $('about-log').textContent = a.logFile || t('about.no_log');
  $('about-copyright').textContent = a.copyright || '';
  const problem = $('about-problem');
  showFailure(problem, null);
  const folderButton = /** @type {HTMLButtonElement} */ ($('about-log-folder'));
  folderButton.disabled = !a.logFolder;
  folderButton.onclick = async () => {
    if (!a.logFolder) return;
    try {
      await openLogFolder();
      showFailure(problem, null);
    } catch (e) {
      showFailure(problem, {
        kind: 'open_folder',
        message: '',
        sentence: t('about.open_log_failed', { path: a.logFolder }),
        serverMessage: null,
        errorId: null,
      });
    }
  };
  $('about-copy').onclick = () => copy(supportText(a), t('about.copied'), t('about.copy_failed'));
  dialog.showModal();
  $('about-close').focus();
}
