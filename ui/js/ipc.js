// @ts-check
// The only file that talks to the Rust side: commands, the news and the clipboard.
// Every failure comes back as one shape: {kind, message, op, text, errorId, serverMessage,
// retryAfterSecs}: `op` and `text` are catalog keys, said in the person's language by
// feedback.js; `message` is the English, for when there are none.

/** @typedef {{kind: string, message: string, op?: string|null, text?: import('./i18n.js').Text|null, sentence?: string, errorId?: string|null, serverMessage?: string|null, retryAfterSecs?: number|null}} Failure */

import { afterPaint } from './dom.js';

// @ts-ignore: provided by Tauri (app.withGlobalTauri)
const tauri = window.__TAURI__;

/** @param {unknown} e @returns {Failure} */
function asFailure(e) {
  if (e && typeof e === 'object' && 'message' in e && 'kind' in e) return /** @type {Failure} */ (e);
  return {
    kind: 'unexpected',
    message: 'Something went wrong inside Compute Desk. Please restart it, and contact support if it keeps happening.',
    text: { key: 'failure.inside' },
    serverMessage: String(e),
  };
}

/**
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<any>}
 */
export async function call(command, args) {
  try {
    return await tauri.core.invoke(command, args);
  } catch (e) {
    throw asFailure(e);
  }
}

/**
 * @typedef {{version: number, machines?: any, account?: any, theme?: boolean}} News
 * @typedef {{machines: (list: any, held: number|null) => boolean, account: (view: any) => void, theme: (dark: boolean) => void}} NewsHandlers
 */

/**
 * The number of the news whose machines list the page holds (null: a list from a call, or
 * none): the app sends a newer list as what changed since that one.
 * @type {number|null}
 */
let have = null;

/**
 * How the lists from the news came: whole, as deltas, and deltas refused (about a list the
 * page no longer held). Read by the window tests and the desktop benchmark.
 */
export const newsCounts = { whole: 0, delta: 0, refused: 0, first: 0 };

/** The page's list was replaced by a call's answer (or emptied): the next list comes whole. */
export function listFromCall() {
  have = null;
}

/**
 * Follows what the app tells the page without being asked (the machines list, the account,
 * the desktop's light or dark): one `news` request always stands and is answered as soon
 * as there is something newer than `mark` and then than the last answer
 * (src-tauri/window/news.rs says why not events). The first answer also brings the newest
 * machines list, however old: the list comes this one way. After it, a list comes as what
 * changed since the one the page holds (`have`); `handlers.machines` says whether it took
 * it, and one it could not (about a list it no longer holds) is asked for whole at once.
 * The first request says what fills the window (`first`): a longer list comes first as
 * that much (with `firstOf`, how many in all), and the whole of it is asked for at once.
 * `opening` is the first answer, come with the page's first call (`start`): its number, and
 * the list when there was one already.
 * @param {News} opening
 * @param {{rows: number, column: string, descending: boolean}} first
 * @param {NewsHandlers} handlers
 */
export function followNews(opening, first, handlers) {
  let seen = opening.version;
  let list = true;
  /** @type {typeof first|undefined} */
  let ask = first;
  /** @type {News|null} */
  let ready = opening;
  (async () => {
    for (;;) {
      /** @type {News} */
      let news;
      if (ready) {
        news = ready;
        ready = null;
        // The list came with it: what follows asks for what changed, as after any first answer.
        if (news.machines) {
          list = false;
          ask = undefined;
        }
      } else {
        try {
          news = await tauri.core.invoke('news', { seen, list, have, first: ask });
          list = false;
          ask = undefined;
        } catch (e) {
          // Not expected (the request only waits); ask again in a moment, not in a tight loop.
          console.error('news', e);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
      }
      seen = news.version;
      try {
        if (news.theme !== undefined) handlers.theme(news.theme);
        if (news.askClose) handlers.askClose();
        if (news.account) handlers.account(news.account);
        if (news.machines) {
          const delta = news.machines.base !== undefined;
          const part = news.machines.firstOf !== undefined;
          if (part) {
            // The first screen of a long list: painted, then the whole list asked for
            // (its arrival, parsed on this thread, would otherwise hold the paint back).
            if (handlers.machines(news.machines, have)) newsCounts.first += 1;
            list = true;
            await afterPaint();
          } else if (handlers.machines(news.machines, have)) {
            have = news.version;
            newsCounts[delta ? 'delta' : 'whole'] += 1;
          } else {
            if (delta) newsCounts.refused += 1;
            have = null;
            // What changed since a list the page no longer holds: the whole one, now.
            if (delta) list = true;
          }
        }
      } catch (e) {
        console.error('news', e);
      }
    }
  })();
}

/** @param {string} text */
export async function copyText(text) {
  await tauri.core.invoke('plugin:clipboard-manager|write_text', { text });
}

/** Opens the app's log folder in the desktop's file manager (the page names no path). */
export async function openLogFolder() {
  await tauri.core.invoke('open_log_folder');
}
