// Canned responses in the reply box: typing "/" (at the start or after a space) opens a list of the
// tenant's canned responses filtered by what follows; arrows move, Enter or Tab inserts the text for
// the agent to edit before sending, Esc closes. The reply box keeps focus throughout (the list is
// announced with aria-activedescendant), so typing never stops.
import { h } from "../lib/dom.js";
import { plural } from "../widget/i18n.js";

const MAX_SHOWN = 8;
const TRIGGER = /(^|\s)\/([^\s/]*)$/; // "/" plus what follows it, right before the caret
const STRINGS = {
  en: {
    list: "Canned responses",
    hint: "Canned responses (or type / in the reply)",
    count: (n) => (n === 1 ? "1 canned response: arrows to choose, Enter to insert, Esc to close." : `${n} canned responses: arrows to choose, Enter to insert, Esc to close.`),
    none: (q) => (q ? `No canned response matches /${q}.` : "No canned responses yet. An admin adds them on the admin page."),
    failed: "Canned responses could not be loaded.",
    inserted: (title) => `Inserted “${title}”. Edit it, then send.`,
  },
  pl: {
    list: "Szybkie odpowiedzi",
    hint: "Szybkie odpowiedzi (albo wpisz / w odpowiedzi)",
    count: (n) => `${n} ${plural(n, "szybka odpowiedź", "szybkie odpowiedzi", "szybkich odpowiedzi")}: strzałki wybierają, Enter wstawia, Esc zamyka.`,
    none: (q) => (q ? `Żadna szybka odpowiedź nie pasuje do /${q}.` : "Nie ma jeszcze szybkich odpowiedzi. Dodaje je administrator."),
    failed: "Nie udało się wczytać szybkich odpowiedzi.",
    inserted: (title) => `Wstawiono „${title}”. Popraw i wyślij.`,
  },
};
const FRESH_MS = 60_000;
const loaded = new WeakMap(); // api client → {at, list: Promise of its tenant's list}, re-read after FRESH_MS
let stylesheet = null;

