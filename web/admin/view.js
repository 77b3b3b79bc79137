// Building blocks of the admin page: number formats, cards, tables, and charts that always come
// with their data as a table (a chart alone is invisible to a screen reader).
import { h, replaceChildren } from "../lib/dom.js";

let chartModule = null;
/** Chart.js, bundled into /vendor/chart.js by scripts/build-web.sh; loaded on first use. */
export function loadCharts() {
  chartModule ??= import(new URL("../vendor/chart.js", import.meta.url).href);
  return chartModule;
}

export const COLORS = ["#2456d6", "#1a7f4b", "#b35c00", "#8b3fc7", "#c2185b", "#00838f", "#6b7280"];

export class Formats {
  constructor(lang) {
    this.locale = lang === "pl" ? "pl-PL" : "en-GB";
    this.int = new Intl.NumberFormat(this.locale, { maximumFractionDigits: 0 });
    this.dec = new Intl.NumberFormat(this.locale, { maximumFractionDigits: 2 });
    this.pct = new Intl.NumberFormat(this.locale, { style: "percent", maximumFractionDigits: 1 });
    this.usd = new Intl.NumberFormat(this.locale, { style: "currency", currency: "USD", maximumFractionDigits: 4 });
  }

  num(x) {
    if (x == null || Number.isNaN(Number(x))) return "—";
    return Number.isInteger(Number(x)) ? this.int.format(x) : this.dec.format(x);
  }

  percent(x) {
    return x == null ? "—" : this.pct.format(x);
  }

  /** A difference of rates in percentage points, with its sign. */
  points(x) {
    return x == null ? "—" : `${x > 0 ? "+" : ""}${this.dec.format(x * 100)} pp`;
  }

  interval(pair, fn = (v) => this.percent(v)) {
    return Array.isArray(pair) && pair[0] != null ? `${fn(pair[0])} … ${fn(pair[1])}` : "—";
  }

  p(x) {
    if (x == null) return "—";
    return x < 0.001 ? `< ${(0.001).toLocaleString(this.locale)}` : new Intl.NumberFormat(this.locale, { maximumSignificantDigits: 2 }).format(x);
  }

  ms(x) {
    if (x == null) return "—";
    return x >= 1000 ? `${this.dec.format(x / 1000)} s` : `${this.int.format(x)} ms`;
  }

  money(x) {
    return x == null ? "—" : this.usd.format(x);
  }

  date(value) {
    if (!value) return "—";
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleDateString(this.locale, { day: "numeric", month: "short", year: "numeric" });
  }

  dateTime(value) {
    if (!value) return null;
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString(this.locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }
}

/** A titled panel; `body` is replaced as the data arrives. */
export function card(id, title, { lead = "", wide = false } = {}) {
  const body = h("div", { class: "card-body", "aria-busy": "true" });
  const el = h(
    "section",
    { class: `card${wide ? " card-wide" : ""}`, id, "aria-labelledby": `${id}-title` },
    h("h3", { class: "card-title", id: `${id}-title`, text: title }),
    lead ? h("p", { class: "muted small card-lead", text: lead }) : null,
    body,
  );
  return { el, body };
}

export function fill(body, ...children) {
  body.removeAttribute("aria-busy");
  return replaceChildren(body, ...children);
}

export function note(text, kind = "muted") {
  return h("p", { class: `notice notice-${kind}`, text });
}

/** columns: [{label, value: (row) => text|Node, num?: true}] */
export function table(columns, rows, { caption = "", className = "" } = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: `data ${className}` },
      caption ? h("caption", { class: "sr-only", text: caption }) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : "", text: c.label })))),
      h(
        "tbody",
        {},
        // data-label lets a narrow screen show each row as a small card (see .stack in admin.css).
        rows.map((row) =>
          h("tr", {}, columns.map((c, i) => h(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : false, class: c.num ? "num" : "", "data-label": c.label }, c.value(row)))),
        ),
      ),
    ),
  );
}

/**
 * A Chart.js chart in a fixed-height box, described for screen readers by `summary`, with the
 * same numbers as a table under a disclosure. config: a Chart.js config (type, data, options).
 */
export function chart(config, { summary, tableNode = null, showTable, height = 220 }) {
  const canvas = h("canvas", { role: "img", "aria-label": summary });
  const box = h("div", { class: "chart-box", style: { height: `${height}px` } }, canvas);
  loadCharts()
    .then(({ Chart }) => {
      // eslint-disable-next-line no-new
      new Chart(canvas, {
        ...config,
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false, // numbers to read, not to watch: drawn at once (and calm for reduced motion)
          plugins: { legend: { display: (config.data.datasets ?? []).length > 1, position: "bottom", labels: { boxWidth: 12 } } },
          ...config.options,
        },
      });
    })
    .catch(() => box.replaceChildren(note(summary)));
  if (!tableNode) return box;
  return h("div", {}, box, h("details", { class: "as-table" }, h("summary", { text: showTable }), tableNode));
}

/** The first array among `keys` in `data` (or any array it holds): the API names lists plainly. */
export function listOf(data, ...keys) {
  for (const key of keys) if (Array.isArray(data?.[key])) return data[key];
  if (Array.isArray(data)) return data;
  return Object.values(data ?? {}).find(Array.isArray) ?? [];
}

/** The first present value among `keys` of `row`. */
export function pick(row, ...keys) {
  for (const key of keys) if (row?.[key] !== undefined && row[key] !== null) return row[key];
  return undefined;
}

/** What a card says when its endpoint failed: a 404 means the API has no such route (yet). */
export function failureNote(err, t) {
  return err?.status === 404 ? note(t.unavailable) : note(t.failed(err?.message ?? ""), "error");
}
