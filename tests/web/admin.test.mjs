// The admin page's data side (web/admin/api.js, view.js, experiments.js) under Node: what it sends
// to the admin function, how it reads results, and how it formats the statistics.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { AdminApi } from "../../web/admin/api.js";
import { analysesOf } from "../../web/admin/experiments.js";
import { STRINGS, pickLanguage } from "../../web/admin/i18n.js";
import { Formats, listOf, pick } from "../../web/admin/view.js";

/** A fetch that records each call and answers with the next canned response. */
function fakeFetch(...answers) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url: new URL(url), ...init });
    const { status = 200, json = {} } = answers.shift() ?? {};
    return new Response(JSON.stringify(json), { status, headers: { "Content-Type": "application/json" } });
  };
  fn.calls = calls;
  return fn;
}

const api = (fetch) => new AdminApi({ baseUrl: "http://admin.test", getToken: async () => "id-token-1", fetch });

describe("AdminApi", () => {
  test("every call carries the admin's ID token as a Bearer token", async () => {
    const fetch = fakeFetch({ json: { total_conversations: 3 } });
    const summary = await api(fetch).widget("metrics/summary", { days: 30 });
    assert.equal(summary.total_conversations, 3);
    const [call] = fetch.calls;
    assert.equal(call.url.pathname, "/api/widgets/metrics/summary");
    assert.equal(call.url.searchParams.get("days"), "30");
    assert.equal(call.headers.Authorization, "Bearer id-token-1");
  });

  test("starting an experiment sends only its new state", async () => {
    const fetch = fakeFetch({ json: {} });
    await api(fetch).setExperimentState("exp/1", "running");
    const [call] = fetch.calls;
    assert.equal(call.method, "PATCH");
    assert.equal(call.url.pathname, "/api/ab/experiments/exp%2F1");
    assert.deepEqual(JSON.parse(call.body), { state: "running" });
  });

  test("a knowledge pack is uploaded as it is, YAML as YAML and JSON as JSON", async () => {
    const fetch = fakeFetch({ json: { version: 4 } }, { json: { version: 5 } });
    const client = api(fetch);
    assert.equal((await client.uploadKnowledge("tenant: {id: x}\n", "pack.yaml")).version, 4);
    assert.equal((await client.uploadKnowledge('{"tenant": {}}', "pack.txt")).version, 5);
    const [yaml, json] = fetch.calls;
    assert.equal(yaml.method, "PUT");
    assert.equal(yaml.headers["Content-Type"], "application/yaml");
    assert.equal(yaml.body, "tenant: {id: x}\n");
    assert.equal(json.headers["Content-Type"], "application/json");
  });

  test("a refused pack keeps the server's list of bad fields", async () => {
    const details = [{ field: "packages[0].id", message: "must be a slug" }];
    const fetch = fakeFetch({ status: 400, json: { error: "Validation Failed", message: "Invalid pack", details } });
    await assert.rejects(api(fetch).uploadKnowledge("x: 1", "p.yaml"), (err) => err.status === 400 && err.details[0].field === "packages[0].id");
  });
});

describe("reading experiment results", () => {
  const analysis = { decision: "continue", variants: [{ name: "A" }, { name: "B" }] };

  test("one analysis per outcome metric, whatever the envelope", () => {
    assert.deepEqual(analysesOf({ metrics: { bot_resolution: analysis, note: "x" } }), [["bot_resolution", analysis]]);
    assert.deepEqual(analysesOf({ results: [{ ...analysis, metric: "leads" }] })[0][0], "leads");
    assert.deepEqual(analysesOf(analysis).length, 1);
    assert.deepEqual(analysesOf({}), []);
  });

  test("lists and fields are found under the names the API uses", () => {
    assert.deepEqual(listOf({ period: {}, days: [1, 2] }, "days"), [1, 2]);
    assert.deepEqual(listOf({ other: [3] }, "days"), [3]);
    assert.equal(pick({ p50_ms: 0 }, "p50_ms", "p50"), 0);
    assert.equal(pick({}, "a"), undefined);
  });
});

describe("formats", () => {
  const en = new Formats("en");
  const pl = new Formats("pl");

  test("a difference of rates is in signed percentage points", () => {
    assert.equal(en.points(0.0628), "+6.28 pp");
    assert.equal(en.points(-0.0088), "-0.88 pp");
    assert.equal(en.interval([0.025, 0.1005], (d) => en.points(d)), "+2.5 pp … +10.05 pp");
    assert.equal(en.interval(null), "—");
  });

  test("tiny always-valid p-values are not shown as zero", () => {
    assert.equal(en.p(1e-9), "< 0.001");
    assert.equal(pl.p(1e-9), "< 0,001");
    assert.equal(en.p(0.0412), "0.041");
    assert.equal(en.p(null), "—");
  });

  test("latencies read in ms or s, rates as percents", () => {
    assert.equal(en.ms(420), "420 ms");
    assert.equal(en.ms(38000), "38 s");
    assert.equal(en.percent(0.781), "78.1%");
  });
});

describe("language", () => {
  test("?lang= wins, then the browser's languages, then English", () => {
    assert.equal(pickLanguage("?lang=pl", ["en-GB"]), "pl");
    assert.equal(pickLanguage("", ["de-DE", "pl-PL"]), "pl");
    assert.equal(pickLanguage("", ["de-DE"]), "en");
  });

  test("both languages have every string", () => {
    assert.deepEqual(Object.keys(STRINGS.pl).sort(), Object.keys(STRINGS.en).sort());
    assert.equal(STRINGS.pl.ratingsCount(3, "3"), "3 oceny");
    assert.equal(STRINGS.pl.ratingsCount(12, "12"), "12 ocen");
    assert.equal(STRINGS.en.ratingsCount(1, "1"), "1 rating");
  });
});
