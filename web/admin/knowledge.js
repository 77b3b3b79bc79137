// The knowledge pack: its version and size, and an upload that replaces it (validated server-side
// exactly like `tools.tenants import`; a refused pack lists every bad field and changes nothing).
import { h } from "../lib/dom.js";
import { failureNote, fill, note, pick } from "./view.js";

export class Knowledge {
  constructor({ api, t, fmt, toast, onError }) {
    this.api = api;
    this.t = t;
    this.fmt = fmt;
    this.toast = toast;
    this.onError = onError;
  }

  render() {
    const t = this.t;
    this.body = h("div", { class: "card-body", "aria-busy": "true" });
    this.problems = h("div", { class: "problems", "aria-live": "polite" });
    const file = h("input", { id: "pack-file", type: "file", accept: ".yaml,.yml,.json,application/json,application/yaml,text/yaml" });
    const submit = h("button", { class: "btn btn-primary", type: "submit", text: t.upload });
    const form = h(
      "form",
      {
        class: "inline-form",
        onsubmit: async (e) => {
          e.preventDefault();
          const chosen = file.files?.[0];
          this.problems.replaceChildren();
          if (!chosen) return this.problems.replaceChildren(note(t.chooseFile, "error"));
          submit.disabled = true;
          try {
            const result = await this.api.uploadKnowledge(await chosen.text(), chosen.name);
            form.reset();
            this.toast(t.uploaded(pick(result, "version") ?? "?"));
            await this.load();
          } catch (err) {
            this.onError(err);
            this.problems.replaceChildren(this.refusal(err));
          } finally {
            submit.disabled = false;
          }
        },
      },
      h("div", { class: "field" }, h("label", { for: "pack-file", text: t.uploadLabel }), file),
      h("div", { class: "field field-submit" }, submit),
    );
    return h(
      "section",
      { class: "card card-wide", id: "knowledge", "aria-labelledby": "knowledge-title" },
      h("h2", { class: "card-title", id: "knowledge-title", text: t.knowledge }),
      h("p", { class: "muted small card-lead", text: t.knowledgeLead }),
      this.body,
      form,
      this.problems,
    );
  }

  async load() {
    const { t, fmt } = this;
    try {
      const data = await this.api.knowledge();
      const pack = data.pack ?? data;
      const count = (key) => (Array.isArray(pack?.[key]) ? pack[key].length : pick(data, `${key}_count`));
      const facts = [
        ["version", pick(data, "version", "knowledge_version")],
        ["updated", fmt.dateTime(pick(data, "updated_at", "imported_at"))],
        ["packages", count("packages")],
        ["faq", count("faq")],
        ["documents", count("documents")],
      ].filter(([, v]) => v != null);
      const term = (k, v) => h("div", { "data-fact": k }, h("dt", { text: t[k] }), h("dd", { text: typeof v === "number" ? fmt.num(v) : String(v) }));
      fill(this.body, h("dl", { class: "facts" }, facts.map(([k, v]) => term(k, v))));
    } catch (err) {
      this.onError(err);
      fill(this.body, failureNote(err, t));
    }
  }

  refusal(err) {
    const details = err?.details;
    const lines = Array.isArray(details)
      ? details.map((d) => (typeof d === "string" ? d : [d.loc ?? d.field ?? d.path, d.msg ?? d.message].flat().filter(Boolean).join(": ")))
      : details && typeof details === "object"
        ? Object.entries(details).map(([k, v]) => `${k}: ${v}`)
        : [];
    if (err?.status !== 400) return note(err?.message || this.t.actionFailed, "error");
    return h("div", { class: "notice notice-error", role: "alert" }, h("p", { text: `${this.t.invalidPack} ${err.message ?? ""}` }), lines.length ? h("ul", {}, lines.map((l) => h("li", { text: l }))) : null);
  }
}
