// The eight metrics widgets: each card asks its own endpoint, so a slow or failing one never
// blanks the others. Every chart carries its numbers as a table too.
import { h } from "../lib/dom.js";
import { COLORS, card, chart, failureNote, fill, listOf, note, pick, table } from "./view.js";

const KPIS = [
  ["total_conversations", "num"],
  ["total_messages", "num"],
  ["avg_messages_per_conversation", "num"],
  ["bot_resolution_rate", "percent"],
  ["handoff_rate", "percent"],
  ["leads", "num"],
  ["csat_avg", "num"],
  ["csat_count", "num"],
  ["model_tokens", "num"],
  ["estimated_cost_usd", "money"],
];
// What the custom widget allows per grouping (shared/domain/widgets_custom.py); the API still
// checks, and its 400 names the field.
const CUSTOM_METRICS = {
  day: ["conversations", "messages", "leads", "handoffs", "handoff_rate", "csat_avg", "model_tokens"],
  variant: ["conversations", "bot_resolution_rate", "handoff_rate", "lead_rate", "csat_avg"],
  intent: ["replies"],
};
const SCORES = [1, 2, 3, 4, 5];
const ACTIVE_MINUTES = 30;

export class Overview {
  constructor({ api, t, fmt, onError }) {
    this.api = api;
    this.t = t;
    this.fmt = fmt;
    this.onError = onError;
    this.el = h("div", { class: "overview" });
  }

  render() {
    const t = this.t;
    this.cards = {
      summary: card("w-summary", t.summary, { wide: true }),
      timeline: card("w-timeline", t.timeline, { wide: true }),
      intents: card("w-intents", t.topIntents),
      packages: card("w-packages", t.topPackages),
      active: card("w-active", t.activeSessions, { lead: t.activeLead(ACTIVE_MINUTES) }),
      times: card("w-times", t.responseTimes),
      satisfaction: card("w-satisfaction", t.satisfaction),
      custom: card("w-custom", t.custom, { lead: t.customLead }),
    };
    this.el.replaceChildren(...Object.values(this.cards).map((c) => c.el));
    this.renderCustomForm();
    return this.el;
  }

  /** (Re)load every widget for the last `days` days. */
  load(days) {
    this.days = days;
    const jobs = [
      ["summary", "metrics/summary", {}, (d) => this.summary(d)],
      ["timeline", "metrics/timeline", {}, (d) => this.timeline(d)],
      ["intents", "top/intents", {}, (d) => this.intents(d)],
      ["packages", "top/packages", {}, (d) => this.packages(d)],
      ["active", "active/sessions", { minutes: ACTIVE_MINUTES }, (d) => this.active(d)],
      ["times", "response/times", {}, (d) => this.times(d)],
      ["satisfaction", "satisfaction/scores", {}, (d) => this.satisfaction(d)],
    ];
    return Promise.all(
      jobs.map(([key, path, params, show]) => {
        const { body } = this.cards[key];
        body.setAttribute("aria-busy", "true");
        return this.api
          .widget(path, { days, ...params })
          .then((data) => fill(body, show(data)))
          .catch((err) => fill(body, this.failure(err)));
      }),
    );
  }

  failure(err) {
    this.onError(err);
    return failureNote(err, this.t);
  }

  summary(data) {
    const { t, fmt } = this;
    const period = data.period ?? {};
    const from = pick(period, "from", "start", "since");
    const to = pick(period, "to", "end", "until");
    return h(
      "div",
      {},
      h(
        "dl",
        { class: "kpis" },
        KPIS.map(([key, kind]) => h("div", { class: "kpi", "data-kpi": key }, h("dt", { text: t.kpi[key] }), h("dd", { text: fmt[kind](data[key]) }))),
      ),
      from || to ? h("p", { class: "muted small period-line", text: t.periodLine(fmt.date(from), fmt.date(to), period.timezone ?? data.timezone) }) : null,
    );
  }

