// API keys: list, create (the secret is shown once, in a box the admin copies from), revoke.
import { h } from "../lib/dom.js";
import { fill, listOf, note, table } from "./view.js";

export class Keys {
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
    this.reveal = h("div", { class: "reveal-slot", "aria-live": "polite" });
    const name = h("input", { id: "key-name", name: "name", required: true, maxlength: "60", autocomplete: "off" });
    const submit = h("button", { class: "btn btn-primary", type: "submit", text: t.createKey });
    const form = h(
      "form",
      {
        class: "inline-form",
        onsubmit: async (e) => {
          e.preventDefault();
          submit.disabled = true;
          try {
            const created = await this.api.createKey(name.value.trim());
            form.reset();
            this.showOnce(created);
            await this.load();
          } catch (err) {
            this.toast(err?.message || t.actionFailed, "error");
            this.onError(err);
          } finally {
            submit.disabled = false;
          }
        },
      },
      h("div", { class: "field" }, h("label", { for: "key-name", text: t.keyName }), name),
      h("div", { class: "field field-submit" }, submit),
    );
    return h(
      "section",
      { class: "card card-wide", id: "keys", "aria-labelledby": "keys-title" },
      h("h2", { class: "card-title", id: "keys-title", text: t.keys }),
      h("p", { class: "muted small card-lead", text: t.keysLead }),
      this.reveal,
      this.body,
      form,
    );
  }

  async load() {
    const { t, fmt } = this;
    try {
      const keys = listOf(await this.api.keys(), "keys");
      const body = keys.length
        ? table(
            [
              { label: t.keyName, value: (k) => k.name },
              { label: "ID", value: (k) => h("code", { text: k.id }) },
              { label: t.scopes, value: (k) => (k.scopes ?? []).join(", ") },
              { label: t.createdAt, value: (k) => fmt.dateTime(k.created_at) ?? "—" },
              { label: t.lastUsed, value: (k) => fmt.dateTime(k.last_used_at) ?? t.never },
              { label: t.status, value: (k) => h("span", { class: `badge ${k.active ? "badge-human" : "badge-closed"}`, text: k.active ? t.active : t.revoked }) },
              {
                label: "",
                value: (k) =>
                  k.active
                    ? h("button", { class: "btn btn-danger-quiet btn-small", type: "button", "aria-label": `${t.revoke}: ${k.name}`, text: t.revoke, onclick: (e) => this.revoke(k, e.currentTarget) })
                    : "",
              },
            ],
            keys,
            { caption: t.keys, className: "keys-table stack" },
          )
        : note(t.noKeys);
      fill(this.body, body);
    } catch (err) {
      this.onError(err);
      fill(this.body, note(t.failed(err?.message ?? ""), "error"));
    }
  }

  /** The secret, once: never stored by the page, gone when the admin closes the box. */
  showOnce(created) {
    const { t } = this;
    const value = h("input", { class: "secret", id: "new-key", readonly: true, value: created.key, "aria-describedby": "new-key-lead", spellcheck: "false" });
    const box = h(
      "div",
      { class: "reveal", role: "group", "aria-labelledby": "new-key-title" },
      h("h3", { id: "new-key-title", text: `${t.newKeyTitle}: ${created.name}` }),
      h("p", { id: "new-key-lead", text: t.newKeyLead }),
      h(
        "div",
        { class: "secret-row" },
        value,
        h("button", {
          class: "btn btn-secondary",
          type: "button",
          text: t.copy,
          onclick: async () => {
            value.select();
            try {
              await navigator.clipboard.writeText(created.key);
              this.toast(t.copied);
            } catch {
              document.execCommand?.("copy");
            }
          },
        }),
        h("button", { class: "btn btn-quiet", type: "button", text: t.done, onclick: () => this.reveal.replaceChildren() }),
      ),
    );
    this.reveal.replaceChildren(box);
    value.focus();
    value.select();
  }

  async revoke(key, button) {
    const { t } = this;
    if (!globalThis.confirm(t.confirmRevoke(key.name))) return;
    button.disabled = true;
    try {
      await this.api.revokeKey(key.id);
      this.toast(t.keyRevoked);
      await this.load();
    } catch (err) {
      button.disabled = false;
      this.toast(err?.message || t.actionFailed, "error");
      this.onError(err);
    }
  }
}
