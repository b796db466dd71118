// @ts-check
// The only file that talks to the Rust side: commands, events, the clipboard and the opener.
// Every failure comes back as one shape: {kind, message, op, text, errorId, serverMessage,
// retryAfterSecs}: `op` and `text` are catalog keys, said in the person's language by
// feedback.js; `message` is the English, for when there are none.

/** @typedef {{kind: string, message: string, op?: string|null, text?: import('./i18n.js').Text|null, sentence?: string, errorId?: string|null, serverMessage?: string|null, retryAfterSecs?: number|null}} Failure */

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
 * @param {string} event
 * @param {(payload: any) => void} handler
 */
export function on(event, handler) {
  return tauri.event.listen(event, (/** @type {{payload: any}} */ e) => handler(e.payload));
}

/** @param {string} text */
export async function copyText(text) {
  await tauri.core.invoke('plugin:clipboard-manager|write_text', { text });
}

/**
 * Opens a folder in the desktop's file manager. The capability allows the log folder only;
 * any other path is refused by the Rust side.
 * @param {string} path
 */
export async function openFolder(path) {
  await tauri.core.invoke('plugin:opener|open_path', { path });
}
