/*
 * Chatdesk chat widget — embed with one tag:
 *   <script src="https://<chatdesk-host>/widget.js" data-tenant="novahouse" async></script>
 * Optional: data-lang="pl|en", data-title="NovaHouse", data-color="#0f5c4d".
 * This loader is a classic script (so `async` and document.currentScript work everywhere). It
 * draws only the launcher; the chat (web/widget/app.js) and the Firebase SDK load on first open,
 * so a page that never opens the chat pays for this file alone. A returning guest with a
 * conversation gets the chat at once (agents' replies must show as unread).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.tenant) {
    console.warn("[chatdesk] widget.js needs data-tenant on its <script> tag");
    return;
  }
  if (window.__chatdeskWidget) return; // embedded twice: keep one widget
  window.__chatdeskWidget = true;
  var options = {
    tenant: script.dataset.tenant,
    lang: script.dataset.lang || null,
    title: script.dataset.title || null,
    color: script.dataset.color || null,
    origin: new URL(script.src, document.baseURI).origin,
  };
  var host = null;
  var loading = null;

  function label() {
    var lang = String(options.lang || document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
    return lang === "pl" ? "Otwórz czat" : "Open chat";
  }

  function load(open) {
    if (!loading) {
      if (host) host.setAttribute("data-loading", "true");
      loading = import(options.origin + "/widget/app.js")
        .then(function (m) {
          // The chat draws its own launcher in the same place; the loader's goes.
          if (host) host.remove();
          return m.mount(Object.assign({}, options, { openNow: open }));
        })
        .catch(function (err) {
          loading = null;
          if (host) host.removeAttribute("data-loading");
          console.error("[chatdesk] widget failed to load", err);
        });
    }
    return loading;
  }

  function returning() {
    try {
      return Boolean(
        localStorage.getItem("chatdesk:" + options.tenant + ":session") ||
          sessionStorage.getItem("chatdesk:" + options.tenant + ":open") === "1",
      );
    } catch (e) {
      return false;
    }
  }

  function drawLauncher() {
    host = document.createElement("div");
    host.id = "chatdesk-widget";
    host.setAttribute("data-tenant", options.tenant);
    var root = host.attachShadow({ mode: "open" });
    var color = options.color || "#0f5c4d";
    root.innerHTML =
      "<style>:host{all:initial}button{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;" +
      "border-radius:50%;border:0;background:" + color.replace(/[^#\w(),.% ]/g, "") + ";color:#fff;display:grid;" +
      "place-items:center;cursor:pointer;box-shadow:0 8px 24px rgba(15,30,40,.28)}" +
      "button:focus-visible{outline:3px solid #1d2327;outline-offset:3px;box-shadow:0 0 0 6px #fff}" +
      ":host([data-loading]) button{opacity:.8;cursor:progress}" +
      "@media (max-width:480px){button{right:14px;bottom:14px}}</style>" +
      '<button class="cd-launcher" type="button" aria-expanded="false" aria-haspopup="dialog">' +
      '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" fill="currentColor">' +
      '<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg></button>';
    var button = root.querySelector("button");
    button.setAttribute("aria-label", label());
    button.addEventListener("click", function () { load(true); });
    // Warm the chat's modules when the guest shows intent, before the click lands.
    button.addEventListener("pointerenter", function () { import(options.origin + "/widget/app.js").catch(function () {}); }, { once: true });
    document.body.append(host);
  }

  function start() {
    if (returning()) load(false);
    else drawLauncher();
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
