// @ts-check
// Words and numbers for people: relative times, dates, state icons, plural forms, and
// the order names sort in. None of it uses Intl: ICU's collation and date data cost the
// window several MiB of memory, and the app speaks one language.

/**
 * A length of time in the app's words, rounded the way people say it: "42 s", "3 h",
 * "12 days", "6 months". Below 5 seconds: null (it reads as "now").
 * @param {number} ms
 * @returns {string|null}
 */
function span(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return null;
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  const d = Math.round(h / 24);
  if (d < 60) return `${d} days`;
  const mo = Math.round(d / 30);
  if (mo < 24) return `${mo} months`;
  return `${Math.round(d / 365)} years`;
}

/** How long ago: "3 h ago". @param {number} ms @returns {string} */
export function ago(ms) {
  const t = span(ms);
  return t ? `${t} ago` : 'just now';
}

/** How long until: "in 6 months". @param {number} ms @returns {string} */
export function fromNow(ms) {
  const t = span(ms);
  return t ? `in ${t}` : 'now';
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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A moment in local time, the same way everywhere in the app: "27 Nov 2026, 09:05".
 * @param {number} t Unix milliseconds
 */
export function dateTime(t) {
  const d = new Date(t);
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** @param {number} c */
const isDigit = (c) => c >= 48 && c <= 57;

/**
 * Orders two lower-case strings as a person reads them: numbers by their value, so
 * "web-2" comes before "web-10", and everything else character by character.
 * @param {string} x @param {string} y @returns {number}
 */
export function naturalCompare(x, y) {
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const cx = x.charCodeAt(i);
    const cy = y.charCodeAt(j);
    if (isDigit(cx) && isDigit(cy)) {
      let si = i;
      let sj = j;
      while (si < x.length - 1 && x.charCodeAt(si) === 48 && isDigit(x.charCodeAt(si + 1))) si++;
      while (sj < y.length - 1 && y.charCodeAt(sj) === 48 && isDigit(y.charCodeAt(sj + 1))) sj++;
      let ei = si;
      let ej = sj;
      while (ei < x.length && isDigit(x.charCodeAt(ei))) ei++;
      while (ej < y.length && isDigit(y.charCodeAt(ej))) ej++;
      // More digits (leading zeros aside) is a larger number; else compare digit by digit.
      const longer = (ei - si) - (ej - sj);
      if (longer) return longer;
      for (let k = 0; k < ei - si; k++) {
        const d = x.charCodeAt(si + k) - y.charCodeAt(sj + k);
        if (d) return d;
      }
      i = ei;
      j = ej;
    } else {
      if (cx !== cy) return cx - cy;
      i++;
      j++;
    }
  }
  return (x.length - i) - (y.length - j);
}
