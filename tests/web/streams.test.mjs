// The pages' Firestore listeners (web/lib/streams.js, web/lib/live.js) with the Firebase JS SDK
// under Node, against the local Firestore server; data written as the functions write it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { CONNECTING, LIVE, POLLING, liveOrPoll } from "../../web/lib/live.js";
import { MessageStore } from "../../web/lib/message-store.js";
import { allReady, watchConversation, watchConversations, watchMessages, watchNotes } from "../../web/lib/streams.js";
import { closeDbs, firestoreHost, freePort, newDb, randomId, sdk, startSeeder, stopLocalFirestore, ts, waitFor } from "./helpers.mjs";

let host;
let seeder;

before(async () => {
  host = await firestoreHost();
  seeder = await startSeeder(host);
});

after(async () => {
  await closeDbs();
  await seeder?.close();
  stopLocalFirestore();
});

function conversation(tenant, id, fields = {}) {
  return {
    tenant,
    session_id: `s_${id}`,
    channel: "web",
    mode: "bot",
    language: "pl",
    created_at: ts(-600),
    updated_at: ts(-600),
    message_count: 1,
    last_message: { role: "bot", text: "Dzień dobry!", at: ts(-600) },
    assigned_agent: null,
    rating: null,
    ...fields,
  };
}

describe("the agent's conversation list", () => {
  test("updates live: newest activity first, new conversations and mode changes appear without a reload", async () => {
    const tenant = randomId("tenant");
    const base = `tenants/${tenant}/conversations`;
    await seeder.set(`${base}/c-old`, conversation(tenant, "old", { updated_at: ts(-300) }));
    await seeder.set(`${base}/c-new`, conversation(tenant, "new", { updated_at: ts(-100) }));

    let latest = null;
    let ready = false;
    const stop = watchConversations(sdk, newDb(host), { tenant }, {
      onConversations: (list) => (latest = list),
      onReady: () => (ready = true),
      onError: (err) => assert.fail(err),
    });
    await waitFor(() => ready && latest?.length === 2, "the first server snapshot");
    assert.deepEqual(latest.map((c) => c.id), ["c-new", "c-old"]);
    assert.equal(latest[0].lastMessage.text, "Dzień dobry!");
    assert.ok(!("session_id" in latest[0]) && !("sessionId" in latest[0]), "the guest's session id never reaches the page's model");

    // The old one gets a new message: it moves to the top.
    await seeder.update(`${base}/c-old`, { updated_at: ts(0), mode: "pending", last_message: { role: "guest", text: "Chcę rozmawiać z konsultantem", at: ts(0) } });
    await waitFor(() => latest[0].id === "c-old", "the updated conversation to move to the top");
    assert.equal(latest[0].mode, "pending");
    assert.equal(latest[0].lastMessage.role, "guest");

    // A brand-new conversation appears.
    await seeder.set(`${base}/c-third`, conversation(tenant, "third", { updated_at: ts(5) }));
    await waitFor(() => latest.length === 3 && latest[0].id === "c-third", "the new conversation");
    stop();
  });

  // A conversation leaving the queue (taken over) is not checked here: the local server does not
  // tell a listener that a document left a filtered query (real Firestore does), so the SDK keeps
  // the stale document. The browser e2e checks it on the polling path.
  test("the waiting-for-a-person queue holds only pending conversations, new ones arriving live", async () => {
    const tenant = randomId("tenant");
    const base = `tenants/${tenant}/conversations`;
    await seeder.set(`${base}/c-bot`, conversation(tenant, "bot"));
    await seeder.set(`${base}/c-wait`, conversation(tenant, "wait", { mode: "pending", updated_at: ts(-30) }));

    let queue = null;
    const stop = watchConversations(sdk, newDb(host), { tenant, mode: "pending" }, { onConversations: (list) => (queue = list) });
    await waitFor(() => queue?.length === 1, "the pending conversation");
    assert.equal(queue[0].id, "c-wait");

    // A bot conversation whose guest asks for a person joins the queue.
    await seeder.update(`${base}/c-bot`, { mode: "pending", updated_at: ts(0) });
    await waitFor(() => queue.length === 2, "a second conversation waiting");
    assert.deepEqual(queue.map((c) => c.id).sort(), ["c-bot", "c-wait"]);
    assert.ok(queue.every((c) => c.mode === "pending"));
    stop();
  });

  test("another tenant's conversations never show up", async () => {
    const mine = randomId("tenant");
    const other = randomId("tenant");
    await seeder.set(`tenants/${other}/conversations/c-x`, conversation(other, "x"));
    let list = null;
    let ready = false;
    const stop = watchConversations(sdk, newDb(host), { tenant: mine }, { onConversations: (l) => (list = l), onReady: () => (ready = true) });
    await waitFor(() => ready, "the first server snapshot");
    assert.deepEqual(list, []);
    stop();
  });
});

