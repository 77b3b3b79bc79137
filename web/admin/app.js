// The admin page (/admin): an admin signs in with e-mail and password (Firebase Auth), then reads
// the eight metrics widgets, runs A/B experiments, manages API keys and uploads knowledge — every
// call goes to the `admin` function with the admin's ID token.
import { h, icon, ICONS, replaceChildren } from "../lib/dom.js";
import { loadFirebase } from "../lib/firebase.js";
import { AdminApi } from "./api.js";
import { Canned } from "./canned.js";
import { Experiments } from "./experiments.js";
import { STRINGS, pickLanguage } from "./i18n.js";
import { Keys } from "./keys.js";
import { Knowledge } from "./knowledge.js";
import { Overview } from "./overview.js";
import { Formats } from "./view.js";

const PERIODS = [1, 7, 30, 90, 365];
const DEFAULT_DAYS = 7;
const CRED_ERRORS = /invalid-credential|wrong-password|user-not-found|invalid-email|invalid-login/;

const lang = pickLanguage(location.search, navigator.languages ?? [navigator.language]);
const t = STRINGS[lang];
const fmt = new Formats(lang);
document.documentElement.lang = lang;

class AdminPage {
  constructor(root) {
    this.root = root;
    this.days = Number(new URLSearchParams(location.search).get("days")) || DEFAULT_DAYS;
    if (!PERIODS.includes(this.days)) this.days = DEFAULT_DAYS;
  }

  async start() {
    this.firebase = await loadFirebase("chatdesk-admin");
    const { sdk, auth } = this.firebase;
    sdk.onAuthStateChanged(auth, (user) => this.onUser(user));
  }

  async onUser(user) {
    if (!user) return this.renderSignIn();
    const { claims } = await user.getIdTokenResult();
    if (claims.role !== "admin" || !claims.tenant) {
      await this.firebase.sdk.signOut(this.firebase.auth);
      return this.renderSignIn(t.notAdmin);
    }
    this.me = { tenant: claims.tenant, name: claims.name || user.displayName || user.email };
    this.api = new AdminApi({ baseUrl: location.origin, getToken: () => user.getIdToken() });
    this.renderApp();
    this.loadAll();
  }

  renderSignIn(message = "") {
    document.title = `${t.product} ${t.admin} — ${t.signIn}`;
    const error = h("p", { class: "form-error", role: "alert", text: message });
    const input = (id, type, autocomplete) => h("input", { id, name: id, type, autocomplete, required: true });
    const email = input("email", "email", "username");
    const password = input("password", "password", "current-password");
    const submit = h("button", { class: "btn btn-primary btn-block", type: "submit", text: t.signIn });
    const signIn = async (e) => {
      e.preventDefault();
      submit.disabled = true;
      submit.textContent = t.signingIn;
      error.textContent = "";
      try {
        await this.firebase.sdk.signInWithEmailAndPassword(this.firebase.auth, email.value.trim(), password.value);
      } catch (err) {
        error.textContent = CRED_ERRORS.test(String(err?.code ?? "")) ? t.badCredentials : t.signInFailed;
        Object.assign(submit, { disabled: false, textContent: t.signIn });
        password.focus();
      }
    };
    replaceChildren(
      this.root,
      h(
        "main",
        { class: "signin" },
        h(
          "form",
          { class: "signin-card", "aria-labelledby": "signin-title", onsubmit: signIn },
          brand("brand brand-lg", 20),
          h("h1", { id: "signin-title", text: t.signInTitle }),
          h("p", { class: "muted", text: t.signInLead }),
          h("label", { for: "email", text: t.email }),
          email,
          h("label", { for: "password", text: t.password }),
          password,
          error,
          submit,
        ),
      ),
    );
    email.focus();
  }

  renderApp() {
    document.title = `${t.product} ${t.admin} — ${this.me.tenant}`;
    const deps = { api: this.api, t, fmt, toast: (text, kind) => this.toast(text, kind), onError: (err) => this.onApiError(err) };
    this.overview = new Overview(deps);
    this.experiments = new Experiments(deps);
    this.keys = new Keys(deps);
    this.knowledge = new Knowledge(deps);
    this.canned = new Canned(deps);
    const period = h(
      "select",
      { id: "period", onchange: (e) => this.setDays(Number(e.target.value)) },
      PERIODS.map((d) => h("option", { value: String(d), selected: d === this.days, text: t.lastDays(d) })),
    );
    const topbar = h(
      "header",
      { class: "topbar" },
      brand("brand", 18),
      h("span", { class: "tenant-pill", text: this.me.tenant }),
      h("div", { class: "topbar-spacer" }),
      h("span", { class: "identity identity-name", text: this.me.name }),
      h("button", { class: "btn btn-quiet", type: "button", text: t.signOut, onclick: () => this.firebase.sdk.signOut(this.firebase.auth) }),
    );
    const nav = h(
      "nav",
      { class: "section-nav", "aria-label": t.sections },
      [
        ["overview", t.overview],
        ["experiments", t.experiments],
        ["keys", t.keys],
        ["knowledge", t.knowledge],
        ["canned", t.canned],
      ].map(([id, label]) => h("a", { href: `#${id}`, text: label })),
    );
    const toolbar = h(
      "div",
      { class: "toolbar" },
      h("h1", { class: "page-title", id: "overview", tabindex: "-1", text: t.overview }),
      h("div", { class: "period" }, h("label", { for: "period", text: t.period }), period),
      h("button", { class: "btn btn-secondary", type: "button", text: t.refresh, onclick: () => this.loadAll() }),
    );
    this.toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    replaceChildren(
      this.root,
      h(
        "div",
        { class: "admin-shell" },
        topbar,
        nav,
        h("main", { class: "admin-main" }, toolbar, h("div", { class: "grid" }, this.overview.render()), this.experiments.render(), this.keys.render(), this.knowledge.render(), this.canned.render()),
        this.toasts,
      ),
    );
  }

  setDays(days) {
    this.days = days;
    const url = new URL(location.href);
    url.searchParams.set("days", String(days));
    history.replaceState(null, "", url);
    this.overview.load(days);
  }

  loadAll() {
    return Promise.all([this.overview.load(this.days), this.experiments.load(), this.keys.load(), this.knowledge.load(), this.canned.load()]);
  }

  onApiError(err) {
    if (err?.status === 401 && !this.expired) {
      this.expired = true;
      this.toast(t.sessionExpired, "error");
      this.firebase.sdk.signOut(this.firebase.auth);
    }
  }

  toast(text, kind = "info") {
    const el = h("div", { class: `toast toast-${kind}`, text });
    this.toasts.append(el);
    setTimeout(() => el.remove(), 5000);
  }
}

function brand(className, size) {
  return h(
    "div",
    { class: className },
    h("span", { class: "brand-mark", "aria-hidden": "true" }, icon(ICONS.chat, size)),
    h("span", { class: "brand-name", text: `${t.product} ` }),
    h("span", { class: "brand-sub", text: t.admin }),
  );
}

new AdminPage(document.getElementById("app")).start().catch(() => {
  replaceChildren(document.getElementById("app"), h("p", { class: "fatal", role: "alert", text: t.signInFailed }));
});
