// The polling fallback and the HTTP clients (web/lib/chat-api.js, agent-api.js, live.js) against
// a stub HTTP server speaking the chat and agent functions' contract.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";

import { AgentApi, conversationListPoller, conversationPoller } from "../../web/lib/agent-api.js";
import { ChatApi, SessionStore, guestPoller } from "../../web/lib/chat-api.js";
import { ApiError } from "../../web/lib/http.js";
import { createPoller } from "../../web/lib/live.js";
import { MessageStore } from "../../web/lib/message-store.js";
import { stubServer, waitFor } from "./helpers.mjs";

const PAGE = 50; // the functions return at most 50 messages a call

const servers = [];
const pollers = [];
afterEach(async () => {
  pollers.splice(0).forEach((p) => p.stop());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function stub(handler) {
  const server = await stubServer(handler);
  servers.push(server);
  return server;
}

/** A conversation's messages as the chat function serves them: after a cursor (ISO time), 50 at most. */
function messageLog() {
  const messages = [];
  const start = Date.parse("2026-01-01T10:00:00Z");
  return {
    messages,
    mode: "bot",
    add(role, text) {
      const at = new Date(start + messages.length * 1000).toISOString();
      messages.push({ id: `m-${String(messages.length).padStart(3, "0")}`, role, text, created_at: at });
    },
    page(after) {
      const newer = messages.filter((m) => !after || m.created_at > after).slice(0, PAGE);
      return { messages: newer, cursor: newer.length ? newer.at(-1).created_at : after ?? null, mode: this.mode };
    },
  };
}

describe("the guest's polling fallback", () => {
  test("catches up a long conversation in bounded pages, then sends only what is new", async () => {
    const log = messageLog();
    for (let i = 0; i < 120; i++) log.add(i % 2 ? "bot" : "guest", `wiadomość ${i}`);
    const server = await stub((req, url) => {
      assert.equal(url.pathname, "/api/chat/messages");
      return { json: log.page(url.searchParams.get("after")) };
    });
    const store = new MessageStore();
    const modes = [];
    const api = new ChatApi({ baseUrl: server.url });
    const poller = guestPoller(
      api,
      { tenant: "novahouse", conversationId: "novahouse.c1", sessionId: "s_abc" },
      { onMessages: (list) => store.upsert(list), onMode: (m) => modes.push(m), intervalMs: 40 },
    );
    pollers.push(poller.start());

    await waitFor(() => store.size === 120, "the whole history");
    const first = server.requests.slice(0, 3);
    assert.deepEqual(first.map((r) => r.query.after), [undefined, log.messages[49].created_at, log.messages[99].created_at]);
    assert.deepEqual(first[0].query, { tenant: "novahouse", conversation_id: "novahouse.c1", session_id: "s_abc" });
    assert.deepEqual(store.list().map((m) => m.text).slice(0, 2), ["wiadomość 0", "wiadomość 1"]);

    // An agent joins: the next poll brings the notice and the reply, and the mode.
    const seen = server.requests.length;
    log.mode = "human";
    log.add("system", "Konsultant Anna dołączyła do rozmowy.");
    log.add("agent", "Dzień dobry, tu Anna.");
    await waitFor(() => store.size === 122, "the agent's reply");
    assert.equal(store.list().at(-1).role, "agent");
    assert.equal(modes.at(-1), "human");
    const later = server.requests.slice(seen);
    assert.ok(later.every((r) => r.query.after === log.messages[119].created_at || r.query.after === log.messages[121].created_at), "every later poll passes the cursor back");
    assert.ok(later.every((r) => r.method === "GET"));
  });

  test("keeps polling every interval, at most a few pages a tick", async () => {
    let calls = 0;
    const server = await stub(() => {
      calls++;
      // A server that always says "a full page": the poller must still stop after maxPagesPerTick.
      return { json: { messages: Array.from({ length: PAGE }, (_, i) => ({ id: `x-${calls}-${i}`, role: "bot", text: "x", created_at: new Date().toISOString() })), cursor: `c${calls}`, mode: "bot" } };
    });
    const api = new ChatApi({ baseUrl: server.url });
    const poller = createPoller({
      intervalMs: 200,
      maxPagesPerTick: 3,
      fetchPage: async (cursor) => {
        const data = await api.messages({ tenant: "t", conversationId: "t.c", sessionId: "s_x", after: cursor });
        return { ...data, items: data.messages };
      },
      onPage: () => {},
    });
    pollers.push(poller.start());
    await waitFor(() => calls >= 3, "the first tick");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls, 3, "one tick fetches at most maxPagesPerTick pages");
    // The server counts a call when the request arrives; the cursor moves only when the response lands.
    await waitFor(() => poller.cursor === "c6", "the next tick's last page to land, one interval later");
    assert.equal(calls, 6, "the next tick also stops after maxPagesPerTick pages");
  });

  test("backs off on errors and recovers", async () => {
    let fail = 2;
    const times = [];
    const server = await stub(() => {
      times.push(Date.now());
      if (fail-- > 0) return { status: 503, json: { error: "Unavailable", message: "try later" } };
      return { json: { messages: [], cursor: null, mode: "bot" } };
    });
    const errors = [];
    const poller = guestPoller(
      new ChatApi({ baseUrl: server.url }),
      { tenant: "t", conversationId: "t.c", sessionId: "s_x" },
      { onMessages: () => {}, onMode: () => {}, onError: (e) => errors.push(e), intervalMs: 50 },
    );
    pollers.push(poller.start());
    await waitFor(() => times.length >= 4, "recovery");
    assert.equal(errors.length, 2);
    assert.ok(errors[0] instanceof ApiError && errors[0].status === 503 && errors[0].code === "Unavailable");
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps[0] >= 90 && gaps[1] >= 190, `intervals double after failures: ${gaps}`);
  });

  test("now() polls at once (after the page sent something) instead of waiting for the interval", async () => {
    let calls = 0;
    const server = await stub(() => {
      calls++;
      return { json: { messages: [], cursor: null, mode: "bot" } };
    });
    const poller = guestPoller(
      new ChatApi({ baseUrl: server.url }),
      { tenant: "t", conversationId: "t.c", sessionId: "s_x" },
      { onMessages: () => {}, onMode: () => {}, intervalMs: 60_000 },
    );
    pollers.push(poller.start());
    await waitFor(() => calls === 1, "the first poll");
    await poller.now();
    assert.equal(calls, 2);
  });
});