/** Lowercase without diacritics, so "wycena" finds "Wyceną" and "zl" finds "zł". */
export function fold(text) {
  return String(text ?? "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ł/g, "l");
}

/** Responses matching `query` (code first, then title and text), the conversation's language ahead. */
export function filterCanned(items, query, language = null) {
  const q = fold(query);
  const rank = (item) => {
    const code = fold(item.code);
    if (code.startsWith(q)) return 0;
    if (code.includes(q) || fold(item.title).includes(q)) return 1;
    return fold(item.text).includes(q) ? 2 : -1;
  };
  const langRank = (item) => (language && item.language && item.language !== language ? 1 : 0);
  return items
    .map((item) => ({ item, score: rank(item) }))
    .filter((x) => x.score >= 0)
    .sort((a, b) => a.score - b.score || langRank(a.item) - langRank(b.item) || a.item.code.localeCompare(b.item.code))
    .map((x) => x.item);
}

/** The text with the "/query" right before `caret` replaced by `insert`; → {value, caret}. */
export function insertAt(value, caret, insert) {
  const before = value.slice(0, caret);
  const match = TRIGGER.exec(before);
  const start = match ? before.length - match[0].length + match[1].length : caret;
  return { value: value.slice(0, start) + insert + value.slice(caret), caret: start + insert.length };
}

function loadList(api) {
  const cached = loaded.get(api);
  if (!cached || Date.now() - cached.at > FRESH_MS) {
    const list = api.call("GET", "/api/agent/canned-responses").then((data) => (Array.isArray(data?.canned_responses) ? data.canned_responses : []));
    list.catch(() => loaded.delete(api)); // a failure is tried again next time
    // While a newer list loads, the one already here answers at once (an admin's edit shows within a minute).
    loaded.set(api, { at: Date.now(), list: cached ? list.catch(() => cached.list) : list });
    if (cached) return cached.list;
  }
  return loaded.get(api).list;
}

function useStylesheet() {
  stylesheet ??= document.head.appendChild(h("link", { rel: "stylesheet", href: new URL("./canned.css", import.meta.url).href }));
}

/**
 * Wires the picker to a reply box. `form` is the reply form (the list opens above the box, inside it);
 * api: the signed-in AgentApi; lang: "pl" | "en"; language(): the conversation's language or null.
 */
export function attachCannedPicker(input, form, { api, lang, language = () => null }) {
  useStylesheet();
  const t = STRINGS[lang] ?? STRINGS.en;
  const id = `canned-list-${Math.random().toString(36).slice(2, 8)}`;
  const listbox = h("ul", { id, class: "canned-picker", role: "listbox", "aria-label": t.list, hidden: true });
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  form.classList.add("has-canned");
  form.append(listbox, status);
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", id);
  // The list by touch or mouse too (and a visible sign that it exists): the button types the "/".
  const button = h(
    "button",
    { class: "btn btn-secondary canned-button", type: "button", "aria-label": t.list, title: t.hint, "aria-controls": id, onmousedown: (e) => e.preventDefault(), onclick: () => typeSlash() },
    "/",
  );
  form.insertBefore(button, form.querySelector('[type="submit"]'));

  let items = [];
  let shown = [];
  let active = -1;
  let open = false;

  const optionId = (i) => `${id}-${i}`;

  function close() {
    open = false;
    active = -1;
    listbox.hidden = true;
    listbox.replaceChildren();
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    active = i;
    for (const [n, el] of [...listbox.children].entries()) {
      el.setAttribute("aria-selected", String(n === i));
      if (n === i) el.scrollIntoView?.({ block: "nearest" });
    }
    if (i >= 0) input.setAttribute("aria-activedescendant", optionId(i));
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(i) {
    const item = shown[i];
    if (!item) return;
    const next = insertAt(input.value, input.selectionStart ?? input.value.length, item.text);
    input.value = next.value;
    input.setSelectionRange(next.caret, next.caret);
    close();
    status.textContent = t.inserted(item.title);
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function render(query) {
    shown = filterCanned(items, query, language()).slice(0, MAX_SHOWN);
    const options = shown.map((item, i) =>
      h(
        "li",
        {
          id: optionId(i),
          class: "canned-option",
          role: "option",
          "aria-selected": "false",
          // mousedown, not click: the reply box must keep focus (and its caret) while choosing
          onmousedown: (e) => {
            e.preventDefault();
            choose(i);
          },
        },
        h("span", { class: "canned-option-head" }, h("span", { class: "canned-option-code", text: `/${item.code}` }), h("span", { class: "canned-option-title", text: item.title }), item.language ? h("span", { class: "canned-option-lang", text: item.language.toUpperCase() }) : null),
        h("span", { class: "canned-option-text", text: item.text }),
      ),
    );
    listbox.replaceChildren(...(options.length ? options : [h("li", { class: "canned-empty", role: "presentation", text: t.none(query) })]));
    listbox.hidden = false;
    open = true;
    highlight(shown.length ? 0 : -1);
    status.textContent = shown.length ? t.count(shown.length) : t.none(query);
  }

  function typeSlash() {
    const caret = input.selectionStart ?? input.value.length;
    const slash = caret > 0 && !/\s/.test(input.value[caret - 1]) ? " /" : "/";
    input.focus();
    input.setRangeText(slash, caret, input.selectionEnd ?? caret, "end");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function update() {
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const match = TRIGGER.exec(before);
    if (!match || input.selectionStart !== input.selectionEnd) return close();
    try {
      items = await loadList(api);
    } catch {
      status.textContent = t.failed;
      return close();
    }
    // The agent may have typed on while the list loaded: read the box again.
    const now = TRIGGER.exec(input.value.slice(0, input.selectionStart ?? input.value.length));
    if (now) render(now[2]);
    else close();
  }

  input.addEventListener("input", update);
  input.addEventListener("click", update);
  input.addEventListener("blur", () => setTimeout(() => document.activeElement !== input && close(), 100));
  // Capture on the form: runs before the reply box's own Enter-sends handler.
  form.addEventListener(
    "keydown",
    (e) => {
      if (!open || e.target !== input || e.isComposing) return;
      const n = shown.length;
      const handled = {
        ArrowDown: () => n && highlight((active + 1) % n),
        ArrowUp: () => n && highlight((active - 1 + n) % n),
        Enter: () => choose(active),
        Tab: () => choose(active),
        Escape: () => close(),
      }[e.key];
      if (!handled || ((e.key === "Enter" || e.key === "Tab") && (active < 0 || e.shiftKey))) return;
      e.preventDefault();
      e.stopPropagation();
      handled();
    },
    true,
  );
  loadList(api).catch(() => {}); // warm: the list is there by the time the agent types "/"
  return { close };
}
