// WhatsApp delivery status in the dashboard's data path: a polled update replaces the message it
// belongs to, so the view re-renders it with its new status.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";

import { conversationPoller } from "../../web/lib/agent-api.js";
import { MessageStore, normalizeMessage } from "../../web/lib/message-store.js";
import { waitFor } from "./helpers.mjs";

const pollers = [];
afterEach(() => pollers.splice(0).forEach((p) => p.stop()));

const reply = { id: "20260101100000000000-aabc123", role: "agent", text: "Hi, Emma here.", created_at: "2026-01-01T10:00:00Z" };

describe("delivery status on the agent's polling path", () => {
  test("a message is read with its delivery status, and without one it has none", () => {
    assert.equal(normalizeMessage(reply.id, { ...reply, delivery_status: "read" }).deliveryStatus, "read");
    assert.equal(normalizeMessage(reply.id, reply).deliveryStatus, null);
  });

  test("a delivery update after the cursor replaces the message the store already holds", async () => {
    const cursors = [];
    const api = {
      async messages(id, cursor) {
        cursors.push(cursor);
        if (cursor == null) return { messages: [reply], notes: [], cursor: reply.created_at, deliveries: [] };
        return { messages: [], notes: [], cursor, deliveries: [{ ...reply, delivery_status: "delivered" }] };
      },
    };
    const store = new MessageStore();
    const added = [];
    pollers.push(conversationPoller(api, "hotel.c1", { onMessages: (m) => added.push(...store.upsert(m)), intervalMs: 20 }).start());
    await waitFor(() => store.list()[0]?.deliveryStatus === "delivered", "the delivered status");
    assert.equal(store.size, 1, "the update is the same message, not a new one");
    assert.equal(added.length, 1);
    assert.ok(cursors.includes(reply.created_at), "updates are asked for after the cursor");
  });
});
