// @ts-check
// Words and numbers for people: relative times, state icons, plural forms.

/** @param {number} ms @returns {string} */
export function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 60) return `${d} days ago`;
  const mo = Math.round(d / 30);
  if (mo < 24) return `${mo} months ago`;
  return `${Math.round(d / 365)} years ago`;
}

/** @param {string|null|undefined} iso @returns {number|null} */
export function parseTime(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** @param {string|null|undefined} iso */
export function relative(iso) {
  const t = parseTime(iso);
  return t === null ? (iso || '—') : ago(Date.now() - t);
}

/** @param {number} n @param {string} one @param {string} [many] */
export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : (many || one + 's')}`;
}

/** The icon next to a state's words: never colour alone. */
export const STATE_ICON = /** @type {Record<string, string>} */ ({
  running: '●',
  stopped: '■',
  busy: '◔',
  error: '▲',
  unknown: '?',
});

/** @param {number|null|undefined} secs */
export function inSeconds(secs) {
  if (secs == null) return 'shortly';
  if (secs <= 1) return 'in a second';
  if (secs < 120) return `in ${secs} seconds`;
  return `in ${Math.ceil(secs / 60)} minutes`;
}
