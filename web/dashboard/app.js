// The agent dashboard (/dashboard): sign in with e-mail and password, watch the tenant's
// conversations live, take over, reply, return to the bot, close, and keep internal notes.
// Reads come from Firestore listeners (or polling when they cannot be established); every write
// goes through the `agent` function.
import { AgentApi, conversationListPoller, conversationPoller } from "../lib/agent-api.js";
import { h, icon, ICONS, replaceChildren, syncChildren } from "../lib/dom.js";
import { formatAge, formatTime } from "../lib/format.js";
import { loadFirebase, stopFirestore } from "../lib/firebase.js";
import { CONNECTING, LIVE, POLLING, liveOrPoll } from "../lib/live.js";
import { MessageStore } from "../lib/message-store.js";
import { allReady, normalizeConversation, watchConversation, watchConversations, watchMessages, watchNotes } from "../lib/streams.js";
import { attachCannedPicker } from "./canned.js";
import { STRINGS, pickLanguage } from "./i18n.js";
import { ContactCards, ServerSearch } from "./contact.js";
import { deliveryMark } from "./delivery.js";
import { deadLetterPanel } from "./dead-letters.js";

const LISTENER_TIMEOUT_MS = 5000;
const AGENT_ROLES = new Set(["agent", "admin"]);
const MODES = ["pending", "human", "bot", "closed"];

const lang = pickLanguage(location.search, navigator.languages ?? [navigator.language]);
const t = STRINGS[lang];
document.documentElement.lang = lang;

class Dashboard {
  constructor(root) {
    this.root = root;
    this.firebase = null;
    this.user = null;
    this.claims = null;
    this.me = null;
    this.api = null;
    this.transport = CONNECTING; // the page's path: once polling, every view polls
    this.conversations = [];
    this.queue = [];
    this.filter = "all";
    this.selectedId = null;
    this.current = null;
    this.store = new MessageStore();
    this.notes = [];
    this.listSub = null;
    this.convSub = null;
    this.listCache = new Map();
    this.queueCache = new Map();
    this.messageCache = new Map();
    this.noteCache = new Map();
    this.busy = false;
    this.seen = loadSeen();
    this.knownWaiting = new Set();
    this.queueAlertsReady = false;
    this.query = "";
    this.search = new ServerSearch({ api: () => this.api, onChange: () => this.renderLists() });
    this.contacts = new ContactCards({ api: () => this.api, t });
  }

  async start() {
    this.firebase = await loadFirebase("chatdesk-dashboard");
    const { sdk, auth } = this.firebase;
    sdk.onAuthStateChanged(auth, (user) => this.onUser(user));
  }

  // --- authentication ----------------------------------------------------------------------