describe("the guest's HTTP client", () => {
  test("speaks the chat contract and turns errors into ApiError with Retry-After", async () => {
    const server = await stub((req, url, body) => {
      if (url.pathname === "/api/chat/session") return { json: { session_id: "s_1", conversation_id: "novahouse.c1", token: "tok", greeting: "Dzień dobry!" } };
      if (url.pathname === "/api/chat" && body.message === "za szybko") return { status: 429, headers: { "Retry-After": "7" }, json: { error: "RateLimited", message: "Too many messages" } };
      if (url.pathname === "/api/chat") return { json: { session_id: body.session_id, conversation_id: "novahouse.c1", response: "72 000 zł", source: "tool", intent: "quote", language: "pl", suggestions: [], timestamp: "x" } };
      if (url.pathname === "/api/chat/rating") return { json: { success: true } };
      return { status: 404, json: { error: "NotFound", message: "no" } };
    });
    const api = new ChatApi({ baseUrl: server.url });
    const session = await api.startSession("novahouse");
    assert.equal(session.conversation_id, "novahouse.c1");
    const turn = await api.send({ tenant: "novahouse", sessionId: "s_1", message: "Ile kosztuje Standard za 60 m2?" });
    assert.equal(turn.response, "72 000 zł");
    assert.deepEqual(server.requests[1].body, { tenant: "novahouse", message: "Ile kosztuje Standard za 60 m2?", session_id: "s_1" });
    await api.rate({ conversationId: "novahouse.c1", sessionId: "s_1", score: 5 });
    assert.deepEqual(server.requests[2].body, { conversation_id: "novahouse.c1", session_id: "s_1", score: 5 });

    await assert.rejects(api.send({ tenant: "novahouse", sessionId: "s_1", message: "za szybko" }), (err) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 429);
      assert.equal(err.retryAfter, 7);
      assert.equal(err.message, "Too many messages");
      return true;
    });
    await assert.rejects(new ChatApi({ baseUrl: "http://127.0.0.1:9" }).startSession("x"), (err) => err instanceof ApiError && err.status === 0);
  });

  test("keeps the session per tenant across reloads, and survives broken storage", () => {
    const memory = new Map();
    const storage = { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => memory.set(k, v), removeItem: (k) => memory.delete(k) };
    const store = new SessionStore(storage, "novahouse");
    assert.equal(store.load(), null);
    store.save({ session_id: "s_1", conversation_id: "novahouse.c1", token: "t" });
    assert.equal(new SessionStore(storage, "novahouse").load().session_id, "s_1", "a new page load finds it");
    assert.equal(new SessionStore(storage, "hotel").load(), null, "another tenant's widget does not");
    store.update({ rated: true });
    assert.equal(store.load().rated, true);
    memory.set("chatdesk:novahouse:session", "{not json");
    assert.equal(store.load(), null);
    const broken = { getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("quota"); }, removeItem: () => {} };
    const fragile = new SessionStore(broken, "novahouse");
    assert.equal(fragile.load(), null);
    assert.doesNotThrow(() => fragile.save({ session_id: "s", conversation_id: "c" }));
  });
});

