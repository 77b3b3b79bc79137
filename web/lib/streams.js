// Firestore listeners for the pages. The Firebase SDK functions are passed in (`sdk`), so the
// same code runs in the browser (our bundled SDK) and under Node in tests (the npm package).
// Clients only read: every write goes through a function.
import { toDate } from "./format.js";
import { normalizeMessage } from "./message-store.js";

export const MESSAGE_LIMIT = 500; // a chat, not an archive: the newest 500 messages of a conversation
export const LIST_LIMIT = 50;

export function conversationsPath(tenant) {
  return `tenants/${tenant}/conversations`;
}

/** A conversation from a Firestore document or an HTTP payload; the guest's session id is dropped. */
export function normalizeConversation(id, data) {
  const last = data.last_message ?? data.lastMessage ?? null;
  const agent = data.assigned_agent ?? data.assignedAgent ?? null;
  return {
    id: String(id ?? data.id),
    tenant: data.tenant ?? null,
    channel: data.channel ?? "web",
    mode: data.mode ?? "bot",
    language: data.language ?? null,
    createdAt: toDate(data.created_at ?? data.createdAt),
    updatedAt: toDate(data.updated_at ?? data.updatedAt),
    messageCount: data.message_count ?? data.messageCount ?? 0,
    lastMessage: last ? { role: last.role ?? null, text: last.text ?? "", at: toDate(last.at) } : null,
    assignedAgent: agent ? { uid: agent.uid ?? null, name: agent.name ?? "" } : null,
    rating: data.rating ?? null,
    ratingComment: data.rating_comment ?? data.ratingComment ?? null,
    // Listener documents carry `recent`; API answers carry the server-made `label`.
    label: data.label ?? firstGuestWords(data.recent),
    contact: data.contact ?? null,
    leadId: data.lead_id ?? data.leadId ?? null,
    // WhatsApp: free-form replies only within 24 h of the guest's last message (API field, or derived from the document).
    replyWindowEnds: toDate(data.reply_window_ends) ?? whatsAppWindowEnds(data),
  };
}

function firstGuestWords(recent) {
  const first = Array.isArray(recent) ? recent.find((turn) => turn?.role === "guest" && turn.text) : null;
  if (!first) return null;
  const text = String(first.text).split(/\s+/).join(" ").trim();
  return text.length <= 60 ? text : `${text.slice(0, 59).trimEnd()}…`;
}

const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

function whatsAppWindowEnds(data) {
  const lastGuest = data.channel === "whatsapp" ? toDate(data.last_guest_at) : null;
  return lastGuest ? new Date(lastGuest.getTime() + WHATSAPP_WINDOW_MS) : null;
}

export function normalizeNote(id, data) {
  const author = data.author && typeof data.author === "object" ? data.author : { uid: null, name: data.author ?? "" };
  return { id: String(id), text: data.text ?? "", author, createdAt: toDate(data.created_at) ?? new Date() };
}

/**
 * onSnapshot with the readiness the fallback needs: onReady fires once, on the first snapshot
 * that came from the server (a cache-only snapshot proves nothing about the connection).
 */
export function watch(sdk, target, { onData, onReady = () => {}, onError = () => {} }) {
  let ready = false;
  return sdk.onSnapshot(
    target,
    { includeMetadataChanges: true },
    (snapshot) => {
      onData(snapshot);
      if (!ready && !snapshot.metadata.fromCache) {
        ready = true;
        onReady();
      }
    },
    (err) => onError(err),
  );
}

/** The tenant's conversations, newest activity first; `mode` narrows to one mode (e.g. the pending queue). */
export function conversationsQuery(sdk, db, { tenant, mode = null, max = LIST_LIMIT }) {
  const parts = [sdk.collection(db, conversationsPath(tenant))];
  if (mode) parts.push(sdk.where("mode", "==", mode));
  parts.push(sdk.orderBy("updated_at", "desc"), sdk.limit(max));
  return sdk.query(...parts);
}

export function watchConversations(sdk, db, options, { onConversations, onReady, onError }) {
  return watch(sdk, conversationsQuery(sdk, db, options), {
    onData: (snap) => onConversations(snap.docs.map((d) => normalizeConversation(d.id, d.data()))),
    onReady,
    onError,
  });
}

export function watchConversation(sdk, db, { tenant, conversationId }, { onConversation, onReady, onError }) {
  const ref = sdk.doc(db, `${conversationsPath(tenant)}/${conversationId}`);
  return watch(sdk, ref, {
    onData: (snap) => onConversation(snap.exists() ? normalizeConversation(snap.id, snap.data()) : null),
    onReady,
    onError,
  });
}

export function messagesQuery(sdk, db, { tenant, conversationId, max = MESSAGE_LIMIT, audience = null }) {
  const messages = sdk.collection(db, `${conversationsPath(tenant)}/${conversationId}/messages`);
  // A guest asks only for what is meant for them: the rules refuse a query that could return staff-only notices.
  const only = audience ? [sdk.where("audience", "in", audience)] : [];
  return sdk.query(messages, ...only, sdk.orderBy("created_at", "desc"), sdk.limit(max));
}

/** The conversation's messages (oldest first); every snapshot is the complete current list. */
export function watchMessages(sdk, db, options, { onMessages, onReady, onError }) {
  return watch(sdk, messagesQuery(sdk, db, options), {
    onData: (snap) => onMessages(snap.docs.map((d) => normalizeMessage(d.id, d.data())).reverse()),
    onReady,
    onError,
  });
}

/** Internal agent notes (agents only; the rules refuse guests). */
export function watchNotes(sdk, db, { tenant, conversationId }, { onNotes, onReady, onError }) {
  const notes = sdk.collection(db, `${conversationsPath(tenant)}/${conversationId}/notes`);
  return watch(sdk, sdk.query(notes, sdk.orderBy("created_at", "asc"), sdk.limit(MESSAGE_LIMIT)), {
    onData: (snap) => onNotes(snap.docs.map((d) => normalizeNote(d.id, d.data()))),
    onReady,
    onError,
  });
}

/**
 * Several listeners as one for liveOrPoll: ready when every one of them is, failed when any fails.
 * starters: [(handlers) => unsubscribe, …]
 */
export function allReady(starters, { onReady, onError }) {
  let pending = starters.length;
  const unsubscribes = [];
  let failed = false;
  for (const start of starters) {
    let counted = false;
    unsubscribes.push(
      start({
        onReady: () => {
          if (counted || failed) return;
          counted = true;
          if (--pending === 0) onReady();
        },
        onError: (err) => {
          if (failed) return;
          failed = true;
          onError(err);
        },
      }),
    );
  }
  return () => unsubscribes.forEach((u) => u && u());
}