  async onUser(user) {
    this.stopAll();
    this.listLoaded = false;
    this.queueLoaded = false;
    this.user = user;
    if (!user) {
      this.renderSignIn();
      return;
    }
    const { claims } = await user.getIdTokenResult();
    if (!AGENT_ROLES.has(claims.role) || !claims.tenant) {
      await this.firebase.sdk.signOut(this.firebase.auth);
      this.renderSignIn(t.notAgent);
      return;
    }
    this.claims = claims;
    this.api = new AgentApi({ baseUrl: location.origin, getToken: () => user.getIdToken() });
    this.me = { uid: user.uid, email: user.email, name: claims.name || user.displayName || user.email, tenant: claims.tenant, role: claims.role };
    this.renderApp();
    this.subscribeList();
    this.api
      .me()
      .then((me) => {
        this.me = { ...this.me, ...me };
        this.renderIdentity();
      })
      .catch(() => {}); // the claims already say who this is; the name is a nicety
    const fromHash = decodeURIComponent(location.hash.replace(/^#\/?c\//, ""));
    if (fromHash && fromHash !== location.hash) this.select(fromHash);
  }

  renderSignIn(message = "") {
    document.title = `${t.product} — ${t.signIn}`;
    const error = h("p", { class: "form-error", role: "alert", text: message });
    const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
    const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
    const submit = h("button", { class: "btn btn-primary btn-block", type: "submit", text: t.signIn });
    const form = h(
      "form",
      {
        class: "signin-card",
        "aria-labelledby": "signin-title",
        onsubmit: async (e) => {
          e.preventDefault();
          submit.disabled = true;
          submit.textContent = t.signingIn;
          error.textContent = "";
          try {
            await this.firebase.sdk.signInWithEmailAndPassword(this.firebase.auth, email.value.trim(), password.value);
          } catch (err) {
            const code = String(err?.code ?? "");
            error.textContent = /invalid-credential|wrong-password|user-not-found|invalid-email|invalid-login/.test(code) ? t.badCredentials : t.signInFailed;
            submit.disabled = false;
            submit.textContent = t.signIn;
            password.focus();
          }
        },
      },
      h("div", { class: "brand brand-lg" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, icon(ICONS.chat, 20)), t.product),
      h("h1", { id: "signin-title", text: t.signInTitle }),
      h("p", { class: "muted", text: t.signInLead }),
      h("label", { for: "email", text: t.email }),
      email,
      h("label", { for: "password", text: t.password }),
      password,
      error,
      submit,
    );
    replaceChildren(this.root, h("main", { class: "signin" }, form));
    email.focus();
  }

  // --- layout ------------------------------------------------------------------------------

  renderApp() {
    this.statusLine = h("span", { class: "status", role: "status", "data-mode": this.transport });
    this.identity = h("span", { class: "identity" });
    const topbar = h(
      "header",
      { class: "topbar" },
      h("div", { class: "brand" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, icon(ICONS.chat, 18)), h("span", { class: "brand-name", text: t.product })),
      h("span", { class: "tenant-pill", text: this.me.tenant }),
      h("div", { class: "topbar-spacer" }),
      this.statusLine,
      this.identity,
      h("button", { class: "btn btn-quiet", type: "button", text: t.signOut, onclick: () => this.firebase.sdk.signOut(this.firebase.auth) }),
    );

    this.queueCount = h("span", { class: "count", text: "0" });
    this.queueList = h("ul", { class: "conv-list queue-list", "aria-labelledby": "queue-title" });
    this.queueEmpty = h("p", { class: "empty-line", text: t.queueEmpty });
    this.filterBar = h(
      "div",
      { class: "filters", role: "group", "aria-label": t.filters },
      ["all", ...MODES].map((mode) =>
        h("button", {
          class: "filter",
          type: "button",
          "data-filter": mode,
          "aria-pressed": String(mode === this.filter),
          text: mode === "all" ? t.filterAll : t.mode[mode],
          onclick: () => this.setFilter(mode),
        }),
      ),
    );
    this.convList = h("ul", { class: "conv-list", "aria-labelledby": "list-title" });
    // Searches all of the tenant's conversations on the server (debounced, see contact.js); meanwhile,
    // and when the server cannot answer, the conversations the list holds on the words agents see.
    this.searchBox = h("input", {
      class: "search",
      type: "search",
      id: "conv-search",
      maxlength: "100",
      placeholder: t.searchPlaceholder,
      "aria-describedby": "conv-search-note",
      oninput: (e) => {
        this.query = e.target.value;
        this.search.update(this.query);
      },
    });
    this.searchNote = h("p", { class: "search-note muted small", id: "conv-search-note", role: "status" });
    this.listEmpty = h("p", { class: "empty-line", text: t.listEmpty });
    const sidebar = h(
      "nav",
      { class: "sidebar", "aria-label": t.conversations },
      h("section", { class: "queue" }, h("h2", { id: "queue-title", class: "section-title" }, t.queue, " ", this.queueCount), this.queueList, this.queueEmpty),
      h("section", { class: "all" }, h("h2", { id: "list-title", class: "section-title", text: t.conversations }), h("label", { class: "sr-only", for: "conv-search", text: t.search }), this.searchBox, this.searchNote, this.filterBar, this.convList, this.listEmpty),
    );

    if (this.me.role === "admin") sidebar.querySelector(".queue").after(deadLetterPanel({ api: this.api, t, lang, onOpenConversation: (id) => this.select(id) }));
    this.detail = h("main", { class: "detail", id: "detail", tabindex: "-1" });
    this.toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    this.shell = h("div", { class: "shell", "data-view": "list" }, topbar, h("div", { class: "columns" }, sidebar, this.detail), this.toasts);
    replaceChildren(this.root, this.shell);
    // Desktop notifications need a user gesture to ask; the first click in the app asks once.
    if ("Notification" in window && Notification.permission === "default") {
      this.root.addEventListener("click", () => Notification.requestPermission().catch(() => {}), { once: true });
    }
    this.renderIdentity();
    this.renderStatus();
    this.renderDetail();
    clearInterval(this.clock);
    this.clock = setInterval(() => this.renderLists(true), 30000); // ages ("5 min") stay true
  }

  renderIdentity() {
    if (!this.identity) return;
    replaceChildren(this.identity, h("span", { class: "avatar", "aria-hidden": "true", text: initials(this.me.name) }), h("span", { class: "identity-name", text: this.me.name }));
  }

  renderStatus() {
    if (!this.statusLine) return;
    this.statusLine.dataset.mode = this.transport;
    const label = this.transport === LIVE ? t.live : this.transport === POLLING ? t.polling : t.connecting;
    replaceChildren(this.statusLine, h("span", { class: "dot", "aria-hidden": "true" }), label);
  }

  setTransport(mode) {
    if (this.transport === POLLING) return; // once polling, the page stays on polling
    this.transport = mode;
    this.renderStatus();
    if (mode === POLLING) stopFirestore(this.firebase);
  }

  toast(text, kind = "info") {
    const el = h("div", { class: `toast toast-${kind}`, text });
    this.toasts.append(el);
    setTimeout(() => el.remove(), 4000);
  }

  // --- subscriptions -----------------------------------------------------------------------

  /** Listener first (unless the page already polls), polling when it cannot be established. */
  subscribe({ listen, poll }) {
    if (this.transport === POLLING) {
      const poller = poll();
      return { refresh: () => poller.now(), stop: () => poller.stop() };
    }
    return liveOrPoll({ listen, poll, timeoutMs: LISTENER_TIMEOUT_MS, onStatus: (mode) => mode !== CONNECTING && this.setTransport(mode) });
  }

  subscribeList() {
    const { sdk, db } = this.firebase;
    const tenant = this.me.tenant;
    this.listSub = this.subscribe({
      listen: (handlers) =>
        allReady(
          [
            (hs) => watchConversations(sdk, db, { tenant }, { ...hs, onConversations: (list) => this.onConversations(list) }),
            (hs) => watchConversations(sdk, db, { tenant, mode: "pending" }, { ...hs, onConversations: (list) => this.onQueue(list) }),
          ],
          handlers,
        ),
      poll: () => {
        const onError = (err) => this.onApiError(err, true);
        const all = conversationListPoller(this.api, {}, { onConversations: (list) => this.onConversations(list), onError }).start();
        const pending = conversationListPoller(this.api, { mode: "pending" }, { onConversations: (list) => this.onQueue(list), onError }).start();
        return { now: () => Promise.all([all.now(), pending.now()]), stop: () => (all.stop(), pending.stop()) };
      },
    });
  }

  subscribeConversation(id) {
    this.convSub?.stop();
    const { sdk, db } = this.firebase;
    const key = { tenant: this.me.tenant, conversationId: id };
    const same = () => this.selectedId === id;
    this.convSub = this.subscribe({
      listen: (handlers) =>
        allReady(
          [
            (hs) => watchConversation(sdk, db, key, { ...hs, onConversation: (c) => same() && c && this.onCurrent(c) }),
            (hs) => watchMessages(sdk, db, key, { ...hs, onMessages: (list) => same() && this.onMessages(list) }),
            (hs) => watchNotes(sdk, db, key, { ...hs, onNotes: (list) => same() && this.onNotes(list) }),
          ],
          handlers,
        ),
      poll: () =>
        conversationPoller(this.api, id, {
          onMessages: (list) => same() && this.onMessages(list),
          onNotes: (list) => same() && this.onNotes(list),
          onConversation: (c) => same() && this.onCurrent(c),
          onError: (err) => this.onApiError(err, true),
        }).start(),
    });
  }

  stopAll() {
    this.listSub?.stop();
    this.convSub?.stop();
    this.listSub = null;
    this.convSub = null;
    clearInterval(this.clock);
  }

  // --- data --------------------------------------------------------------------------------

  onConversations(list) {
    this.listLoaded = true;
    this.conversations = [...list].sort(byNewestActivity);
    const current = this.conversations.find((c) => c.id === this.selectedId);
    if (current && this.current && current.updatedAt > (this.current.updatedAt ?? 0)) this.onCurrent(current);
    this.renderLists();
  }

  onQueue(list) {
    this.queueLoaded = true;
    // Longest wait first: the queue is worked from the top.
    this.queue = list.filter((c) => c.mode === "pending").sort((a, b) => (a.updatedAt ?? 0) - (b.updatedAt ?? 0));
    this.alertNewWaiting(this.queue);
    document.title = this.queue.length ? `(${this.queue.length}) ${t.product}` : t.product;
    this.renderLists();
  }

  onCurrent(conversation) {
    this.current = { ...this.current, ...conversation };
    this.renderConversationHeader();
    this.renderComposer();
  }

  onMessages(list) {
    this.store.upsert(list);
    this.renderMessages();
  }

  onNotes(list) {
    const byId = new Map(this.notes.map((n) => [n.id, n]));
    for (const note of list) byId.set(note.id, note);
    this.notes = [...byId.values()].sort((a, b) => a.createdAt - b.createdAt);
    this.renderNotes();
  }

  onApiError(err, background = false) {
    if (err?.status === 401) {
      this.toast(t.sessionExpired, "error");
      this.firebase.sdk.signOut(this.firebase.auth);
      return;
    }
    if (background) return; // polling retries by itself (with backoff); don't flood the agent
    this.toast(err?.status === 409 ? t.conflict : err?.status === 403 ? t.forbidden : t.actionFailed, "error");
  }

  // --- lists -------------------------------------------------------------------------------

  setFilter(mode) {
    this.filter = mode;
    for (const b of this.filterBar.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.filter === mode));
    this.renderLists();
  }

  renderLists(tick = false) {
    if (!this.convList) return;
    const now = new Date();
    const minute = tick ? String(Math.floor(now.getTime() / 60000)) : "";
    const query = (this.query ?? "").trim().toLowerCase();
    const matches = (c) => !query || [c.label, c.contact, c.lastMessage?.text, c.ratingComment].some((v) => v && v.toLowerCase().includes(query));
    const found = this.search.visible(this.conversations, matches);
    const visible = this.filter === "all" ? found : found.filter((c) => c.mode === this.filter);
    this.searchNote.textContent = this.search.note(t, found.length);
    this.searchNote.hidden = !this.searchNote.textContent;
    syncChildren(this.convList, visible, {
      key: (c) => c.id,
      signature: (c) => `${c.updatedAt?.getTime()}|${c.mode}|${c.assignedAgent?.uid}|${c.id === this.selectedId}|${minute}|${isUnread(c, this.seen)}|${c.label}`,
      create: (c) => this.listItem(c, false),
      cache: this.listCache,
    });
    this.listEmpty.hidden = visible.length > 0 || !this.listLoaded; // no "empty" claim before the first answer
    syncChildren(this.queueList, this.queue, {
      key: (c) => c.id,
      signature: (c) => `${c.updatedAt?.getTime()}|${c.id === this.selectedId}|${minute}`,
      create: (c) => this.listItem(c, true),
      cache: this.queueCache,
    });
    this.queueEmpty.hidden = this.queue.length > 0 || !this.queueLoaded;
    this.queueCount.textContent = String(this.queue.length);
    this.queueCount.dataset.zero = String(this.queue.length === 0);
  }

  listItem(c, inQueue) {
    const last = c.lastMessage;
    const who = last?.role ? t.lastFrom[last.role] : "";
    const mine = c.assignedAgent?.uid === this.me.uid;
    const age = formatAge(c.updatedAt, lang);
    return h(
      "li",
      {},
      h(
        "button",
        {
          class: `conv${c.id === this.selectedId ? " is-selected" : ""}`,
          type: "button",
          "aria-current": c.id === this.selectedId ? "true" : false,
          "data-id": c.id,
          "data-mode": c.mode,
          onclick: () => this.select(c.id),
        },
        h(
          "span",
          { class: "conv-top" },
          h("span", { class: "conv-title", text: conversationTitle(c) }),
          isUnread(c, this.seen) && c.id !== this.selectedId ? h("span", { class: "unread-dot", role: "img", "aria-label": t.unreadMark }) : null,
          h("span", { class: "conv-age", text: inQueue ? t.waiting(age) : age }),
        ),
        h("span", { class: "conv-last" }, who ? h("span", { class: "conv-who", text: `${who}: ` }) : null, last?.text ?? ""),
        h(
          "span",
          { class: "conv-tags" },
          modeBadge(c.mode),
          h("span", { class: "tag", text: t.channel[c.channel] ?? c.channel }),
          c.language ? h("span", { class: "tag", text: c.language.toUpperCase() }) : null,
          c.assignedAgent && c.mode === "human" ? h("span", { class: "tag tag-agent", text: mine ? t.you : c.assignedAgent.name }) : null,
        ),
      ),
    );
  }

  // --- the selected conversation -----------------------------------------------------------

  select(id) {
    if (!id) return;
    this.selectedId = id;
    this.markSeen(id);
    const known = [...this.conversations, ...this.queue, ...(this.search.results ?? [])]; // a search finds older ones too
    this.current = known.find((c) => c.id === id) ?? { id, mode: "bot" };
    this.store = new MessageStore();
    this.notes = [];
    this.messageCache = new Map();
    this.noteCache = new Map();
    history.replaceState(null, "", `#c/${encodeURIComponent(id)}`);
    this.shell.dataset.view = "detail";
    this.renderDetail();
    this.renderLists();
    this.subscribeConversation(id);
    this.detailTitle?.focus();
  }

  markSeen(id) {
    this.seen[id] = Date.now();
    try {
      localStorage.setItem(SEEN_KEY, JSON.stringify(this.seen));
    } catch {
      // private mode: markers reset on reload
    }
  }

  /** A conversation newly waiting for a person: chime and a desktop notification (when allowed). */
  alertNewWaiting(list) {
    const fresh = list.filter((c) => !this.knownWaiting.has(c.id));
    list.forEach((c) => this.knownWaiting.add(c.id));
    if (!this.queueAlertsReady) {
      this.queueAlertsReady = true; // the first answer is the backlog, not news
      return;
    }
    if (!fresh.length) return;
    chime();
    if ("Notification" in window && Notification.permission === "granted") {
      const n = new Notification(t.newWaiting, { body: conversationTitle(fresh[0]), tag: `chatdesk-${fresh[0].id}` });
      n.onclick = () => {
        window.focus();
        this.select(fresh[0].id);
      };
    }
  }

  back() {
    this.shell.dataset.view = "list";
    const el = this.convList.querySelector(`[data-id="${CSS.escape(this.selectedId ?? "")}"]`);
    el?.focus();
  }

  renderDetail() {
    if (!this.selectedId) {
      this.detailTitle = null;
      replaceChildren(
        this.detail,
        h("div", { class: "placeholder" }, h("span", { class: "placeholder-icon", "aria-hidden": "true" }, icon(ICONS.chat, 36)), h("h2", { text: t.selectConversation }), h("p", { class: "muted", text: t.selectConversationLead })),
      );
      return;
    }
    this.detailTitle = h("h1", { class: "detail-title", tabindex: "-1" });
    this.detailMeta = h("div", { class: "detail-meta" });
    this.actions = h("div", { class: "actions" });
    this.messageLog = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": t.messages, tabindex: "0" });
    this.composer = h("div", { class: "composer" });
    this.notesList = h("ul", { class: "notes-list" });
    this.notesEmpty = h("p", { class: "empty-line", text: t.notesEmpty });
    const noteInput = h("textarea", { id: "note-input", rows: "3", maxlength: "2000", placeholder: t.notePlaceholder });
    const noteForm = h(
      "form",
      {
        class: "note-form",
        onsubmit: async (e) => {
          e.preventDefault();
          const text = noteInput.value.trim();
          if (!text) return;
          const ok = await this.act("addNote", text);
          if (ok) noteInput.value = "";
        },
      },
      h("label", { class: "sr-only", for: "note-input", text: t.noteLabel }),
      noteInput,
      h("button", { class: "btn btn-secondary", type: "submit", text: t.addNote }),
    );
    const header = h(
      "header",
      { class: "detail-header" },
      h("button", { class: "btn btn-quiet back", type: "button", "aria-label": t.back, onclick: () => this.back() }, icon(ICONS.back, 20)),
      h("div", { class: "detail-heading" }, this.detailTitle, this.detailMeta),
      this.actions,
    );
    this.contactCard = h("section", { class: "contact-card", "aria-label": t.contact });
    const notes = h(
      "aside",
      { class: "notes", "aria-labelledby": "notes-title" },
      this.contactCard,
      h("h2", { id: "notes-title", class: "section-title", text: t.notes }),
      h("p", { class: "muted small", text: t.notesLead }),
      this.notesList,
      this.notesEmpty,
      noteForm,
    );
    replaceChildren(this.detail, header, h("div", { class: "detail-body" }, h("section", { class: "thread", "aria-label": t.messages }, this.messageLog, this.composer), notes));
    this.renderConversationHeader();
    this.renderMessages();
    this.renderNotes();
    this.renderComposer();
  }

  renderConversationHeader() {
    if (!this.detailTitle || !this.current) return;
    const c = this.current;
    this.detailTitle.textContent = `${t.conversation} ${conversationTitle(c)}`;
    const mine = c.assignedAgent?.uid === this.me.uid;
    replaceChildren(
      this.detailMeta,
      modeBadge(c.mode),
      h("span", { class: "tag", text: t.channel[c.channel] ?? c.channel ?? "" }),
      c.language ? h("span", { class: "tag", text: c.language.toUpperCase() }) : null,
      c.messageCount ? h("span", { class: "muted small", text: t.messagesCount(c.messageCount) }) : null,
      c.rating ? h("span", { class: "tag tag-rating", text: t.rating(c.rating) }) : null,
      c.ratingComment ? h("q", { class: "rating-comment", title: t.ratingComment, text: c.ratingComment }) : null,
      c.mode === "human" && c.assignedAgent ? h("span", { class: "muted small", text: mine ? t.handledByYou : t.handledBy(c.assignedAgent.name) }) : null,
    );
    const takenByOther = c.mode === "human" && c.assignedAgent && !mine;
    const canManage = !takenByOther || this.me.role === "admin"; // admins may release or close anyone's
    const buttons = [];
    if (c.mode === "bot" || c.mode === "pending" || takenByOther) {
      buttons.push(h("button", { class: "btn btn-primary", type: "button", "data-action": "takeover", disabled: takenByOther || this.busy, text: t.takeOver, onclick: () => this.act("takeover") }));
    }
    if (c.mode === "pending" || (c.mode === "human" && canManage)) {
      buttons.push(h("button", { class: "btn btn-secondary", type: "button", "data-action": "release", disabled: this.busy, text: t.release, onclick: () => this.act("release") }));
    }
    if (c.mode !== "closed" && canManage) {
      buttons.push(h("button", { class: "btn btn-danger-quiet", type: "button", "data-action": "close", disabled: this.busy, text: t.close, onclick: () => window.confirm(t.confirmClose) && this.act("close") }));
    }
    replaceChildren(this.actions, buttons);
    this.renderContact();
  }

  renderContact() {
    if (!this.contactCard || !this.current) return;
    this.contacts.show(this.contactCard, this.current); // contact.js: lead details, channel, page URL
  }

  renderComposer() {
    if (!this.composer || !this.current) return;
    const c = this.current;
    const mine = c.mode === "human" && c.assignedAgent?.uid === this.me.uid;
    const windowClosed = c.replyWindowEnds && c.replyWindowEnds <= new Date(); // WhatsApp's 24-hour rule
    if (!mine || windowClosed) {
      const hint = windowClosed && mine ? t.replyHintWhatsAppWindow : c.mode === "closed" ? t.replyHintClosed : c.mode === "human" && c.assignedAgent ? t.replyHintOther(c.assignedAgent.name) : t.replyHintTakeOver;
      this.replyInput = null;
      replaceChildren(this.composer, h("p", { class: "composer-hint", text: hint }));
      return;
    }
    if (this.replyInput && this.composer.contains(this.replyInput)) return; // keep what the agent is typing
    const input = h("textarea", {
      id: "reply-input",
      rows: "2",
      maxlength: "2000",
      // A phone's box is narrow and its keyboard has no Shift+Enter: the short hint there.
      placeholder: window.matchMedia("(max-width: 700px)").matches ? t.replyPlaceholderShort : t.replyPlaceholder,
      onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          form.requestSubmit();
        }
      },
    });
    const form = h(
      "form",
      {
        class: "reply-form",
        onsubmit: async (e) => {
          e.preventDefault();
          const text = input.value.trim();
          if (!text) return;
          input.value = "";
          const local = this.store.addLocal("agent", text, { author: { uid: this.me.uid, name: this.me.name } });
          this.renderMessages();
          const ok = await this.act("reply", text);
          if (!ok) {
            this.store.removeLocal(local.id);
            input.value = text;
            this.renderMessages();
          }
          input.focus();
        },
      },
      h("label", { class: "sr-only", for: "reply-input", text: t.replyLabel }),
      input,
      h("button", { class: "btn btn-primary send", type: "submit", "aria-label": t.send }, icon(ICONS.send, 18), h("span", { class: "send-label", text: t.send })),
    );
    this.replyInput = input;
    replaceChildren(this.composer, form);
    attachCannedPicker(input, form, { api: this.api, lang, language: () => this.current?.language ?? null }); // "/" inserts a canned response
  }

  renderMessages() {
    if (!this.messageLog) return;
    for (const [localId, serverId] of this.store.takeReplacements()) {
      const entry = this.messageCache.get(localId);
      if (entry) {
        this.messageCache.delete(localId);
        this.messageCache.set(serverId, entry);
      }
    }
    const atBottom = this.messageLog.scrollHeight - this.messageLog.scrollTop - this.messageLog.clientHeight < 80;
    syncChildren(this.messageLog, this.store.list(), {
      key: (m) => m.id,
      signature: (m) => (m.local ? "local" : `stored ${m.deliveryStatus ?? ""}`), // a confirmed reply loses its pending look; a delivery report re-renders
      create: (m) => this.messageItem(m),
      cache: this.messageCache,
    });
    if (atBottom || this.store.size < 3) this.messageLog.scrollTop = this.messageLog.scrollHeight;
  }

  messageItem(m) {
    const who = m.role === "agent" ? `${m.author?.name || t.role.agent}` : t.role[m.role] ?? m.role;
    if (m.role === "system") {
      return h("div", { class: "msg msg-system", "data-role": "system" }, h("span", { class: "msg-text", text: m.text }), h("span", { class: "msg-time", text: formatTime(m.createdAt, lang) }));
    }
    return h(
      "div",
      { class: `msg msg-${m.role}${m.local ? " is-local" : ""}`, "data-role": m.role, "data-id": m.id },
      h("div", { class: "msg-head" }, h("span", { class: "msg-who", text: who }), m.source && m.role === "bot" ? h("span", { class: "msg-source", text: m.source }) : null, m.role === "bot" && m.confidence != null ? h("span", { class: "msg-confidence", text: t.confidence(m.confidence) }) : null, h("span", { class: "msg-time", text: m.local ? "…" : formatTime(m.createdAt, lang) }), deliveryMark(m.deliveryStatus, t)),
      h("div", { class: "msg-text", text: m.text }),
      m.role === "bot" && m.used?.length ? h("div", { class: "msg-used", text: `${t.usedKnowledge}: ${m.used.join(", ")}` }) : null,
      m.attachments?.length ? h("div", { class: "msg-files" }, ...m.attachments.map((a) => this.attachmentItem(a))) : null,
    );
  }

  attachmentItem(a) {
    // The bucket is private: fetch with the agent's token, then show a thumbnail (images) or a link (PDF).
    const conversationId = this.selectedId;
    const link = h("a", { class: "msg-file", href: "#", target: "_blank", rel: "noopener", text: a.contentType === "application/pdf" ? `PDF · ${Math.ceil(a.size / 1024)} KB` : "…" });
    this.api.media(conversationId, a.name).then((blob) => {
      const url = URL.createObjectURL(blob);
      link.href = url;
      if (a.contentType.startsWith("image/")) replaceChildren(link, h("img", { class: "msg-thumb", src: url, alt: a.name }));
    }, () => { link.textContent = t.actionFailed; });
    return link;
  }

  renderNotes() {
    if (!this.notesList) return;
    syncChildren(this.notesList, this.notes, {
      key: (n) => n.id,
      create: (n) =>
        h(
          "li",
          { class: "note" },
          h("div", { class: "note-text", text: n.text }),
          h("div", { class: "note-meta", text: `${n.author?.name ?? ""} · ${formatTime(n.createdAt, lang)}` }),
        ),
      cache: this.noteCache,
    });
    this.notesEmpty.hidden = this.notes.length > 0;
  }

  /** Run one agent action through the `agent` function; the answer's conversation updates the view at once. */
  async act(action, text) {
    const id = this.selectedId;
    if (!id || this.busy) return false;
    this.busy = true;
    this.renderConversationHeader();
    try {
      const result = await (action === "reply" || action === "addNote" ? this.api[action](id, text) : this.api[action](id));
      if (this.selectedId === id && result?.conversation) this.onCurrent({ ...normalizeFromApi(result.conversation, id) });
      if (action === "takeover") this.toast(t.tookOver);
      if (action === "release") this.toast(t.released);
      if (action === "close") this.toast(t.closed);
      this.convSub?.refresh();
      this.listSub?.refresh();
      if (action === "takeover") setTimeout(() => this.replyInput?.focus(), 0);
      return true;
    } catch (err) {
      this.onApiError(err);
      this.convSub?.refresh();
      return false;
    } finally {
      this.busy = false;
      this.renderConversationHeader();
    }
  }
}

