// Inbox basics, apart from the dashboard's main module: the contact card (who the guest is, from
// lead capture, the channel and the page they wrote from) and the server-side search over all of
// the tenant's conversations (the list itself holds only the newest ones).
import { h, replaceChildren } from "../lib/dom.js";
import { normalizeConversation } from "../lib/streams.js";

export const SEARCH_DEBOUNCE_MS = 300;
const MAX_QUERY = 100;
const LINK_TEXT_CHARS = 42;
const SEARCH_LIMIT = 50;

/** A URL as a link target: only http(s), anything else is not linked. */
export function httpUrl(raw) {
  try {
    const url = new URL(String(raw));
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** What a link shows of a URL: host and path, shortened with an ellipsis. */
export function shortUrl(raw, max = LINK_TEXT_CHARS) {
  let text = String(raw ?? "");
  try {
    const url = new URL(text);
    text = url.host + (url.pathname === "/" ? "" : url.pathname);
  } catch {
    // not a URL: shown as it is, shortened
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function telHref(phone) {
  const digits = String(phone ?? "").replace(/[^\d+]/g, "");
  return digits.replace(/\D/g, "").length >= 6 ? `tel:${digits}` : null;
}

export function mailHref(email) {
  const text = String(email ?? "").trim();
  return /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(text) ? `mailto:${encodeURI(text)}` : null;
}

/** Whether a query is worth asking the server (a word of two letters or digits; the server says the same). */
export function searchable(query) {
  const q = String(query ?? "").trim();
  return q.length > 0 && q.length <= MAX_QUERY && /[\p{L}\p{N}]{2}/u.test(q);
}

function link(href, text, attrs = {}) {
  return href ? h("a", { href, text, ...attrs }) : h("span", { text });
}

/**
 * The contact card's rows: name, phone (tel:), e-mail (mailto:), the WhatsApp number as the channel
 * gave it, channel, language, and the page the chat started on (a link that opens apart from the dashboard).
 */
export function contactRows(t, conversation, card) {
  const c = conversation;
  const rows = [];
  const row = (key, label, value) => value && rows.push([h("dt", { text: label }), h("dd", { "data-field": key }, value)]);
  row("name", t.contactName, card?.name);
  if (card?.phone) row("phone", t.contactPhone, link(telHref(card.phone), card.phone));
  if (card?.email) row("email", t.contactEmail, link(mailHref(card.email), card.email));
  const whatsapp = card?.whatsapp ?? (c.channel === "whatsapp" ? c.contact?.replace(/^whatsapp:/, "") : null);
  if (whatsapp && whatsapp !== card?.phone) row("whatsapp", t.contactWhatsApp, link(telHref(whatsapp), whatsapp));
  else if (c.channel === "whatsapp" && !whatsapp) row("whatsapp", t.contactWhatsApp, t.contactNumberHidden);
  row("channel", t.contactChannel, t.channel[c.channel] ?? c.channel);
  row("language", t.contactLanguage, c.language?.toUpperCase());
  for (const [key, label, url] of [
    ["page", t.contactPage, card?.page_url],
    ["last-page", t.contactLastPage, card?.last_page_url !== card?.page_url ? card?.last_page_url : null],
  ]) {
    const href = url ? httpUrl(url) : null;
    if (href) row(key, label, h("a", { href, text: shortUrl(href), title: href, target: "_blank", rel: "noopener noreferrer" }));
  }
  const known = card ? card.name || card.phone || card.email : c.leadId;
  row("lead", t.contactLead, known ? t.contactLeadYes : card || !c.leadId ? t.contactLeadNo : null);
  row("comment", t.ratingComment, c.ratingComment);
  return rows.flat();
}

/** Loads and shows the contact card of the selected conversation; reloads when the conversation moves on. */
export class ContactCards {
  constructor({ api, t }) {
    this.api = api; // () => AgentApi
    this.t = t;
    this.cards = new Map(); // conversation id → {key, card}
  }

  show(el, conversation) {
    const c = conversation;
    const key = `${c.leadId}|${c.messageCount}|${c.mode}`;
    const known = this.cards.get(c.id);
    this.render(el, c, known?.card ?? null);
    if (known?.key === key || !this.api()) return;
    this.cards.set(c.id, { key, card: known?.card ?? null });
    this.api()
      .contact(c.id)
      .then((card) => {
        this.cards.set(c.id, { key, card });
        if (el.isConnected && el.dataset.conversation === c.id) this.render(el, c, card);
      })
      .catch(() => this.cards.delete(c.id)); // shown from the conversation alone; the next update tries again
  }

  render(el, conversation, card) {
    el.dataset.conversation = conversation.id;
    replaceChildren(el, h("h2", { class: "section-title", text: this.t.contact }), h("dl", { class: "contact-list" }, contactRows(this.t, conversation, card)));
  }
}

/**
 * Search over all of the tenant's conversations on the server, debounced. Until the server answers
 * (or when it cannot), the page filters the conversations it holds, so typing always shows something.
 */
export class ServerSearch {
  constructor({ api, onChange, delayMs = SEARCH_DEBOUNCE_MS, timers = globalThis }) {
    this.api = api; // () => AgentApi
    this.onChange = onChange;
    this.delayMs = delayMs;
    this.timers = timers;
    this.query = "";
    this.results = null; // conversations from the server for `query`, or null (filter locally)
    this.failed = false;
    this.pending = false;
    this.seq = 0;
  }

  get active() {
    return this.results !== null;
  }

  update(query) {
    const q = String(query ?? "").trim();
    if (q === this.query) return;
    this.query = q;
    this.results = null;
    this.failed = false;
    this.seq += 1;
    this.timers.clearTimeout(this.timer);
    this.pending = searchable(q);
    if (this.pending) this.timer = this.timers.setTimeout(() => this.run(q, this.seq), this.delayMs);
    this.onChange();
  }

  async run(q, seq) {
    try {
      const data = await this.api().conversations({ q, limit: SEARCH_LIMIT });
      if (seq !== this.seq) return; // the agent typed on meanwhile
      this.results = (data.conversations ?? []).map((c) => normalizeConversation(c.id, c));
    } catch {
      if (seq !== this.seq) return;
      this.failed = true; // e.g. offline: the local filter stays
    }
    this.pending = false;
    this.onChange();
  }

  /** The list to show: the server's matches (their live versions where the page has them), else the local filter. */
  visible(conversations, localMatch) {
    if (!this.query) return conversations;
    if (!this.active) return conversations.filter(localMatch);
    const live = new Map(conversations.map((c) => [c.id, c]));
    return this.results.map((c) => live.get(c.id) ?? c);
  }

  /** A line under the search box saying where the matches come from. */
  note(t, count) {
    if (!this.query) return "";
    if (this.active) return t.searchFound(count);
    if (this.failed) return t.searchOffline;
    return this.pending ? t.searching : t.searchTooShort;
  }
}