  timeline(data) {
    const { t, fmt } = this;
    const rows = listOf(data, "days", "timeline", "series", "points");
    if (!rows.length) return note(t.empty);
    const day = (r) => pick(r, "date", "day", "period") ?? "";
    const series = [
      ["total_conversations", t.conversations, (r) => pick(r, "total_conversations", "conversations")],
      ["total_messages", t.messages, (r) => pick(r, "total_messages", "messages")],
      ["handoffs", t.handoffs, (r) => pick(r, "handoffs", "hand_offs")],
      ["leads", t.leads, (r) => pick(r, "leads")],
    ].filter(([, , get]) => rows.some((r) => get(r) !== undefined));
    const total = rows.reduce((sum, r) => sum + Number(series[0]?.[2](r) ?? 0), 0);
    return chart(
      {
        type: "line",
        data: {
          labels: rows.map((r) => fmt.date(day(r))),
          datasets: series.map(([, label, get], i) => ({
            label,
            data: rows.map((r) => get(r) ?? 0),
            borderColor: COLORS[i],
            backgroundColor: `${COLORS[i]}22`,
            fill: i === 0,
            tension: 0.25,
            pointRadius: rows.length > 40 ? 0 : 3,
          })),
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      },
      {
        summary: t.chartOf(t.timeline, `${rows.length} × ${t.date}, ${series[0]?.[1] ?? ""} ${fmt.num(total)}`),
        showTable: t.showTable,
        tableNode: table([{ label: t.date, value: (r) => fmt.date(day(r)) }, ...series.map(([, label, get]) => ({ label, num: true, value: (r) => fmt.num(get(r)) }))], rows, {
          caption: t.timeline,
        }),
      },
    );
  }

  /** A horizontal bar chart over a short ranked list, and the list as a visible table. */
  ranked(rows, { title, labelOf, columns }) {
    if (!rows.length) return note(this.t.empty);
    const [first] = columns;
    return h(
      "div",
      {},
      chart(
        {
          type: "bar",
          data: {
            labels: rows.map(labelOf),
            datasets: columns.map((c, i) => ({ label: c.label, data: rows.map(c.raw), backgroundColor: COLORS[i], borderRadius: 4 })),
          },
          options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
        },
        { summary: this.t.chartOf(title, rows.map((r) => `${labelOf(r)} ${first.raw(r)}`).join(", ")), height: 70 + rows.length * (14 + 22 * columns.length) },
      ),
      table([{ label: columns.labelHeader, value: labelOf }, ...columns.map((c) => ({ label: c.label, num: true, value: (r) => this.fmt.num(c.raw(r)) }))], rows, { caption: title }),
    );
  }

  intents(data) {
    const { t } = this;
    const rows = listOf(data, "intents", "items", "top").slice(0, 10);
    const columns = [{ label: t.count, raw: (r) => pick(r, "count", "conversations", "value") ?? 0 }];
    columns.labelHeader = t.intent;
    return this.ranked(rows, { title: t.topIntents, labelOf: (r) => String(pick(r, "intent", "name", "key") ?? "—"), columns });
  }

  packages(data) {
    const { t } = this;
    const rows = listOf(data, "packages", "items", "top").slice(0, 10);
    const columns = [
      { label: t.quotes, raw: (r) => pick(r, "quotes") ?? 0 },
      { label: t.mentions, raw: (r) => pick(r, "mentions") ?? 0 },
    ];
    columns.labelHeader = t.package;
    return this.ranked(rows, { title: t.topPackages, labelOf: (r) => String(pick(r, "name", "package", "id") ?? "—"), columns });
  }

  active(data) {
    const { t, fmt } = this;
    const byMode = pick(data, "by_mode", "modes") ?? {};
    const modes = Object.keys(byMode);
    const total = pick(data, "total", "active", "count") ?? modes.reduce((s, m) => s + Number(byMode[m] ?? 0), 0);
    return h(
      "div",
      { class: "active-sessions" },
      h("p", { class: "big-number" }, h("span", { class: "big-value", "data-testid": "active-total", text: fmt.num(total) }), h("span", { class: "muted", text: ` ${t.total}` })),
      modes.length
        ? h(
            "ul",
            { class: "mode-list" },
            modes.map((m) => h("li", {}, h("span", { class: `badge badge-${m}`, text: t.mode[m] ?? m }), h("span", { class: "mode-count", text: fmt.num(byMode[m]) }))),
          )
        : null,
    );
  }

  times(data) {
    const { t, fmt } = this;
    const bot = pick(data, "bot", "bot_ms") ?? {};
    const agent = pick(data, "agent_first_response", "agent", "agent_ms") ?? {};
    const rows = [
      { who: t.bot, ...bot },
      { who: t.agentFirst, ...agent },
    ];
    const p = (r, q) => pick(r, `${q}_ms`, q);
    return h(
      "div",
      {},
      chart(
        {
          type: "bar",
          data: {
            labels: rows.map((r) => r.who),
            datasets: ["p50", "p95"].map((q, i) => ({ label: q, data: rows.map((r) => p(r, q) ?? 0), backgroundColor: COLORS[i * 2], borderRadius: 4 })),
          },
          // Bot answers take milliseconds, people take minutes: a log scale shows both.
          options: { scales: { y: { type: "logarithmic", ticks: { callback: (v) => (String(v)[0] === "1" ? fmt.ms(v) : "") } } } },
        },
        { summary: t.chartOf(t.responseTimes, rows.map((r) => `${r.who} p50 ${fmt.ms(p(r, "p50"))}, p95 ${fmt.ms(p(r, "p95"))}`).join("; ")), height: 180 },
      ),
      table(
        [
          { label: t.who, value: (r) => r.who },
          { label: "p50", num: true, value: (r) => fmt.ms(p(r, "p50")) },
          { label: "p95", num: true, value: (r) => fmt.ms(p(r, "p95")) },
          { label: t.samples, num: true, value: (r) => fmt.num(pick(r, "count", "samples", "n")) },
        ],
        rows,
        { caption: t.responseTimes },
      ),
    );
  }

  satisfaction(data) {
    const { t, fmt } = this;
    const raw = pick(data, "distribution", "scores") ?? {};
    const counts = SCORES.map((s) => (Array.isArray(raw) ? pick(raw.find((r) => Number(pick(r, "score")) === s), "count") : raw[s] ?? raw[String(s)]) ?? 0);
    const total = counts.reduce((a, b) => a + Number(b), 0);
    const average = pick(data, "average", "avg", "csat_avg") ?? (total ? counts.reduce((a, c, i) => a + c * (i + 1), 0) / total : null);
    return h(
      "div",
      {},
      h("p", { class: "muted small" }, [average != null ? t.average(fmt.num(average)) : null, t.ratingsCount(total, fmt.num(total)), t.comments(fmt.num(pick(data, "comments", "comments_count") ?? 0))].filter(Boolean).join(" · ")),
      chart(
        {
          type: "bar",
          data: { labels: SCORES.map((s) => `${s}★`), datasets: [{ label: t.ratings, data: counts, backgroundColor: ["#b3261e", "#d4691e", "#c9a400", "#5aa05a", "#1a7f4b"], borderRadius: 4 }] },
          options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
        },
        {
          summary: t.chartOf(t.satisfaction, SCORES.map((s, i) => `${s}: ${counts[i]}`).join(", ")),
          showTable: t.showTable,
          height: 180,
          tableNode: table(
            [
              { label: t.score, value: (r) => r.score },
              { label: t.ratings, num: true, value: (r) => fmt.num(r.count) },
            ],
            SCORES.map((s, i) => ({ score: `${s}★`, count: counts[i] })),
            { caption: t.satisfaction },
          ),
        },
      ),
    );
  }

  renderCustomForm() {
    const { t } = this;
    const { body } = this.cards.custom;
    const checks = h("div", { class: "checks" });
    const showMetrics = (group) =>
      checks.replaceChildren(
        ...CUSTOM_METRICS[group].map((m, i) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "metric", value: m, checked: i < 2 }), h("span", { text: m }))),
      );
    const groupBy = h(
      "select",
      { id: "custom-group", name: "group_by", onchange: () => showMetrics(groupBy.value) },
      Object.keys(CUSTOM_METRICS).map((value) => h("option", { value, text: t.group[value] })),
    );
    showMetrics(groupBy.value);
    const out = h("div", { class: "custom-out", "aria-live": "polite" });
    const form = h(
      "form",
      {
        class: "custom-form",
        onsubmit: (e) => {
          e.preventDefault();
          const metrics = [...checks.querySelectorAll("input:checked")].map((i) => i.value);
          this.runCustom({ metrics, group_by: groupBy.value }, out);
        },
      },
      h("div", { class: "row" }, h("label", { for: "custom-group", text: t.groupBy }), groupBy),
      h("fieldset", {}, h("legend", { text: t.metrics }), checks),
      h("button", { class: "btn btn-secondary", type: "submit", text: t.run }),
    );
    fill(body, form, out);
  }

  async runCustom(query, out) {
    const { t, fmt } = this;
    out.replaceChildren(note(t.loading));
    try {
      const data = await this.api.customReport({ ...query, days: this.days });
      const rows = listOf(data, "rows", "groups", "items");
      if (!rows.length) return out.replaceChildren(note(t.empty));
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      out.replaceChildren(table(keys.map((k) => ({ label: k, num: typeof rows[0][k] === "number", value: (r) => (typeof r[k] === "number" ? fmt.num(r[k]) : String(r[k] ?? "—")) })), rows, { caption: t.custom }));
    } catch (err) {
      // A 400 names the field outside the allow-list: show it as the API said it.
      out.replaceChildren(note(err?.status === 400 ? err.message : this.failure(err).textContent, "error"));
    }
  }
}
