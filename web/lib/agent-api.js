// The agent's side of the HTTP contract (the `agent` function), authenticated with a Firebase ID token.
import { BearerClient, buildUrl } from "./http.js";
import { normalizeMessage } from "./message-store.js";
import { normalizeConversation, normalizeNote } from "./streams.js";
import { createPoller } from "./live.js";

export class AgentApi extends BearerClient {
  me() {
    return this.call("GET", "/api/agent/me");
  }

  /** A file the guest sent, as a Blob (the bucket is private; only the agent function reads it). */
  async media(id, name) {
    const token = await this.getToken();
    const url = buildUrl(this.baseUrl, `/api/agent/conversations/${encodeURIComponent(id)}/media/${encodeURIComponent(name)}`);
    const response = await this.fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.blob();
  }

  /** → {conversations: [...newest activity first], cursor}; with `q`, only those matching every word (server-side search). */
  conversations({ mode = null, limit = 50, after = null, q = null } = {}) {
    return this.call("GET", "/api/agent/conversations", { params: { mode, limit, after, q } });
  }

  /** → the contact card: {name, phone, email, whatsapp, channel, language, page_url, last_page_url, leads} */
  contact(id) {
    return this.call("GET", `/api/agent/conversations/${encodeURIComponent(id)}/contact`);
  }

  /** → {messages, notes, cursor, conversation} */
  messages(id, after = null) {
    return this.call("GET", `/api/agent/conversations/${encodeURIComponent(id)}/messages`, { params: { after } });
  }

  action(id, name, body) {
    return this.call("POST", `/api/agent/conversations/${encodeURIComponent(id)}/${name}`, { body: body ?? {} });
  }

  takeover(id) {
    return this.action(id, "takeover");
  }

  reply(id, text) {
    return this.action(id, "reply", { text });
  }

  release(id) {
    return this.action(id, "release");
  }

  close(id) {
    return this.action(id, "close");
  }

  addNote(id, text) {
    return this.action(id, "notes", { text });
  }

  /** → {dead_letters: [...newest first]} — admins only (403 for agents). */
  deadLetters(limit = 20) {
    return this.call("GET", "/api/agent/dead-letters", { params: { limit } });
  }
}

/** Polls the conversation list (and the pending queue); each tick replaces the lists (bounded by limit). */
export function conversationListPoller(api, { mode = null, limit = 50 }, { onConversations, onError, intervalMs, timers }) {
  return createPoller({
    intervalMs,
    timers,
    onError,
    maxPagesPerTick: 1, // the newest `limit` conversations each time, never the whole history
    fetchPage: async () => {
      const data = await api.conversations({ mode, limit });
      return { items: data.conversations ?? [], more: false };
    },
    onPage: (page) => onConversations(page.items.map((c) => normalizeConversation(c.id, c))),
  });
}

/** Polls one conversation: new messages after the cursor, its notes, and its current state. */
export function conversationPoller(api, id, { onMessages, onNotes, onConversation, onError, intervalMs, timers }) {
  return createPoller({
    intervalMs,
    timers,
    onError,
    fetchPage: async (cursor) => {
      const data = await api.messages(id, cursor);
      return { ...data, items: data.messages ?? [] };
    },
    onPage: (page) => {
      // Messages seen before whose delivery status changed (WhatsApp) replace their earlier copy.
      const messages = [...page.items, ...(page.deliveries ?? [])].map((m) => normalizeMessage(m.id, m));
      if (messages.length) onMessages(messages);
      if (page.notes && onNotes) onNotes(page.notes.map((n) => normalizeNote(n.id, n)));
      if (page.conversation && onConversation) onConversation(normalizeConversation(page.conversation.id ?? id, page.conversation));
    },
  });
}
