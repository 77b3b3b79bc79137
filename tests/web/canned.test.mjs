// Canned responses in the pages: the dashboard picker's matching and insertion (web/dashboard/canned.js)
// and the admin page's calls (web/admin/api.js), under Node.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { AdminApi } from "../../web/admin/api.js";
import { STRINGS } from "../../web/admin/i18n.js";
import { filterCanned, fold, insertAt } from "../../web/dashboard/canned.js";

const ITEMS = [
  { code: "welcome", title: "Front desk greeting", text: "Hello, this is the front desk.", language: "en" },
  { code: "cennik", title: "Cennik pakietów", text: "Standard od 1200 zł/m².", language: "pl" },
  { code: "powitanie", title: "Powitanie", text: "Dzień dobry, tu konsultant.", language: "pl" },
  { code: "parking", title: "Parking", text: "60 PLN per night.", language: null },
];

describe("the reply box's canned-response picker", () => {
  test("a code prefix ranks before a match in the title or the text", () => {
    assert.deepEqual(filterCanned(ITEMS, "p").map((i) => i.code), ["parking", "powitanie", "cennik"]);
  });

  test("matching ignores case and Polish diacritics", () => {
    assert.equal(fold("Zażółć GĘŚLĄ"), "zazolc gesla");
    assert.deepEqual(filterCanned(ITEMS, "pakietow").map((i) => i.code), ["cennik"]);
    assert.deepEqual(filterCanned(ITEMS, "dzien").map((i) => i.code), ["powitanie"]);
  });

  test("with nothing typed every response is offered, the conversation's language first", () => {
    assert.deepEqual(filterCanned(ITEMS, "", "en").map((i) => i.code), ["parking", "welcome", "cennik", "powitanie"]);
    assert.deepEqual(filterCanned(ITEMS, "", "pl").map((i) => i.code), ["cennik", "parking", "powitanie", "welcome"]);
  });

  test("choosing replaces the slash and its query before the caret, keeping the text around it", () => {
    assert.deepEqual(insertAt("/cen", 4, "Standard od 1200 zł."), { value: "Standard od 1200 zł.", caret: 20 });
    assert.deepEqual(insertAt("Dzień dobry! /pow and more", 17, "X"), { value: "Dzień dobry! X and more", caret: 14 });
  });

  test("a slash inside a word (a date, a URL) is not a trigger", () => {
    assert.deepEqual(insertAt("1/2", 3, "X"), { value: "1/2X", caret: 4 });
  });
});

describe("the admin page's canned responses", () => {
  test("put and delete name the code in the path, encoded, with the admin's token", async () => {
    const calls = [];
    const fetch = async (url, init) => {
      calls.push({ url: new URL(url), ...init });
      return new Response(JSON.stringify({ code: "cennik" }), { status: 201, headers: { "Content-Type": "application/json" } });
    };
    const api = new AdminApi({ baseUrl: "http://admin.test", getToken: async () => "id-token-1", fetch });
    await api.putCannedResponse("cennik", { title: "Cennik", text: "Od 1200 zł", language: "pl" });
    await api.deleteCannedResponse("a/b");
    assert.equal(calls[0].method, "PUT");
    assert.equal(calls[0].url.pathname, "/api/admin/canned-responses/cennik");
    assert.deepEqual(JSON.parse(calls[0].body), { title: "Cennik", text: "Od 1200 zł", language: "pl" });
    assert.equal(calls[0].headers.Authorization, "Bearer id-token-1");
    assert.equal(calls[1].url.pathname, "/api/admin/canned-responses/a%2Fb");
  });

  test("a refused form gets every bad field from the 400's details", async () => {
    const details = [{ field: "title", message: "must not be empty" }];
    const fetch = async () => new Response(JSON.stringify({ error: "Validation Failed", message: "Invalid", details }), { status: 400 });
    const api = new AdminApi({ baseUrl: "http://admin.test", getToken: async () => "t", fetch });
    await assert.rejects(api.putCannedResponse("x", {}), (err) => err.status === 400 && err.details[0].field === "title");
  });

  test("English and Polish have the same canned-response strings", () => {
    const keys = (lang) => Object.keys(STRINGS[lang]).filter((k) => k.startsWith("canned") || k === "languageName").sort();
    assert.deepEqual(keys("pl"), keys("en"));
    assert.ok(keys("en").length > 20);
  });
});
