// The guest's chat widget: a launcher and a panel inside a shadow root. Turns go to /api/chat;
// new messages (agents' replies, hand-off notices) arrive through a Firestore listener on the
// guest's own conversation, or through polling when the listener cannot be established.
import { ChatApi, SessionStore, guestPoller, putFile } from "../lib/chat-api.js";
import { h, icon, ICONS, replaceChildren } from "../lib/dom.js";
import { formatTime } from "../lib/format.js";
import { loadFirebase, stopFirestore } from "../lib/firebase.js";
import { CONNECTING, LIVE, POLLING, liveOrPoll } from "../lib/live.js";
import { MessageStore, normalizeMessage } from "../lib/message-store.js";
import { allReady, watchConversation, watchMessages } from "../lib/streams.js";
import { STRINGS, pickLanguage } from "./i18n.js";
import { CSS } from "./styles.js";

const LISTENER_TIMEOUT_MS = 5000;
const MAX_LENGTH = 2000;
// What the attach button takes (the server sniffs the bytes again) and the limit until the tenant's is known.
const ATTACH_TYPES = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", pdf: "application/pdf" };
const DEFAULT_ATTACH_MB = 10;

/** Create the widget on the page; returns its controller (tests and the console can use it). */
export function mount(options) {
  const widget = new ChatWidget(options);
  widget.render();
  widget.resume();
  if (options.openNow && !widget.open) widget.setOpen(true);
  return widget;
}

// The panel covers the whole screen below this width: it is then a modal dialog with a focus trap.
const PHONE = "(max-width: 480px)";

/** Sign the guest in with the session's custom token, unless this browser already is. */
async function signInGuest(firebase, session) {
  const { auth, sdk } = firebase;
  await auth.authStateReady();
  const user = auth.currentUser;
  if (user) {
    const { claims } = await user.getIdTokenResult();
    if (claims.conversation_id === session.conversation_id) return user;
  }
  const credential = await sdk.signInWithCustomToken(auth, session.token);
  return credential.user;
}

class ChatWidget {
  constructor({ tenant, lang, title, color, origin }) {
    this.tenant = tenant;
    this.lang = pickLanguage({
      explicit: lang,
      pageLang: document.documentElement.lang,
      navigatorLanguages: navigator.languages ?? [navigator.language],
    });
    this.t = STRINGS[this.lang];
    this.title = title || this.t.title;
    this.color = color;
    this.api = new ChatApi({ baseUrl: origin });
    this.sessions = new SessionStore(window.localStorage, tenant);
    this.session = null;
    this.store = new MessageStore();
    this.elements = new Map(); // message id → element in the log
    this.live = null;
    this.firebase = null;
    this.mode = "bot";
    this.agentName = null;
    this.status = null;
    this.sending = false;
    this.open = false;
    this.unread = 0;
    this.seenIds = new Set();
    this.suggestions = [];
    this.rating = 0;
    this.welcome = null;
    this.uploading = false;
    this.previews = new Map(); // attachment name → object URL of the guest's own file (no public URL exists)
  }

  // --- structure ---------------------------------------------------------------------------

