/*
 * Chatdesk chat widget — embed with one tag:
 *   <script src="https://<chatdesk-host>/widget.js" data-tenant="novahouse" async></script>
 * Optional: data-lang="pl|en", data-title="NovaHouse", data-color="#0f5c4d".
 * This loader is a classic script (so `async` and document.currentScript work everywhere); it
 * loads the widget's ES modules from the same origin it was loaded from.
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
  function start() {
    import(options.origin + "/widget/app.js")
      .then(function (m) { return m.mount(options); })
      .catch(function (err) { console.error("[chatdesk] widget failed to load", err); });
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