describe("the agent's polling fallback and HTTP client", () => {
  test("sends the ID token, polls the list and the queue, and a conversation's messages, notes and state", async () => {
    const log = messageLog();
    log.add("guest", "Chcę rozmawiać z konsultantem");
    let conversation = { id: "novahouse.c1", tenant: "novahouse", channel: "web", mode: "pending", language: "pl", updated_at: "2026-01-01T10:00:05Z", message_count: 1, last_message: { role: "guest", text: "Chcę rozmawiać z konsultantem" }, assigned_agent: null, rating: null };
    const notes = [];
    let token = 1;
    const server = await stub((req, url, body) => {
      if (req.headers.authorization !== `Bearer id-token-${token}`) return { status: 401, json: { error: "Unauthorized", message: "bad token" } };
      const p = url.pathname;
      if (p === "/api/agent/conversations") {
        const mode = url.searchParams.get("mode");
        return { json: { conversations: [conversation].filter((c) => !mode || c.mode === mode) } };
      }
      if (p === "/api/agent/conversations/novahouse.c1/messages") return { json: { ...log.page(url.searchParams.get("after")), notes, conversation } };
      if (p === "/api/agent/conversations/novahouse.c1/takeover") {
        if (conversation.mode === "human") return { status: 409, json: { error: "Conflict", message: "Anna is handling this conversation" } };
        conversation = { ...conversation, mode: "human", assigned_agent: { uid: "u1", name: "Anna" } };
        log.add("system", "Konsultant Anna dołączyła do rozmowy.");
        return { json: { conversation } };
      }
      if (p === "/api/agent/conversations/novahouse.c1/reply") {
        log.add("agent", body.text);
        return { json: { conversation } };
      }
      if (p === "/api/agent/conversations/novahouse.c1/notes") {
        notes.push({ id: `n${notes.length}`, text: body.text, author: { uid: "u1", name: "Anna" }, created_at: "2026-01-01T10:01:00Z" });
        return { json: { conversation } };
      }
      return { status: 404, json: { error: "NotFound", message: p } };
    });
    const api = new AgentApi({ baseUrl: server.url, getToken: async () => `id-token-${token}` });

    let list = [];
    let queue = [];
    pollers.push(conversationListPoller(api, {}, { onConversations: (l) => (list = l), intervalMs: 40 }).start());
    pollers.push(conversationListPoller(api, { mode: "pending" }, { onConversations: (l) => (queue = l), intervalMs: 40 }).start());
    await waitFor(() => list.length === 1 && queue.length === 1, "the list and the queue");
    assert.equal(queue[0].mode, "pending");
    assert.ok(queue[0].updatedAt instanceof Date);

    const store = new MessageStore();
    let state = null;
    let seenNotes = [];
    pollers.push(
      conversationPoller(api, "novahouse.c1", {
        onMessages: (m) => store.upsert(m),
        onNotes: (n) => (seenNotes = n),
        onConversation: (c) => (state = c),
        intervalMs: 40,
      }).start(),
    );
    await waitFor(() => store.size === 1 && state?.mode === "pending", "the conversation");

    const taken = await api.takeover("novahouse.c1");
    assert.equal(taken.conversation.mode, "human");
    await waitFor(() => queue.length === 0, "the queue to empty after the take-over");
    await assert.rejects(api.takeover("novahouse.c1"), (err) => err.status === 409 && /Anna/.test(err.message));

    await api.reply("novahouse.c1", "Dzień dobry, tu Anna.");
    await api.addNote("novahouse.c1", "Oddzwonić jutro");
    await waitFor(() => store.size === 3 && seenNotes.length === 1 && state.assignedAgent?.name === "Anna", "reply, note and state");
    assert.deepEqual(store.list().map((m) => m.role), ["guest", "system", "agent"]);

    const paths = new Set(server.requests.map((r) => `${r.method} ${r.path}`));
    for (const expected of ["GET /api/agent/conversations", "POST /api/agent/conversations/novahouse.c1/takeover", "POST /api/agent/conversations/novahouse.c1/reply", "POST /api/agent/conversations/novahouse.c1/notes"]) {
      assert.ok(paths.has(expected), expected);
    }
    assert.ok(server.requests.some((r) => r.path === "/api/agent/conversations" && r.query.mode === "pending" && r.query.limit === "50"));

    token = 2; // the page's old token is refused
    await assert.rejects(new AgentApi({ baseUrl: server.url, getToken: async () => "id-token-1" }).me(), (err) => err.status === 401);
  });
});
