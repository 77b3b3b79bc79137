// liveOrPoll's decisions and the message store's reconciliation, without any server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { CONNECTING, LIVE, POLLING, liveOrPoll } from "../../web/lib/live.js";
import { MessageStore, normalizeMessage } from "../../web/lib/message-store.js";
import { normalizeConversation } from "../../web/lib/streams.js";
import { waitFor } from "./helpers.mjs";

function fakePoller() {
  const poller = { started: 0, stopped: 0, refreshed: 0, stop() { this.stopped++; }, async now() { this.refreshed++; } };
  return poller;
}

describe("liveOrPoll", () => {
  test("no first snapshot within the timeout: stop the listener and poll", async () => {
    const statuses = [];
    let unsubscribed = 0;
    const poller = fakePoller();
    const live = liveOrPoll({ timeoutMs: 50, onStatus: (s) => statuses.push(s), listen: () => () => unsubscribed++, poll: () => poller });
    assert.equal(live.mode, CONNECTING);
    await waitFor(() => live.mode === POLLING, "the fallback");
    assert.deepEqual(statuses, [CONNECTING, POLLING]);
    assert.equal(unsubscribed, 1);
    await live.refresh();
    assert.equal(poller.refreshed, 1);
    live.stop();
    assert.equal(poller.stopped, 1);
  });

  test("a listener that fails later (e.g. permission denied) also falls back, once", async () => {
    let handlers;
    let polls = 0;
    const live = liveOrPoll({ timeoutMs: 1000, listen: (h) => ((handlers = h), () => {}), poll: () => (polls++, fakePoller()) });
    handlers.onReady();
    assert.equal(live.mode, LIVE);
    assert.equal(await live.refresh(), undefined, "refresh is a no-op when live");
    handlers.onError(new Error("permission-denied"));
    handlers.onError(new Error("again"));
    assert.equal(live.mode, POLLING);
    assert.equal(polls, 1);
    assert.equal(live.error.message, "permission-denied");
    live.stop();
  });

  test("a listener that throws while starting falls back at once", () => {
    const live = liveOrPoll({ timeoutMs: 1000, listen: () => { throw new Error("no SDK"); }, poll: fakePoller });
    assert.equal(live.mode, POLLING);
    live.stop();
  });

  test("once live, the timeout does nothing", async () => {
    let polls = 0;
    const live = liveOrPoll({ timeoutMs: 30, listen: (h) => (h.onReady(), () => {}), poll: () => (polls++, fakePoller()) });
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(live.mode, LIVE);
    assert.equal(polls, 0);
    live.stop();
  });
});

describe("MessageStore", () => {
  const at = (s) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();

  test("the listener and the poller feeding the same messages never duplicate them", () => {
    const store = new MessageStore();
    const a = normalizeMessage("m1", { role: "guest", text: "hej", created_at: at(1) });
    const b = normalizeMessage("m2", { role: "bot", text: "Dzień dobry", created_at: at(2) });
    assert.equal(store.upsert([b, a]).length, 2);
    assert.equal(store.upsert([a, b]).length, 0);
    assert.deepEqual(store.list().map((m) => m.id), ["m1", "m2"]);
  });

  test("a repeated text confirms only the new local message, not an old one", () => {
    const store = new MessageStore();
    store.upsert([normalizeMessage("m1", { role: "guest", text: "tak", created_at: at(1) })]);
    const local = store.addLocal("guest", "tak");
    store.upsert([normalizeMessage("m1", { role: "guest", text: "tak", created_at: at(1) })]); // the old one again
    assert.equal(store.list().at(-1).id, local.id, "still waiting for its own copy");
    store.upsert([normalizeMessage("m2", { role: "guest", text: "tak", created_at: at(3) })]);
    assert.deepEqual(store.list().map((m) => m.id), ["m1", "m2"]);
  });

  test("a local greeting stays first; unconfirmed messages stay last whatever the client clock says", () => {
    const store = new MessageStore();
    store.addLocal("bot", "Witaj!", { first: true });
    const mine = store.addLocal("guest", "pytanie", { createdAt: new Date(0) });
    store.upsert([normalizeMessage("m1", { role: "system", text: "info", created_at: at(5) })]);
    assert.deepEqual(store.list().map((m) => m.text), ["Witaj!", "info", "pytanie"]);
    store.markFailed(mine.id);
    assert.equal(store.list().at(-1).failed, true);
  });

  test("message text stays data: markup is kept verbatim for textContent", () => {
    const m = normalizeMessage("x", { role: "guest", text: "<img src=x onerror=alert(1)>", created_at: at(1) });
    assert.equal(m.text, "<img src=x onerror=alert(1)>");
    assert.equal(normalizeMessage("y", { role: "bot", text: 42 }).text, "", "non-text never reaches the page");
  });
});

test("a conversation from HTTP and from Firestore has the same shape, without the session id", () => {
  const fromHttp = normalizeConversation("c1", { tenant: "t", mode: "human", updated_at: "2026-01-01T10:00:00Z", session_id: "s_secret", assigned_agent: { uid: "u", name: "Anna" }, last_message: { role: "agent", text: "hej" } });
  assert.equal(fromHttp.updatedAt.toISOString(), "2026-01-01T10:00:00.000Z");
  assert.equal(fromHttp.assignedAgent.name, "Anna");
  assert.ok(!JSON.stringify(fromHttp).includes("s_secret"));
  const fromFirestore = normalizeConversation("c1", { mode: "bot", updated_at: { toDate: () => new Date(0) } });
  assert.equal(fromFirestore.updatedAt.getTime(), 0);
});
