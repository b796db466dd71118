// @ts-check
// Small helpers for building DOM safely: text is always set with textContent.

/**
 * Resolves once the next frame has been drawn: what is queued for it is on screen.
 * @returns {Promise<void>}
 */
export function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {(Node|string|null|undefined|false)[]} [children]
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, children = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'disabled' || k === 'hidden' || k === 'checked') /** @type {any} */ (el)[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** @param {string} id @returns {any} */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el;
}

/**
 * Makes `parent`'s children look like `wanted` while keeping every node that stays the
 * same kind: an element with the same tag and attributes is kept and its children are
 * matched in turn, a text node keeps its node and takes the new words. So a banner whose
 * countdown changes each second keeps its nodes: a button in it keeps the keyboard focus,
 * and a click pressed on it is not lost to a replacement. An element whose tag or
 * attributes differ is replaced whole (its listeners may close over what differs).
 * @param {Element} parent
 * @param {Node[]} wanted
 */
export function morph(parent, wanted) {
  const old = [...parent.childNodes];
  const kept = wanted.map((node, i) => {
    const was = old[i];
    if (!was) return node;
    if (was.nodeType === Node.TEXT_NODE && node.nodeType === Node.TEXT_NODE) {
      if (was.nodeValue !== node.nodeValue) was.nodeValue = node.nodeValue;
      return was;
    }
    if (was instanceof Element && node instanceof Element && sameShell(was, node)) {
      morph(was, [...node.childNodes]);
      return was;
    }
    return node;
  });
  // Kept nodes stay where they are (taking one out, even for a moment, drops its focus).
  kept.forEach((node, i) => {
    if (node === old[i]) return;
    if (old[i]) parent.replaceChild(node, old[i]);
    else parent.append(node);
  });
  for (const extra of old.slice(kept.length)) extra.remove();
}

/** @param {Element} a @param {Element} b */
function sameShell(a, b) {
  if (a.tagName !== b.tagName || a.attributes.length !== b.attributes.length) return false;
  for (const { name, value } of a.attributes) {
    if (b.getAttribute(name) !== value) return false;
  }
  return true;
}

/**
 * A button that shows and hides the small menu under it (Help, the accounts): a click
 * opens it with the focus on its first button; Escape closes it and gives the focus back;
 * a click anywhere else closes it. Returns `close(refocus)`.
 * @param {HTMLElement} button @param {HTMLElement} menu
 * @returns {(refocus: boolean) => void}
 */
export function disclosure(button, menu) {
  const close = (/** @type {boolean} */ refocus) => {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  };
  button.addEventListener('click', () => {
    const open = menu.hidden;
    menu.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) /** @type {HTMLElement} */ (menu.querySelector('button')).focus();
  });
  menu.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(true); }
  });
  document.addEventListener('click', (e) => {
    if (!menu.hidden && !button.parentElement?.contains(/** @type {Node} */ (e.target))) close(false);
  });
  return close;
}