describe("the message stream", () => {
  test("a guest's stream (audience all or guest) never carries a staff-only notice", async () => {
    const tenant = randomId("tenant");
    const conv = `tenants/${tenant}/conversations/c-1`;
    await seeder.set(conv, conversation(tenant, "1"));
    await seeder.set(`${conv}/messages/m-1`, { role: "guest", text: "Chcę konsultanta", audience: "all", created_at: ts(-60) });
    await seeder.set(`${conv}/messages/m-2`, { role: "system", text: "Gość poprosił o rozmowę z konsultantem.", audience: "staff", created_at: ts(-59) });
    await seeder.set(`${conv}/messages/m-3`, { role: "system", text: "Konsultant Anna dołączył(a) do rozmowy.", audience: "guest", created_at: ts(-58) });

    let texts = null;
    const key = { tenant, conversationId: "c-1", audience: ["all", "guest"] };
    const stop = watchMessages(sdk, newDb(host), key, { onMessages: (list) => (texts = list.map((m) => m.text)) });
    await waitFor(() => texts?.length === 2, "the guest's snapshot");
    assert.deepEqual(texts, ["Chcę konsultanta", "Konsultant Anna dołączył(a) do rozmowy."]);
    stop();
  });

  test("updates live in creation order, and the conversation document follows hand-offs", async () => {
    const tenant = randomId("tenant");
    const conv = `tenants/${tenant}/conversations/c-1`;
    await seeder.set(conv, conversation(tenant, "1"));
    await seeder.set(`${conv}/messages/m-2`, { role: "guest", text: "Ile kosztuje Standard?", created_at: ts(-50) });
    await seeder.set(`${conv}/messages/m-1`, { role: "bot", text: "Dzień dobry!", created_at: ts(-60), source: "faq" });

    const store = new MessageStore();
    let mode = null;
    let agent = null;
    const key = { tenant, conversationId: "c-1" };
    const stopMessages = watchMessages(sdk, newDb(host), key, { onMessages: (list) => store.upsert(list) });
    const stopConversation = watchConversation(sdk, newDb(host), key, {
      onConversation: (c) => {
        mode = c?.mode;
        agent = c?.assignedAgent;
      },
    });
    await waitFor(() => store.size === 2 && mode === "bot", "the first snapshots");
    assert.deepEqual(store.list().map((m) => m.id), ["m-1", "m-2"], "oldest first, whatever the document ids");
    assert.equal(store.list()[0].source, "faq");
    assert.ok(store.list()[0].createdAt instanceof Date);

    // The page's own message is shown at once, then replaced by the stored copy (no duplicate).
    const local = store.addLocal("guest", "Czy mogę porozmawiać z konsultantem?");
    assert.equal(store.list().at(-1).id, local.id);

    // A hand-off: system notice, agent reply, mode change — all arrive live.
    await seeder.set(`${conv}/messages/m-3`, { role: "guest", text: "Czy mogę porozmawiać z konsultantem?", created_at: ts(-5) });
    await seeder.set(`${conv}/messages/m-4`, { role: "system", text: "Konsultant Anna dołączyła do rozmowy.", created_at: ts(-4) });
    await seeder.update(conv, { mode: "human", assigned_agent: { uid: "u-anna", name: "Anna" }, updated_at: ts(-4) });
    await seeder.set(`${conv}/messages/m-5`, { role: "agent", text: "Dzień dobry, tu Anna.", created_at: ts(-3), author: { uid: "u-anna", name: "Anna" } });

    await waitFor(() => store.size === 5 && mode === "human", "the agent's reply and the mode change");
    const list = store.list();
    assert.deepEqual(list.map((m) => m.id), ["m-1", "m-2", "m-3", "m-4", "m-5"]);
    assert.equal(list.filter((m) => m.local).length, 0, "the local echo was replaced by the stored message");
    assert.deepEqual(list[4].author, { uid: "u-anna", name: "Anna" });
    assert.equal(agent.name, "Anna");
    assert.deepEqual(store.takeReplacements(), [[local.id, "m-3"]]);
    stopMessages();
    stopConversation();
  });

  test("internal notes stream to agents", async () => {
    const tenant = randomId("tenant");
    const conv = `tenants/${tenant}/conversations/c-n`;
    await seeder.set(conv, conversation(tenant, "n"));
    let notes = [];
    const stop = watchNotes(sdk, newDb(host), { tenant, conversationId: "c-n" }, { onNotes: (list) => (notes = list) });
    await seeder.set(`${conv}/notes/n-1`, { text: "Oddzwonić jutro", author: { uid: "u-anna", name: "Anna" }, created_at: ts(0) });
    await waitFor(() => notes.length === 1, "the note");
    assert.equal(notes[0].text, "Oddzwonić jutro");
    assert.equal(notes[0].author.name, "Anna");
    stop();
  });
});

