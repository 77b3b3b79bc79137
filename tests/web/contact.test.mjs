// Issue 9's inbox basics in the pages: the page URL the widget sends, the contact card's links,
// and the dashboard's debounced server-side search with its local fallback.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { pageUrl } from "../../web/lib/chat-api.js";
import { ServerSearch, httpUrl, mailHref, searchable, shortUrl, telHref } from "../../web/dashboard/contact.js";
import { STRINGS } from "../../web/dashboard/i18n.js";

function fakeTimers() {
  const timers = { queue: [], setTimeout: (fn) => timers.queue.push(fn) && timers.queue.length, clearTimeout: () => (timers.queue = []) };
  timers.flush = () => timers.queue.splice(0).forEach((fn) => fn());
  return timers;
}

describe("the page URL the widget sends", () => {
  test("keeps origin and path, drops query and fragment, caps the length", () => {
    const loc = new URL("https://novahouse.pl/oferta/lazienki?token=secret#top");
    assert.equal(pageUrl(loc), "https://novahouse.pl/oferta/lazienki");
    assert.equal(pageUrl(new URL(`https://novahouse.pl/${"a".repeat(900)}`)).length, 500);
    assert.equal(pageUrl(new URL("file:///tmp/x.html")), null);
    assert.equal(pageUrl(undefined), null);
  });
});

describe("contact card links", () => {
  test("phone becomes tel:, e-mail mailto:, only http(s) pages are linked and long ones shortened", () => {
    assert.equal(telHref("+48 600 700 800"), "tel:+48600700800");
    assert.equal(telHref("n/a"), null);
    assert.equal(mailHref("jan.kowalski@example.com"), "mailto:jan.kowalski@example.com");
    assert.equal(mailHref("not an email"), null);
    assert.equal(httpUrl("javascript:alert(1)"), null);
    assert.equal(httpUrl("https://novahouse.pl/a"), "https://novahouse.pl/a");
    const short = shortUrl(`https://novahouse.pl/${"oferta/".repeat(20)}`);
    assert.ok(short.startsWith("novahouse.pl/oferta/") && short.endsWith("…") && short.length === 42);
  });
});

describe("server-side search", () => {
  test("asks the server once after typing stops, shows its matches, and ignores a stale answer", async () => {
    const asked = [];
    const api = { conversations: async ({ q }) => (asked.push(q), { conversations: [{ id: `novahouse.${"a".repeat(24)}`, mode: "bot", label: q }] }) };
    const timers = fakeTimers();
    let changes = 0;
    const search = new ServerSearch({ api: () => api, onChange: () => changes++, timers });
    const local = [{ id: "x", label: "lazienka" }, { id: "y", label: "kuchnia" }];
    search.update("la");
    search.update("lazienka");
    assert.deepEqual(search.visible(local, (c) => c.label.includes("lazienka")).map((c) => c.id), ["x"]); // local until the server answers
    assert.equal(search.note(STRINGS.en, 1), "Searching all conversations…");
    timers.flush();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(asked, ["lazienka"]);
    assert.deepEqual(search.visible(local, () => true).map((c) => c.label), ["lazienka"]);
    assert.equal(search.note(STRINGS.pl, 1), "Znaleziono: 1 rozmowa");
    assert.equal(search.note(STRINGS.pl, 5), "Znaleziono: 5 rozmów");
    assert.ok(changes >= 3);
  });

  test("falls back to the loaded list when the server cannot answer, and a one-letter query never asks", async () => {
    const api = { conversations: async () => Promise.reject(new Error("offline")) };
    const timers = fakeTimers();
    const search = new ServerSearch({ api: () => api, onChange: () => {}, timers });
    search.update("x");
    assert.equal(timers.queue.length, 0);
    assert.equal(searchable("x"), false);
    search.update("łazienka");
    timers.flush();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(search.active, false);
    assert.equal(search.note(STRINGS.en, 0), STRINGS.en.searchOffline);
    assert.deepEqual(search.visible([{ id: "x", label: "łazienka" }, { id: "y", label: "z" }], (c) => c.label === "łazienka").map((c) => c.id), ["x"]);
  });
});
