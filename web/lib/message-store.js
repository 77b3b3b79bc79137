// The messages of one conversation as the page shows them. The listener and the poller both
// feed it (so switching paths never duplicates a message), and it holds the page's own
// optimistic messages until the server's copy arrives.
import { toDate } from "./format.js";

/** A message from a Firestore document or an HTTP payload, in the one shape the pages render. */
export function normalizeMessage(id, data) {
  return {
    id: String(id),
    role: data.role ?? "system",
    text: typeof data.text === "string" ? data.text : "",
    createdAt: toDate(data.created_at ?? data.createdAt) ?? new Date(),
    source: data.source ?? null,
    intent: data.intent ?? null,
    confidence: typeof data.confidence === "number" ? data.confidence : null,
    used: Array.isArray(data.used) ? data.used.map(String) : [],
    author: data.author ? { uid: data.author.uid ?? null, name: data.author.name ?? "" } : null,
    // Files the guest sent (WhatsApp): the API gives their name, a Firestore document their path.
    attachments: (Array.isArray(data.attachments) ? data.attachments : []).map((a) => ({
      name: a.name ?? String(a.path ?? "").split("/").pop(),
      contentType: a.content_type ?? "",
      size: a.size ?? 0,
    })),
    deliveryStatus: data.delivery_status ?? null, // WhatsApp: queued, sent, delivered, read, failed, undelivered
    local: false,
    failed: false,
  };
}

let localSeq = 0;

export class MessageStore {
  constructor() {
    this.byId = new Map();
    this.locals = [];
    this.replacements = []; // [localId, serverId]: lets a view keep the element it already shows
  }

  /** Add or replace server messages; returns the ones that were new. */
  upsert(messages) {
    const added = [];
    for (const message of messages) {
      const known = this.byId.has(message.id);
      this.byId.set(message.id, message);
      if (known) continue;
      added.push(message);
      const echo = this.locals.findIndex((l) => l.role === message.role && l.text.trim() === message.text.trim());
      if (echo !== -1) {
        this.replacements.push([this.locals[echo].id, message.id]);
        this.locals.splice(echo, 1);
      }
    }
    return added;
  }

  /** An optimistic message shown until the server's copy (same role and text) arrives. */
  addLocal(role, text, extra = {}) {
    const message = { ...normalizeMessage(`local-${++localSeq}`, { role, text }), ...extra, local: true };
    this.locals.push(message);
    return message;
  }

  /** The [localId, serverId] pairs confirmed since the last call. */
  takeReplacements() {
    const out = this.replacements;
    this.replacements = [];
    return out;
  }

  removeLocal(id) {
    this.locals = this.locals.filter((m) => m.id !== id);
  }

  markFailed(id) {
    const m = this.locals.find((l) => l.id === id);
    if (m) m.failed = true;
  }

  get size() {
    return this.byId.size + this.locals.length;
  }

  /**
   * Everything in display order: server messages by time; the page's own unconfirmed messages
   * after them in the order they were made (client clocks drift, so they are not sorted by time),
   * except a local greeting (`first: true`), which opens the conversation.
   */
  list() {
    const server = [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    const first = this.locals.filter((m) => m.first);
    const rest = this.locals.filter((m) => !m.first);
    return [...first, ...server, ...rest];
  }
}
