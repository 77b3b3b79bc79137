// A/B experiments: the list with start/stop, each one's results (Wilson intervals per variant and
// the always-valid difference to control, from shared/domain/experiment_stats.py), and a small
// form for a two-variant experiment on one bot parameter.
import { h, replaceChildren } from "../lib/dom.js";
import { failureNote, fill, listOf, note, pick, table } from "./view.js";

const PARAMETERS = ["greeting", "persona", "faq_threshold", "model", "suggestions"];

export class Experiments {
  constructor({ api, t, fmt, toast, onError }) {
    this.api = api;
    this.t = t;
    this.fmt = fmt;
    this.toast = toast;
    this.onError = onError;
    this.open = new Set();
  }

  render() {
    const t = this.t;
    this.body = h("div", { class: "card-body", "aria-busy": "true" });
    return h(
      "section",
      { class: "card card-wide", id: "experiments", "aria-labelledby": "experiments-title" },
      h("h2", { class: "card-title", id: "experiments-title", text: t.experiments }),
      h("p", { class: "muted small card-lead", text: t.experimentsLead }),
      this.body,
      this.createForm(),
    );
  }

  async load() {
    try {
      const data = await this.api.experiments();
      this.items = listOf(data, "experiments", "items");
      fill(this.body, this.items.length ? h("ul", { class: "exp-list" }, this.items.map((x) => this.item(x))) : note(this.t.noExperiments));
    } catch (err) {
      this.onError(err);
      fill(this.body, failureNote(err, this.t));
    }
  }

  item(x) {
    const { t } = this;
    const state = x.state ?? "draft";
    const results = h("div", { class: "exp-results", id: `results-${x.id}`, "aria-live": "polite" });
    const toggle = h("button", {
      class: "btn btn-secondary",
      type: "button",
      "aria-expanded": "false",
      "aria-controls": `results-${x.id}`,
      text: t.results,
      onclick: () => this.toggleResults(x, toggle, results),
    });
    const next = state === "running" ? "stopped" : state === "draft" ? "running" : null;
    const parameters = x.parameter ? [x.parameter] : Array.isArray(x.parameters) ? x.parameters : [];
    const variants = listOf(x, "variants")
      .map((v) => `${v.name}${v.weight != null ? ` ${v.weight}%` : ""}`)
      .join(" · ");
    const li = h(
      "li",
      { class: "exp", "data-id": x.id, "data-state": state },
      h(
        "div",
        { class: "exp-head" },
        h("div", { class: "exp-title" }, h("strong", { text: x.name ?? x.id }), h("span", { class: `badge badge-state-${state}`, text: t.states[state] ?? state })),
        h("div", { class: "exp-meta muted small", text: [parameters.map((p) => t.params[p] ?? p).join(", "), variants].filter(Boolean).join(" — ") }),
        h(
          "div",
          { class: "actions" },
          next
            ? h("button", {
                class: `btn ${next === "running" ? "btn-primary" : "btn-danger-quiet"}`,
                type: "button",
                text: next === "running" ? t.start : t.stop,
                onclick: (e) => this.setState(x, next, e.currentTarget),
              })
            : null,
          toggle,
        ),
      ),
      results,
    );
    if (this.open.has(x.id)) this.toggleResults(x, toggle, results);
    return li;
  }

  async setState(x, state, button) {
    button.disabled = true;
    try {
      await this.api.setExperimentState(x.id, state);
      this.toast(state === "running" ? this.t.started : this.t.stopped);
      await this.load();
    } catch (err) {
      button.disabled = false;
      this.toast(err?.status === 409 ? this.t.conflict : err?.message || this.t.actionFailed, "error");
      this.onError(err);
    }
  }

  async toggleResults(x, toggle, out) {
    const { t } = this;
    if (toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      toggle.textContent = t.results;
      this.open.delete(x.id);
      return out.replaceChildren();
    }
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = t.hideResults;
    this.open.add(x.id);
    out.replaceChildren(note(t.loading));
    try {
      const data = await this.api.experimentResults(x.id);
      const analyses = analysesOf(data);
      replaceChildren(out, analyses.length ? analyses.map(([metric, a]) => this.analysis(metric, a)) : note(t.empty));
    } catch (err) {
      this.onError(err);
      out.replaceChildren(note(t.failed(err?.message ?? ""), "error"));
    }
  }

