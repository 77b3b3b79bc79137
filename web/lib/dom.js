// The one way the pages build DOM: text always goes through textContent, never through HTML
// parsing, so message text from guests and agents can never become markup.

/**
 * h("button", {class: "x", type: "button", onclick: fn, "aria-label": "…"}, "text", child, …)
 * Attributes named on* become listeners; `text` sets textContent; false/null attributes are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value == null) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace every child of `el` with `children` (strings become text nodes). */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An inline SVG icon from a fixed path (our own constants, never data). */
export function icon(pathD, size = 20) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", pathD);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

export const ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z",
  close: "M18.3 5.71 12 12l6.3 6.29-1.41 1.42L12 13.41l-6.29 6.3-1.42-1.42L10.59 12 4.29 5.71 5.71 4.29 12 10.59l6.29-6.3z",
  send: "M2 21 23 12 2 3v7l15 2-15 2z",
  person: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-4 0-8 2-8 5v1h16v-1c0-3-4-5-8-5z",
  star: "M12 17.3 18.2 21l-1.6-7 5.4-4.7-7.2-.6L12 2 9.2 8.7 2 9.3l5.4 4.7L5.8 21z",
  back: "M20 11H7.83l5.59-5.59L12 4l-8 8 8 8 1.41-1.41L7.83 13H20z",
  attach: "M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z",
};

/**
 * Keep `container`'s children in step with `items` by key: unchanged items keep their element
 * (and focus), changed ones are rebuilt, missing ones removed, order fixed with minimal moves.
 * create(item) → element; signature(item) → a string that changes when the element must be rebuilt.
 */
export function syncChildren(container, items, { key, create, signature = () => "", cache = new Map() }) {
  const wanted = new Set(items.map(key));
  for (const [k, entry] of cache) {
    if (!wanted.has(k)) {
      entry.el.remove();
      cache.delete(k);
    }
  }
  let previous = null;
  for (const item of items) {
    const k = key(item);
    const sig = signature(item);
    let entry = cache.get(k);
    if (!entry || entry.sig !== sig) {
      const el = create(item);
      if (entry) {
        const hadFocus = entry.el.contains(document.activeElement);
        entry.el.replaceWith(el);
        if (hadFocus) el.focus();
      }
      entry = { el, sig };
      cache.set(k, entry);
    }
    const expected = previous ? previous.nextSibling : container.firstChild;
    if (entry.el !== expected) container.insertBefore(entry.el, expected);
    previous = entry.el;
  }
  return cache;
}