  render() {
    const t = this.t;
    this.host = h("div", { id: "chatdesk-widget", "data-tenant": this.tenant });
    const shadow = this.host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = CSS;

    this.badge = h("span", { class: "cd-badge", hidden: true, "aria-hidden": "true" });
    this.launcher = h(
      "button",
      { class: "cd-launcher", type: "button", "aria-label": t.open, "aria-expanded": "false", "aria-controls": "cd-panel", onclick: () => this.toggle() },
      icon(ICONS.chat, 28),
      this.badge,
    );

    this.subtitle = h("p", { class: "cd-subtitle", text: t.subtitleBot });
    const header = h(
      "header",
      { class: "cd-header" },
      h("div", { class: "cd-avatar" }, icon(ICONS.chat, 20)),
      h("div", { class: "cd-heading" }, h("h2", { class: "cd-title", id: "cd-title", text: this.title }), this.subtitle),
      h("button", { class: "cd-close", type: "button", "aria-label": t.close, onclick: () => this.setOpen(false) }, icon(ICONS.close, 22)),
    );

    this.away = h("p", { class: "cd-away", role: "status", hidden: true });
    this.privacy = h("p", { class: "cd-privacy", hidden: true });
    this.log = h("div", { class: "cd-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": t.log, tabindex: "0" });
    this.typing = h("div", { class: "cd-typing", hidden: true, "aria-hidden": "true", text: t.typing });
    this.alert = h("p", { class: "cd-alert", role: "alert" });
    this.suggestionBox = h("div", { class: "cd-suggestions", role: "group", "aria-label": t.suggestions });
    this.ratingBox = h("div", { class: "cd-rating", hidden: true });

    this.input = h("textarea", {
      class: "cd-input",
      id: "cd-input",
      rows: "1",
      maxlength: String(MAX_LENGTH),
      placeholder: t.placeholder,
      autocomplete: "off",
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          this.submit();
        }
      },
      oninput: () => this.autosize(),
    });
    this.closedNote = h("p", { class: "cd-closed-note", hidden: true, text: t.closedNote });
    this.sendButton = h("button", { class: "cd-send", type: "submit", "aria-label": t.send }, icon(ICONS.send, 20));
    this.fileInput = h("input", {
      type: "file",
      class: "cd-sr",
      tabindex: "-1",
      "aria-hidden": "true",
      accept: [...new Set(Object.values(ATTACH_TYPES))].join(","),
      onchange: () => {
        const file = this.fileInput.files?.[0];
        this.fileInput.value = "";
        if (file) this.attach(file);
      },
    });
    this.attachButton = h(
      "button",
      { class: "cd-attach", type: "button", "aria-label": t.attach, title: t.attach, onclick: () => this.fileInput.click() },
      icon(ICONS.attach, 22),
    );
    this.uploadBox = h("div", { class: "cd-upload", role: "status", hidden: true });
    const composer = (this.composer = h(
      "form",
      { class: "cd-composer", onsubmit: (e) => { e.preventDefault(); this.submit(); } },
      h("label", { class: "cd-sr", for: "cd-input", text: t.inputLabel }),
      this.attachButton,
      this.fileInput,
      this.input,
      this.sendButton,
    ));

    this.humanButton = h("button", { class: "cd-human", type: "button", text: t.askHuman, onclick: () => this.send(this.t.askHumanMessage) });
    this.cancelButton = h("button", { class: "cd-cancel", type: "button", hidden: true, text: t.cancelWait, onclick: () => this.cancelWait() });
    // Shown only when something is wrong: a working connection needs no words.
    this.statusLine = h("span", { class: "cd-status", role: "status", "data-mode": CONNECTING, hidden: true });
    const footer = h("div", { class: "cd-footer" }, this.humanButton, this.cancelButton, this.statusLine);

    this.panel = h(
      "section",
      { class: "cd-panel", id: "cd-panel", role: "dialog", "aria-labelledby": "cd-title", hidden: true, onkeydown: (e) => this.onKeydown(e) },
      header,
      this.away,
      this.privacy,
      this.log,
      this.alert,
      this.suggestionBox,
      this.ratingBox,
      this.closedNote,
      this.uploadBox,
      composer,
      footer,
    );
    this.root = h("div", { class: "cd-root", "data-open": "false", lang: this.lang }, this.panel, this.launcher);
    if (this.color) this.root.style.setProperty("--cd-brand", this.color);
    shadow.append(style, this.root);
    document.body.append(this.host);
    this.log.append(this.typing);
  }

  onKeydown(e) {
    if (e.key === "Escape") {
      e.stopPropagation();
      this.setOpen(false);
    } else if (e.key === "Tab" && this.coversScreen()) {
      // Full-screen on a phone: focus stays inside the dialog.
      const focusable = [...this.panel.querySelectorAll("button, textarea, input, [tabindex='0']")].filter(
        (el) => !el.disabled && !el.closest("[hidden]") && el.offsetParent !== null,
      );
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      const active = this.host.shadowRoot.activeElement;
      if (e.shiftKey && (active === first || !this.panel.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !this.panel.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  coversScreen() {
    return window.matchMedia?.(PHONE).matches ?? false;
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 120)}px`;
  }

  toggle() {
    this.setOpen(!this.open);
  }

  setOpen(open) {
    this.open = open;
    this.panel.hidden = !open;
    this.root.dataset.open = String(open);
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcher.setAttribute("aria-label", open ? this.t.close : this.t.open);
    if (open && this.coversScreen()) this.panel.setAttribute("aria-modal", "true");
    else this.panel.removeAttribute("aria-modal");
    try {
      sessionStorage.setItem(`chatdesk:${this.tenant}:open`, open ? "1" : "0");
    } catch {
      // storage unavailable: the panel just starts closed next time
    }
    if (open) {
      this.unread = 0;
      this.renderBadge();
      this.start();
      this.input.focus();
      this.scrollToEnd();
    } else {
      this.launcher.focus();
    }
  }

  // --- session and live connection ---------------------------------------------------------

  /** On page load: continue a stored session (so agents' replies count as unread), reopen the panel. */
  resume() {
    window.addEventListener("offline", () => this.setProblem(true));
    window.addEventListener("online", () => this.setProblem(false));
    this.session = this.sessions.load();
    if (this.session) {
      this.showGreeting();
      this.connect();
    }
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem(`chatdesk:${this.tenant}:open`) === "1";
    } catch {
      wasOpen = false;
    }
    if (wasOpen) this.setOpen(true);
  }

  /** When the panel opens: make sure there is a session (the greeting shows) and a connection. */
  async start() {
    this.loadWelcome();
    try {
      await this.ensureSession();
      this.connect();
    } catch {
      this.showAlert(this.t.errorStart);
    }
  }

  /** Before the guest asks: whether people answer now (else the next opening) and starter questions. */
  loadWelcome(force = false) {
    if (this.welcomeLoading && !force) return this.welcomeLoading;
    this.welcomeLoading = this.api
      .welcome({ tenant: this.tenant, language: this.lang })
      .then((info) => {
        this.welcome = info;
        this.renderAway();
        this.renderPrivacy();
        const fresh = this.store.list().every((m) => m.role !== "guest");
        if (fresh && this.mode === "bot") this.renderSuggestions(info.suggestions ?? []);
      })
      .catch(() => {
        this.welcomeLoading = null; // no banner is better than a wrong one; try again next open
      });
    return this.welcomeLoading;
  }

  /** GDPR: before the guest's first message, what happens to what they write, with the business's policy. */
  renderPrivacy() {
    const asked = this.store.list().some((m) => m.role === "guest");
    const url = this.welcome?.privacy_policy_url;
    const link = url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: this.t.privacyLink }) : null;
    replaceChildren(this.privacy, this.t.privacy, link ? " " : "", link);
    this.privacy.hidden = asked || this.mode === "closed" || !this.welcome;
  }

  renderAway() {
    const text = this.welcome?.availability?.open === false ? this.welcome.availability.text : "";
    this.away.textContent = text || "";
    this.away.hidden = !text || this.mode === "closed";
  }

  /** Follow the guest's language: the reply's language drives the widget's own texts too. */
  setLanguage(lang) {
    if (!lang || lang === this.lang || !(lang in STRINGS)) return;
    this.lang = lang;
    this.t = STRINGS[lang];
    const t = this.t;
    this.root.lang = lang;
    if (this.title === STRINGS.pl.title || this.title === STRINGS.en.title) {
      this.title = t.title;
      this.panel.querySelector(".cd-title").textContent = t.title;
    }
    this.input.placeholder = t.placeholder;
    this.panel.querySelector("label[for='cd-input']").textContent = t.inputLabel;
    this.humanButton.textContent = t.askHuman;
    this.cancelButton.textContent = t.cancelWait;
    this.closedNote.textContent = t.closedNote;
    this.typing.textContent = t.typing;
    this.log.setAttribute("aria-label", t.log);
    this.suggestionBox.setAttribute("aria-label", t.suggestions);
    this.panel.querySelector(".cd-close").setAttribute("aria-label", t.close);
    this.sendButton.setAttribute("aria-label", t.send);
    this.attachButton.setAttribute("aria-label", t.attach);
    this.attachButton.title = t.attach;
    this.launcher.setAttribute("aria-label", this.open ? t.close : t.open);
    this.setMode(this.mode);
    this.loadWelcome(true);
  }

  async cancelWait() {
    if (!this.session) return;
    this.cancelButton.disabled = true;
    try {
      const result = await this.api.cancelHandoff({ conversationId: this.session.conversation_id, sessionId: this.session.session_id });
      this.setMode(result.mode ?? "bot");
      this.live?.refresh();
      this.input.focus();
    } catch {
      this.showAlert(this.t.errorSend);
    } finally {
      this.cancelButton.disabled = false;
    }
  }

  ensureSession() {
    if (this.session) return Promise.resolve(this.session);
    if (!this.starting) {
      this.starting = this.api
        .startSession(this.tenant, this.lang) // the greeting in the widget's language
        .then((s) => {
          this.session = this.sessions.save({ ...s, started_at: new Date().toISOString(), rated: false });
          this.showGreeting();
          return this.session;
        })
        .finally(() => {
          this.starting = null;
        });
    }
    return this.starting;
  }

  showGreeting() {
    if (this.session?.greeting && !this.greetingShown) {
      this.greetingShown = true;
      this.store.addLocal("bot", this.session.greeting, { first: true });
      this.renderMessages();
    }
  }

  connect() {
    if (this.live || !this.session) return;
    const session = this.session;
    const key = { tenant: this.tenant, conversationId: session.conversation_id };
    this.live = liveOrPoll({
      timeoutMs: LISTENER_TIMEOUT_MS,
      onStatus: (status) => this.setStatus(status),
      listen: ({ onReady, onError }) => {
        let stop = null;
        let cancelled = false;
        (async () => {
          this.firebase = await loadFirebase("chatdesk-widget");
          await signInGuest(this.firebase, session);
          if (cancelled) return;
          const { sdk, db } = this.firebase;
          stop = allReady(
            [
              (handlers) =>
                watchMessages(sdk, db, { ...key, audience: ["all", "guest"] }, { ...handlers, onMessages: (list) => this.onMessages(list) }),
              (handlers) => watchConversation(sdk, db, key, { ...handlers, onConversation: (c) => c && this.onConversation(c) }),
            ],
            { onReady, onError },
          );
        })().catch(onError);
        return () => {
          cancelled = true;
          if (stop) stop();
        };
      },
      poll: () =>
        guestPoller(
          this.api,
          { tenant: this.tenant, conversationId: session.conversation_id, sessionId: session.session_id },
          {
            onMessages: (list) => this.onMessages(list),
            onMode: (mode) => this.setMode(mode),
            onError: () => this.setProblem(true),
            onOk: () => this.setProblem(false),
          },
        ).start(),
    });
  }

  setStatus(status) {
    this.status = status;
    this.statusLine.dataset.mode = status;
    this.statusLine.dataset.path = status === LIVE ? "live" : status === POLLING ? "polling" : "connecting";
    // Polling for good: stop the Firestore client so it does not keep retrying in the background.
    if (status === POLLING && this.firebase) stopFirestore(this.firebase);
  }

  /** The connection line appears only while something is wrong (requests failing, browser offline). */
  setProblem(problem) {
    if (problem === !this.statusLine.hidden) return;
    this.statusLine.hidden = !problem;
    this.statusLine.dataset.mode = problem ? "problem" : this.status ?? CONNECTING;
    replaceChildren(this.statusLine, problem ? [h("span", { class: "cd-dot", "aria-hidden": "true" }), h("span", { text: this.t.problem })] : []);
  }

  onMessages(list) {
    const added = this.store.upsert(list);
    if (!this.open) {
      const fresh = added.filter((m) => m.role !== "guest" && this.initialLoadDone && !this.seenIds.has(m.id));
      this.unread += fresh.length;
      this.renderBadge();
    }
    for (const m of list) this.seenIds.add(m.id);
    this.initialLoadDone = true;
    this.renderMessages();
  }

  onConversation(conversation) {
    this.agentName = conversation.assignedAgent?.name || null;
    this.setMode(conversation.mode);
  }

  setMode(mode) {
    this.mode = mode;
    const t = this.t;
    this.subtitle.textContent =
      mode === "pending"
        ? t.subtitlePending
        : mode === "human"
          ? this.agentName
            ? t.subtitleHumanNamed(this.agentName)
            : t.subtitleHuman
          : mode === "closed"
            ? t.subtitleClosed
            : t.subtitleBot;
    this.humanButton.hidden = mode !== "bot";
    this.cancelButton.hidden = mode !== "pending";
    // A closed conversation is final: rating and "new conversation" instead of a message box.
    this.composer.hidden = mode === "closed";
    this.closedNote.hidden = mode !== "closed";
    if (mode !== "bot") this.renderSuggestions([]);
    this.renderAway();
    this.renderRating();
  }

  // --- sending -----------------------------------------------------------------------------

  submit() {
    const text = this.input.value.trim();
    if (!text || this.sending) return;
    this.input.value = "";
    this.autosize();
    this.send(text);
  }

  async send(text, retryOf = null) {
    if (this.sending) return;
    // One id per message, reused when the guest retries it: the server stores it once and answers
    // a retry with the first result (the first attempt may have been stored before the error).
    const clientMessageId = retryOf?.clientMessageId ?? newClientMessageId();
    if (retryOf) this.store.removeLocal(retryOf.id);
    this.showAlert("");
    this.renderSuggestions([]);
    const local = this.store.addLocal("guest", text, { clientMessageId });
    this.renderMessages();
    this.setSending(true);
    try {
      const session = await this.ensureSession();
      this.connect();
      const reply = await this.api.send({ tenant: this.tenant, sessionId: session.session_id, message: text, clientMessageId });
      if (reply.session_id && reply.session_id !== session.session_id) {
        // The server started a new session (e.g. the old one expired): follow it.
        this.session = this.sessions.save({ ...session, session_id: reply.session_id, conversation_id: reply.conversation_id });
      }
      this.setLanguage(reply.language);
      if (reply.response) this.store.addLocal("bot", reply.response, { source: reply.source });
      // The reply's mode is the truth: "pending" is waiting for a person, not talking to one.
      if (reply.mode && reply.mode !== this.mode) this.setMode(reply.mode);
      this.renderSuggestions(reply.source === "agent" ? [] : reply.suggestions ?? []);
      this.renderMessages();
      this.live?.refresh();
    } catch (err) {
      if (err?.status === 400 && /session_id/.test(err.message ?? "")) {
        // A session this server never issued (e.g. from before a restart): forget it; the retry starts anew.
        this.sessions.clear();
        this.session = null;
      }
      this.store.markFailed(local.id);
      this.renderMessages(true);
      this.showAlert(err?.status === 429 ? this.t.errorRate(err.retryAfter ?? 10) : this.t.errorSend);
    } finally {
      this.setSending(false);
    }
  }

  /** A photo or PDF: checked here for a clear message, uploaded with progress, then sniffed and kept by the server. */
  async attach(file) {
    if (this.uploading) return;
    const t = this.t;
    // The browser's type, or the extension's when it has none (the server trusts neither: it sniffs).
    const byName = ATTACH_TYPES[String(file.name).split(".").pop().toLowerCase()];
    const type = Object.values(ATTACH_TYPES).includes(file.type) ? file.type : byName;
    const maxMb = this.welcome?.attachments_max_mb ?? DEFAULT_ATTACH_MB;
    if (!type || !file.size) return this.showAlert(t.attachType);
    if (file.size > maxMb * 1024 * 1024) return this.showAlert(t.attachTooLarge(maxMb));
    this.showAlert("");
    this.setUploading(file, 0);
    try {
      const session = await this.ensureSession();
      this.connect();
      const ids = { conversationId: session.conversation_id, sessionId: session.session_id };
      const ticket = await this.api.uploadTicket({ ...ids, contentType: type, size: file.size });
      await putFile(ticket.upload, file, this.api.baseUrl, (share) => this.setUploading(file, share));
      const done = await this.api.finalizeAttachment({ ...ids, ticket: ticket.ticket, fileName: file.name });
      if (type.startsWith("image/")) this.previews.set(done.attachment.name, { url: URL.createObjectURL(file), label: file.name });
      if (done.message) {
        // Polling may have drawn the message before the preview existed: draw it again with the photo.
        this.elements.get(done.message.id)?.remove();
        this.elements.delete(done.message.id);
        this.onMessages([normalizeMessage(done.message.id, done.message)]);
      }
      this.renderSuggestions([]);
      this.live?.refresh();
    } catch (err) {
      const status = err?.status;
      this.showAlert(
        status === 415 ? t.attachType : status === 413 ? t.attachTooLarge(maxMb) : status === 429 ? t.errorRate(err.retryAfter ?? 10) : t.attachFailed,
      );
    } finally {
      this.setUploading(null);
      this.attachButton.focus();
    }
  }

  setUploading(file, share = 0) {
    this.uploading = Boolean(file);
    this.attachButton.disabled = this.uploading;
    this.uploadBox.hidden = !file;
    if (!file) return replaceChildren(this.uploadBox, []);
    const pct = Math.round(share * 100);
    replaceChildren(this.uploadBox, h("span", { text: this.t.attaching(file.name, pct) }), h("progress", { max: "100", value: String(pct), "aria-hidden": "true" }));
  }

  setSending(sending) {
    this.sending = sending;
    this.sendButton.disabled = sending;
    this.sendButton.setAttribute("aria-label", sending ? this.t.sending : this.t.send);
    this.typing.hidden = !(sending && this.mode === "bot");
    if (sending) this.scrollToEnd();
  }

  showAlert(text) {
    this.alert.textContent = text;
  }

  // --- rendering ---------------------------------------------------------------------------

  renderBadge() {
    this.badge.hidden = this.unread === 0;
    this.badge.textContent = String(this.unread);
    this.launcher.setAttribute("aria-label", this.unread ? `${this.t.open} — ${this.t.unread(this.unread)}` : this.open ? this.t.close : this.t.open);
  }

  /** Keep the log in step with the store: reuse elements, add new ones in order, never re-render text as HTML. */
  renderMessages(force = false) {
    if (this.welcome) this.renderPrivacy();
    for (const [localId, serverId] of this.store.takeReplacements()) {
      const el = this.elements.get(localId);
      const stored = this.store.byId.get(serverId);
      if (el) {
        // Keep the element (screen readers already announced it); it now shows the stored time.
        this.elements.delete(localId);
        this.elements.set(serverId, el);
        el.dataset.id = serverId;
        if (stored && stored.role !== "system" && !el.querySelector(".cd-meta")) {
          el.querySelector(".cd-bubble")?.after(h("span", { class: "cd-meta", text: formatTime(stored.createdAt, this.lang) }));
        }
      }
    }
    const list = this.store.list();
    const wanted = new Set(list.map((m) => m.id));
    for (const [id, el] of this.elements) {
      if (!wanted.has(id)) {
        el.remove();
        this.elements.delete(id);
      }
    }
    let previous = null;
    for (const message of list) {
      let el = this.elements.get(message.id);
      const state = `${message.failed}`;
      if (!el || (force && el.dataset.state !== state)) {
        const fresh = this.messageElement(message);
        if (el) el.replaceWith(fresh);
        el = fresh;
        this.elements.set(message.id, el);
      }
      const expectedNext = previous ? previous.nextSibling : this.log.firstChild;
      if (el !== expectedNext) this.log.insertBefore(el, expectedNext);
      previous = el;
    }
    this.log.append(this.typing); // the typing indicator stays last
    this.scrollToEnd();
  }

  messageElement(m) {
    const t = this.t;
    const who = m.role === "guest" ? t.you : m.role === "agent" ? m.author?.name || t.agent : m.role === "system" ? t.system : t.bot;
    const time = m.local ? "" : formatTime(m.createdAt, this.lang);
    const el = h(
      "div",
      { class: `cd-msg cd-msg--${m.role}${m.failed ? " cd-msg--failed" : ""}`, "data-id": m.id, "data-role": m.role, "data-state": `${m.failed}` },
      m.role === "agent" ? h("span", { class: "cd-author", "aria-hidden": "true", text: `${who} · ${t.agent}` }) : null,
      h("span", { class: "cd-sr", text: `${who}: ` }),
      m.attachments?.length && m.text.startsWith("📎")
        ? h("div", { class: "cd-bubble cd-bubble--file" }, icon(ICONS.attach, 16), m.text.slice(2).trim()) // an icon, not an emoji font
        : h("div", { class: "cd-bubble", text: m.text }),
      m.attachments?.length ? h("div", { class: "cd-files" }, ...m.attachments.map((a) => this.attachmentElement(a))) : null,
      time && m.role !== "system" ? h("span", { class: "cd-meta", text: time }) : null,
      m.failed ? h("button", { class: "cd-retry", type: "button", text: `↻ ${t.retry}`, onclick: () => this.send(m.text, m) }) : null,
    );
    return el;
  }

  /** The guest's own photo as a thumbnail while this page has it; otherwise the file's name and size. */
  attachmentElement(a) {
    const preview = this.previews.get(a.name);
    if (preview) return h("img", { class: "cd-thumb", src: preview.url, alt: this.t.attachment(preview.label) });
    return h("span", { class: "cd-file", text: `${a.contentType === "application/pdf" ? "PDF" : "📷"} · ${Math.max(1, Math.round(a.size / 1024))} KB` });
  }

  renderSuggestions(suggestions) {
    this.suggestions = (suggestions ?? []).filter((s) => typeof s === "string" && s.trim()).slice(0, 4);
    replaceChildren(
      this.suggestionBox,
      this.suggestions.map((s) => h("button", { class: "cd-chip", type: "button", text: s, onclick: () => this.send(s) })),
    );
  }

  renderRating() {
    const t = this.t;
    const show = this.mode === "closed" && this.session && !this.session.rated;
    if (this.session?.rated && this.mode === "closed" && this.ratingBox.dataset.view !== "thanks") {
      this.showThanks(false); // rated before a reload: still final, still a way to start again
      return;
    }
    if (!show) {
      if (this.ratingBox.dataset.view !== "thanks") this.ratingBox.hidden = true;
      return;
    }
    if (!this.ratingBox.hidden && this.ratingBox.dataset.view === "ask") return;
    this.ratingBox.dataset.view = "ask";
    const stars = [1, 2, 3, 4, 5].map((n) =>
      h(
        "button",
        {
          class: "cd-star",
          type: "button",
          "aria-pressed": "false",
          "aria-label": t.ratingStar(n),
          "data-score": String(n),
          onclick: () => {
            this.rating = n;
            stars.forEach((s, i) => {
              s.setAttribute("aria-pressed", String(i + 1 === n));
              s.classList.toggle("cd-star--lit", i < n);
            });
            submit.disabled = false;
          },
        },
        icon(ICONS.star, 28),
      ),
    );
    const comment = h("textarea", { id: "cd-rating-comment", rows: "2", maxlength: "1000" });
    const submit = h("button", { class: "cd-primary", type: "submit", disabled: true, text: t.ratingSubmit });
    const form = h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          if (!this.rating) return;
          submit.disabled = true;
          try {
            await this.api.rate({
              conversationId: this.session.conversation_id,
              sessionId: this.session.session_id,
              score: this.rating,
              comment: comment.value.trim(),
            });
            this.session = this.sessions.update({ rated: true }) ?? { ...this.session, rated: true };
            this.showThanks();
          } catch {
            submit.disabled = false;
            this.showAlert(t.errorSend);
          }
        },
      },
      h(
        "fieldset",
        {},
        h("legend", { text: t.ratingLegend }),
        h("div", { class: "cd-stars", role: "group", "aria-label": t.ratingLegend }, stars),
        h("label", { class: "cd-sr", for: "cd-rating-comment", text: t.ratingComment }),
        comment,
      ),
      h(
        "div",
        { class: "cd-rating-actions" },
        h("button", { class: "cd-secondary", type: "button", text: t.newConversation, onclick: () => this.restart() }),
        submit,
      ),
    );
    comment.placeholder = t.ratingComment;
    replaceChildren(this.ratingBox, form);
    this.ratingBox.hidden = false;
    this.scrollToEnd(); // the rating card takes room from the log: keep the last message in view
  }

  showThanks(focus = true) {
    const t = this.t;
    this.ratingBox.dataset.view = "thanks";
    const thanks = h("p", { class: "cd-thanks", tabindex: "-1", text: t.ratingThanks });
    replaceChildren(
      this.ratingBox,
      h("div", { class: "cd-thanks-row" }, thanks, h("button", { class: "cd-secondary", type: "button", text: t.newConversation, onclick: () => this.restart() })),
    );
    this.ratingBox.hidden = false;
    if (focus) thanks.focus();
    this.scrollToEnd();
  }

  /** Forget this conversation and start a new one (after a closed, rated conversation). */
  async restart() {
    this.live?.stop();
    this.live = null;
    this.sessions.clear();
    this.session = null;
    this.store = new MessageStore();
    this.elements.forEach((el) => el.remove());
    this.elements.clear();
    this.greetingShown = false;
    this.initialLoadDone = false;
    this.ratingBox.hidden = true;
    this.ratingBox.dataset.view = "";
    this.rating = 0;
    this.agentName = null;
    this.setMode("bot");
    if (this.firebase) {
      await this.firebase.sdk.signOut(this.firebase.auth).catch(() => {});
    }
    await this.start();
    this.input.focus();
  }

  scrollToEnd() {
    if (this.open) this.log.scrollTop = this.log.scrollHeight;
  }
}

function newClientMessageId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return "m-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