  analysis(metric, a) {
    const { t, fmt } = this;
    const decision = String(a.decision ?? "");
    const winner = decision.startsWith("winner:");
    return h(
      "div",
      { class: "analysis", "data-metric": metric },
      h(
        "h4",
        { class: "analysis-title" },
        h("span", { text: t.outcomes[metric] ?? metric }),
        h("span", { class: `decision${winner ? " decision-winner" : ""}`, "data-decision": decision, text: t.decision(decision) }),
      ),
      table(
        [
          { label: t.variant, value: (v) => v.name },
          { label: t.rate, num: true, value: (v) => `${fmt.percent(v.rate)} (${fmt.num(v.successes)}/${fmt.num(v.trials)})` },
          { label: t.ci95, num: true, value: (v) => fmt.interval(v.ci95) },
          { label: t.diff, num: true, value: (v) => (v.decision === "control" ? "—" : fmt.points(v.diff_vs_control)) },
          { label: t.diffCi, num: true, value: (v) => fmt.interval(v.diff_ci, (d) => fmt.points(d)) },
          { label: t.pValue, num: true, value: (v) => fmt.p(v.always_valid_p) },
          { label: t.verdict, value: (v) => h("span", { class: `verdict verdict-${v.decision}`, text: t.verdicts[v.decision] ?? v.decision }) },
        ],
        a.variants ?? [],
        { caption: `${t.results}: ${t.outcomes[metric] ?? metric}`, className: "results-table stack" },
      ),
    );
  }

  createForm() {
    const { t } = this;
    const field = (id, label, input) => h("div", { class: "field" }, h("label", { for: id, text: label }), input);
    const name = h("input", { id: "exp-name", name: "name", required: true, maxlength: "80" });
    const parameter = h("select", { id: "exp-param", name: "parameter" }, PARAMETERS.map((p) => h("option", { value: p, text: t.params[p] })));
    const a = h("input", { id: "exp-a", name: "a", required: true });
    const b = h("input", { id: "exp-b", name: "b", required: true });
    const submit = h("button", { class: "btn btn-primary", type: "submit", text: t.create });
    const form = h(
      "form",
      {
        class: "inline-form",
        onsubmit: async (e) => {
          e.preventDefault();
          submit.disabled = true;
          try {
            const p = parameter.value;
            await this.api.createExperiment({
              name: name.value.trim(),
              parameter: p,
              variants: [
                { name: "A", weight: 50, overrides: { [p]: parseValue(p, a.value) } },
                { name: "B", weight: 50, overrides: { [p]: parseValue(p, b.value) } },
              ],
            });
            form.reset();
            this.toast(t.created);
            await this.load();
          } catch (err) {
            this.toast(err?.message || t.actionFailed, "error");
            this.onError(err);
          } finally {
            submit.disabled = false;
          }
        },
      },
      field("exp-name", t.experimentName, name),
      field("exp-param", t.parameter, parameter),
      field("exp-a", t.controlValue, a),
      field("exp-b", t.variantValue, b),
      h("div", { class: "field field-submit" }, submit),
    );
    return h("details", { class: "create" }, h("summary", { text: t.newExperiment }), form);
  }
}

/** Overrides keep their type: a threshold is a number, suggestions a boolean. */
function parseValue(parameter, raw) {
  const text = raw.trim();
  if (parameter === "faq_threshold") return Number(text.replace(",", "."));
  if (parameter === "suggestions") return /^(1|true|on|tak|yes)$/i.test(text);
  return text;
}

/** [metric, analysis] pairs from a results body: one analysis, or a map/list of them per metric. */
export function analysesOf(data) {
  const isAnalysis = (a) => a && Array.isArray(a.variants) && "decision" in a;
  if (isAnalysis(data)) return [[pick(data, "metric", "outcome") ?? "result", data]];
  const holder = pick(data, "metrics", "results", "outcomes") ?? data;
  if (Array.isArray(holder)) return holder.filter(isAnalysis).map((a, i) => [pick(a, "metric", "outcome", "name") ?? String(i + 1), a]);
  return Object.entries(holder ?? {}).filter(([, a]) => isAnalysis(a));
}