describe("live path vs fallback", () => {
  test("a reachable Firestore makes the listener the live path", async () => {
    const tenant = randomId("tenant");
    const conv = `tenants/${tenant}/conversations/c-l`;
    await seeder.set(conv, conversation(tenant, "l"));
    const statuses = [];
    let polled = false;
    const key = { tenant, conversationId: "c-l" };
    const live = liveOrPoll({
      timeoutMs: 5000,
      onStatus: (s) => statuses.push(s),
      listen: (handlers) =>
        allReady(
          [
            (hs) => watchMessages(sdk, newDb(host), key, { ...hs, onMessages: () => {} }),
            (hs) => watchConversation(sdk, newDb(host), key, { ...hs, onConversation: () => {} }),
          ],
          handlers,
        ),
      poll: () => {
        polled = true;
        return { stop() {}, now: async () => {} };
      },
    });
    await waitFor(() => live.mode === LIVE, "the listener to be live");
    assert.deepEqual(statuses, [CONNECTING, LIVE]);
    assert.equal(polled, false);
    live.stop();
  });

  test("an unreachable Firestore (nothing answers the channel) falls back to polling", async () => {
    const deadPort = await freePort(); // nothing listens here, like the gRPC-only server to a browser
    const statuses = [];
    let pollerStarted = false;
    const live = liveOrPoll({
      timeoutMs: 800,
      onStatus: (s) => statuses.push(s),
      listen: (handlers) => watchMessages(sdk, newDb(`127.0.0.1:${deadPort}`), { tenant: "t", conversationId: "c" }, { ...handlers, onMessages: () => {} }),
      poll: () => {
        pollerStarted = true;
        return { stop() {}, now: async () => {} };
      },
    });
    await waitFor(() => live.mode === POLLING, "the fallback", 5000);
    assert.deepEqual(statuses, [CONNECTING, POLLING]);
    assert.ok(pollerStarted);
    live.stop();
  });
});
