// The guest's side of the HTTP contract (the `chat` function) and the session kept across reloads.
import { ApiError, buildUrl, requestJson } from "./http.js";
import { normalizeMessage } from "./message-store.js";
import { createPoller } from "./live.js";

const MAX_PAGE_URL = 500;

/** The page the guest is on, for the agent's contact card: origin and path only (a query or fragment can carry tokens). */
export function pageUrl(loc = globalThis.location) {
  try {
    if (!loc || !/^https?:$/.test(loc.protocol)) return null;
    return `${loc.origin}${loc.pathname}`.slice(0, MAX_PAGE_URL);
  } catch {
    return null;
  }
}

export class ChatApi {
  constructor({ baseUrl, fetch: fetchFn = globalThis.fetch.bind(globalThis) }) {
    this.baseUrl = baseUrl;
    this.fetch = fetchFn;
  }

  /** POST /api/chat/session → {session_id, conversation_id, token, greeting} */
  startSession(tenant, language) {
    const body = language ? { tenant, language } : { tenant };
    const page = pageUrl();
    if (page) body.page_url = page;
    return requestJson(this.fetch, buildUrl(this.baseUrl, "/api/chat/session"), { method: "POST", body });
  }

  /** POST /api/chat → {session_id, conversation_id, response, source, intent, language, suggestions, timestamp} */
  send({ tenant, sessionId, message, language, clientMessageId }) {
    const body = { tenant, message, session_id: sessionId };
    if (language) body.language = language;
    if (clientMessageId) body.client_message_id = clientMessageId;
    const page = pageUrl();
    if (page) body.page_url = page;
    return requestJson(this.fetch, buildUrl(this.baseUrl, "/api/chat"), { method: "POST", body });
  }

  /** POST /api/chat/rating */
  rate({ conversationId, sessionId, score, comment }) {
    const body = { conversation_id: conversationId, session_id: sessionId, score };
    if (comment) body.comment = comment;
    return requestJson(this.fetch, buildUrl(this.baseUrl, "/api/chat/rating"), { method: "POST", body });
  }

  /** GET /api/chat/welcome → {availability: {open, next_opening, timezone, text}, suggestions} */
  welcome({ tenant, language }) {
    return requestJson(this.fetch, buildUrl(this.baseUrl, "/api/chat/welcome", { tenant, language }));
  }

  /** POST /api/chat/cancel-handoff → {mode}: the guest stops waiting for a person. */
  cancelHandoff({ conversationId, sessionId }) {
    const body = { conversation_id: conversationId, session_id: sessionId };
    return requestJson(this.fetch, buildUrl(this.baseUrl, "/api/chat/cancel-handoff"), { method: "POST", body });
  }

  /** POST /api/chat/uploads → {ticket, upload: {url, method, headers}, name, max_bytes, expires_at} */
  uploadTicket({ conversationId, sessionId, contentType, size }) {
    const body = { conversation_id: conversationId, session_id: sessionId, content_type: contentType, size };
    return requestJson(this.fetch, buildUrl(this.baseUrl, "/api/chat/uploads"), { method: "POST", body });
  }

  /** POST /api/chat/attachments → {already, attachment, message}: the server sniffs the file, then keeps the message. */
  finalizeAttachment({ conversationId, sessionId, ticket, fileName }) {
    const body = { conversation_id: conversationId, session_id: sessionId, ticket, file_name: fileName };
    return requestJson(this.fetch, buildUrl(this.baseUrl, "/api/chat/attachments"), { method: "POST", body });
  }

  /** GET /api/chat/messages → {messages, cursor, mode} (the polling fallback; at most 50 a call). */
  messages({ tenant, conversationId, sessionId, after }) {
    const url = buildUrl(this.baseUrl, "/api/chat/messages", {
      tenant,
      conversation_id: conversationId,
      session_id: sessionId,
      after,
    });
    return requestJson(this.fetch, url);
  }
}

/**
 * PUT a file where an upload ticket says (a signed Cloud Storage URL, or locally the chat function),
 * reporting progress 0–1; XMLHttpRequest because fetch cannot report upload progress.
 */
export function putFile(upload, file, baseUrl, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(upload.method || "PUT", new URL(upload.url, baseUrl).toString());
    for (const [name, value] of Object.entries(upload.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null; // Cloud Storage answers errors in XML
      }
      reject(new ApiError(xhr.status, data?.error ?? "UploadFailed", data?.message ?? xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, "NetworkError", "network error"));
    xhr.send(file);
  });
}

/** The guest's polling fallback: new messages and the conversation's mode, every 2 s. */
export function guestPoller(api, { tenant, conversationId, sessionId }, { onMessages, onMode, onError, onOk, intervalMs, timers }) {
  return createPoller({
    intervalMs,
    timers,
    onError,
    fetchPage: async (cursor) => {
      const data = await api.messages({ tenant, conversationId, sessionId, after: cursor });
      return { ...data, items: data.messages ?? [] };
    },
    onPage: (page) => {
      onOk?.();
      const messages = page.items.map((m) => normalizeMessage(m.id, m));
      if (messages.length) onMessages(messages);
      if (page.mode) onMode(page.mode);
    },
  });
}

/** The guest's session in localStorage (per tenant), so a reload continues the same conversation. */
export class SessionStore {
  constructor(storage, tenant) {
    this.storage = storage;
    this.key = `chatdesk:${tenant}:session`;
  }

  load() {
    try {
      const raw = this.storage?.getItem(this.key);
      const session = raw ? JSON.parse(raw) : null;
      return session && session.session_id && session.conversation_id ? session : null;
    } catch {
      return null;
    }
  }

  save(session) {
    try {
      this.storage?.setItem(this.key, JSON.stringify(session));
    } catch {
      // private mode or a full quota: the chat still works, it just won't survive a reload
    }
    return session;
  }

  update(fields) {
    const current = this.load();
    return current ? this.save({ ...current, ...fields }) : null;
  }

  clear() {
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // nothing stored, nothing to clear
    }
  }
}
