// Admins' list of the tenant's events that failed every delivery attempt (a lead that never
// reached the CRM, a WhatsApp reply Twilio kept refusing): what, when, how often, and why.
import { h, replaceChildren } from "../lib/dom.js";
import { formatTime } from "../lib/format.js";

const LIMIT = 20;

/** A collapsible sidebar section; it loads when opened and on its refresh button. */
export function deadLetterPanel({ api, t, lang, onOpenConversation }) {
  const count = h("span", { class: "count count-danger", hidden: true });
  const list = h("ul", { class: "dead-letters", "aria-labelledby": "dead-letters-title" });
  const note = h("p", { class: "empty-line", role: "status" });
  const refresh = h("button", { class: "btn btn-quiet btn-small", type: "button", text: t.deadLetters.refresh, onclick: () => load() });

  async function load() {
    note.textContent = t.deadLetters.loading;
    try {
      const data = await api.deadLetters(LIMIT);
      render(data.dead_letters ?? []);
    } catch {
      note.textContent = t.actionFailed;
    }
  }

  function render(letters) {
    count.hidden = letters.length === 0;
    count.textContent = String(letters.length);
    note.textContent = letters.length ? "" : t.deadLetters.empty;
    replaceChildren(list, ...letters.map(item));
  }

  function item(letter) {
    const when = letter.at ? formatTime(new Date(letter.at), lang) : "";
    const open = letter.conversation_id
      ? h("button", { class: "link", type: "button", text: t.deadLetters.open, onclick: () => onOpenConversation(letter.conversation_id) })
      : null;
    return h(
      "li",
      { class: "dead-letter", "data-type": letter.type },
      h("div", { class: "dead-letter-head" }, h("span", { class: "dead-letter-type", text: t.deadLetters.types[letter.type] ?? letter.type }), h("time", { datetime: letter.at ?? "", text: when })),
      h("div", { class: "dead-letter-meta", text: [t.deadLetters.attempts(letter.attempts), t.deadLetters.reasons[letter.reason] ?? t.deadLetters.reasons.unknown].join(" · ") }),
      open,
    );
  }

  const details = h(
    "details",
    { class: "dead-letter-panel", ontoggle: () => details.open && load() },
    h("summary", { class: "section-title", id: "dead-letters-title" }, t.deadLetters.title, " ", count),
    h("p", { class: "muted small", text: t.deadLetters.lead }),
    list,
    note,
    refresh,
  );
  load(); // the count shows even while the section is closed
  return h("section", { class: "dead-letter-section" }, details);
}
