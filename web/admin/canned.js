// Canned responses: short replies agents insert by typing "/" in the dashboard. The admin lists,
// adds, edits (PUT by code) and deletes them; a refused form shows every bad field and changes nothing.
import { h } from "../lib/dom.js";
import { fill, listOf, note } from "./view.js";

const CODE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export class Canned {
  /** deps: {api, t, fmt, toast, onError}, as every panel gets them. */
  constructor(deps) {
    Object.assign(this, deps);
    this.languages = [];
    this.items = [];
    this.editing = null; // the code being edited, or null when adding
  }

  render() {
    const t = this.t;
    this.body = h("div", { class: "card-body", "aria-busy": "true" });
    this.count = h("span", { class: "muted small canned-count" });
    this.code = h("input", { id: "canned-code", name: "code", required: true, maxlength: "40", autocomplete: "off", spellcheck: "false", pattern: CODE.source, "aria-describedby": "canned-code-hint" });
    this.title = h("input", { id: "canned-title", name: "title", required: true, maxlength: "80", autocomplete: "off" });
    this.language = h("select", { id: "canned-language", name: "language" });
    this.text = h("textarea", { id: "canned-text", name: "text", required: true, maxlength: "2000", rows: "4" });
    this.problems = h("div", { class: "problems", role: "alert" });
    this.submit = h("button", { class: "btn btn-primary", type: "submit", text: t.cannedAdd });
    this.cancel = h("button", { class: "btn btn-quiet", type: "button", text: t.cannedCancel, hidden: true, onclick: () => this.resetForm() });
    this.formTitle = h("h3", { class: "canned-form-title", id: "canned-form-title", text: t.cannedNew });
    this.form = h(
      "form",
      { class: "canned-form", "aria-labelledby": "canned-form-title", novalidate: true, onsubmit: (e) => this.save(e) },
      this.formTitle,
      h(
        "div",
        { class: "canned-fields" },
        h("div", { class: "field" }, h("label", { for: "canned-code", text: t.cannedCode }), this.code, h("span", { id: "canned-code-hint", class: "muted small", text: t.cannedCodeHint })),
        h("div", { class: "field" }, h("label", { for: "canned-title", text: t.cannedTitle }), this.title),
        h("div", { class: "field field-narrow" }, h("label", { for: "canned-language", text: t.cannedLanguage }), this.language),
      ),
      h("div", { class: "field" }, h("label", { for: "canned-text", text: t.cannedText }), this.text),
      this.problems,
      h("div", { class: "canned-actions" }, this.submit, this.cancel),
    );
    this.fillLanguages();
    return h(
      "section",
      { class: "card card-wide", id: "canned", "aria-labelledby": "canned-title-heading" },
      h("div", { class: "canned-head" }, h("h2", { class: "card-title", id: "canned-title-heading", text: this.t.canned }), this.count),
      h("p", { class: "muted small card-lead", text: t.cannedLead }),
      this.body,
      this.form,
    );
  }

  fillLanguages() {
    const { t } = this;
    const current = this.language.value;
    const options = [h("option", { value: "", text: t.cannedAnyLanguage })];
    for (const code of this.languages) options.push(h("option", { value: code, text: t.languageName(code) }));
    this.language.replaceChildren(...options);
    this.language.value = this.languages.includes(current) ? current : "";
  }

  async load() {
    const { t } = this;
    try {
      const data = await this.api.cannedResponses();
      this.items = listOf(data, "canned_responses");
      this.languages = Array.isArray(data?.languages) ? data.languages : [];
      this.fillLanguages();
      this.count.textContent = t.cannedCount(this.items.length, data?.limit ?? 200);
      fill(this.body, this.items.length ? this.list() : note(t.cannedNone));
    } catch (err) {
      this.onError(err);
      fill(this.body, note(t.failed(err?.message ?? ""), "error"));
    }
  }

  list() {
    const { t, fmt } = this;
    return h(
      "ul",
      { class: "canned-list", "aria-label": t.canned },
      this.items.map((item) =>
        h(
          "li",
          { class: "canned-item", "data-code": item.code },
          h(
            "div",
            { class: "canned-item-head" },
            h("code", { class: "canned-code", text: `/${item.code}` }),
            h("strong", { class: "canned-item-title", text: item.title }),
            item.language ? h("span", { class: "badge badge-lang", text: item.language.toUpperCase(), title: t.languageName(item.language) }) : null,
          ),
          h("p", { class: "canned-preview", text: item.text }),
          h(
            "div",
            { class: "canned-item-foot" },
            h("span", { class: "muted small", text: t.cannedUpdated(fmt.dateTime(item.updated_at) ?? "—") }),
            h("button", { class: "btn btn-secondary btn-small", type: "button", text: t.cannedEdit, "aria-label": `${t.cannedEdit}: /${item.code}`, onclick: () => this.edit(item) }),
            h("button", { class: "btn btn-danger-quiet btn-small", type: "button", text: t.cannedDelete, "aria-label": `${t.cannedDelete}: /${item.code}`, onclick: (e) => this.remove(item, e.currentTarget) }),
          ),
        ),
      ),
    );
  }

  edit(item) {
    this.editing = item.code;
    Object.assign(this.code, { value: item.code, readOnly: true });
    this.title.value = item.title;
    this.text.value = item.text;
    this.language.value = item.language ?? "";
    this.formTitle.textContent = this.t.cannedEditing(item.code);
    this.submit.textContent = this.t.cannedSave;
    this.cancel.hidden = false;
    this.problems.replaceChildren();
    this.form.scrollIntoView?.({ block: "nearest" });
    this.title.focus();
  }

  resetForm() {
    this.editing = null;
    this.form.reset();
    this.code.readOnly = false;
    this.formTitle.textContent = this.t.cannedNew;
    this.submit.textContent = this.t.cannedAdd;
    this.cancel.hidden = true;
    this.showProblems([]);
  }

  /** Checks what the browser can, so a typo is caught before the round trip; the server checks everything. */
  localProblems(code) {
    const { t } = this;
    const problems = [];
    if (!CODE.test(code)) problems.push({ field: t.cannedCode, message: t.cannedCodeHint, el: this.code });
    if (!this.title.value.trim()) problems.push({ field: t.cannedTitle, message: t.cannedRequired, el: this.title });
    if (!this.text.value.trim()) problems.push({ field: t.cannedText, message: t.cannedRequired, el: this.text });
    return problems;
  }

  showProblems(problems) {
    const { t } = this;
    for (const el of [this.code, this.title, this.text, this.language]) el.removeAttribute("aria-invalid");
    for (const p of problems) p.el?.setAttribute("aria-invalid", "true");
    this.problems.replaceChildren(
      problems.length ? h("div", { class: "notice notice-error" }, h("span", { text: t.cannedRefused }), h("ul", {}, problems.map((p) => h("li", { text: `${p.field}: ${p.message}` })))) : "",
    );
    problems.find((p) => p.el)?.el.focus();
  }

  async save(event) {
    event.preventDefault();
    const { t } = this;
    const code = this.code.value.trim();
    const local = this.localProblems(code);
    if (local.length) return this.showProblems(local);
    const body = { title: this.title.value.trim(), text: this.text.value.trim(), language: this.language.value || null };
    this.submit.disabled = true;
    try {
      const exists = !this.editing && this.items.some((i) => i.code === code);
      if (exists && !globalThis.confirm(t.cannedReplace(code))) return;
      await this.api.putCannedResponse(code, body);
      this.toast(this.editing || exists ? t.cannedSaved(code) : t.cannedAdded(code));
      this.resetForm();
      await this.load();
    } catch (err) {
      const fields = { code: this.code, title: this.title, text: this.text, language: this.language };
      const details = Array.isArray(err?.details) ? err.details : [];
      this.showProblems(details.length ? details.map((d) => ({ field: d.field, message: d.message, el: fields[d.field] })) : [{ field: "", message: err?.message || t.actionFailed }]);
      this.onError(err);
    } finally {
      this.submit.disabled = false;
    }
  }

  async remove(item, button) {
    const { t } = this;
    if (!globalThis.confirm(t.cannedConfirmDelete(item.code))) return;
    button.disabled = true;
    try {
      await this.api.deleteCannedResponse(item.code);
      if (this.editing === item.code) this.resetForm();
      this.toast(t.cannedDeleted(item.code));
      await this.load();
    } catch (err) {
      button.disabled = false;
      this.toast(err?.message || t.actionFailed, "error");
      this.onError(err);
    }
  }
}