// --- helpers ---------------------------------------------------------------------------------

function normalizeFromApi(conversation, id) {
  return normalizeConversation(conversation.id ?? id, conversation);
}

function byNewestActivity(a, b) {
  return (b.updatedAt?.getTime() ?? 0) - (a.updatedAt?.getTime() ?? 0);
}

function modeBadge(mode) {
  return h("span", { class: `badge badge-${mode}`, text: t.mode[mode] ?? mode });
}

/** What agents read: the guest's first words (or contact), the short id only when there is nothing else. */
function conversationTitle(c) {
  if (c.label) return c.label;
  if (c.contact) return c.contact;
  return shortId(c);
}

function shortId(c) {
  const tail = String(c.id ?? "").split(".").pop().replace(/^c_/, "");
  return `#${tail.slice(0, 6).toUpperCase()}`;
}

// --- unread markers and alerts -------------------------------------------------------------

const SEEN_KEY = "chatdesk:dashboard:seen";

function loadSeen() {
  try {
    return JSON.parse(localStorage.getItem(SEEN_KEY) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

/** Unread: the guest wrote after the agent last opened the conversation. */
function isUnread(c, seen) {
  if (!c.lastMessage || c.lastMessage.role !== "guest") return false;
  const at = c.updatedAt?.getTime() ?? 0;
  return at > (seen[c.id] ?? 0);
}

/** A short two-tone chime (no audio file to load); silent where audio is not allowed yet. */
function chime() {
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    [660, 880].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.12, ctx.currentTime + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.18 + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.18);
      osc.stop(ctx.currentTime + i * 0.18 + 0.17);
    });
  } catch {
    // no audio: the list and the desktop notification still show it
  }
}

function initials(name) {
  const parts = String(name ?? "?").replace(/@.*/, "").split(/[\s._-]+/).filter(Boolean);
  return (parts[0]?.[0] ?? "?").toUpperCase() + (parts[1]?.[0] ?? "").toUpperCase();
}

const dashboard = new Dashboard(document.getElementById("app"));
window.chatdeskDashboard = dashboard; // for the console and tests
dashboard.start().catch((err) => {
  console.error("[chatdesk] dashboard failed to start", err);
  replaceChildren(document.getElementById("app"), h("p", { class: "fatal", role: "alert", text: t.signInFailed }));
});
