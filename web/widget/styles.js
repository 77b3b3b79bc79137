// The widget's styles, applied inside its shadow root so the host page and the widget never
// restyle each other. --cd-brand comes from the script tag's data-color.
export const CSS = `
:host { all: initial; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.cd-root {
  --cd-brand: #0f5c4d;
  --cd-brand-ink: #ffffff;
  --cd-ink: #1d2327;
  --cd-muted: #5f6b73;
  --cd-line: #e3e7ea;
  --cd-bg: #ffffff;
  --cd-soft: #f3f5f6;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--cd-ink);
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
}
.cd-sr { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button { font: inherit; color: inherit; cursor: pointer; }
button:disabled { cursor: default; opacity: .55; }
:focus-visible { outline: 2px solid #1d2327; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }
/* Two-tone ring: dark on light surfaces, white on the brand header — ≥ 4.5:1 on both. */
.cd-header :focus-visible { outline-color: #fff; box-shadow: 0 0 0 2px #1d2327; }

.cd-launcher {
  width: 60px; height: 60px; border-radius: 50%; border: 0; position: relative;
  background: var(--cd-brand); color: var(--cd-brand-ink);
  display: grid; place-items: center;
  box-shadow: 0 8px 24px rgba(15, 30, 40, .28);
  transition: transform .15s ease;
}
.cd-launcher:hover { transform: scale(1.05); }
.cd-badge {
  position: absolute; top: -2px; right: -2px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #d6343a; color: #fff; font-size: 12px; font-weight: 700;
  display: grid; place-items: center; border: 2px solid #fff;
}

.cd-panel {
  position: fixed; right: 20px; bottom: 92px;
  width: 380px; max-width: calc(100vw - 24px);
  height: 600px; max-height: calc(100vh - 112px); max-height: calc(100dvh - 112px);
  background: var(--cd-bg); border-radius: 16px; overflow: hidden;
  box-shadow: 0 18px 48px rgba(15, 30, 40, .25), 0 0 0 1px rgba(15, 30, 40, .06);
  display: flex; flex-direction: column;
}
.cd-panel[hidden] { display: none; }

.cd-header {
  background: var(--cd-brand); color: var(--cd-brand-ink);
  padding: 14px 12px 14px 16px; display: flex; align-items: center; gap: 12px;
}
.cd-avatar { width: 38px; height: 38px; border-radius: 50%; background: rgba(255,255,255,.18); display: grid; place-items: center; flex: none; }
.cd-heading { flex: 1; min-width: 0; }
.cd-title { margin: 0; font-size: 16px; font-weight: 650; line-height: 1.25; }
.cd-subtitle { margin: 2px 0 0; font-size: 13px; opacity: .88; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cd-close { background: transparent; border: 0; color: inherit; width: 40px; height: 40px; border-radius: 10px; display: grid; place-items: center; flex: none; }
.cd-close:hover { background: rgba(255,255,255,.14); }

.cd-log { flex: 1; overflow-y: auto; padding: 16px 14px 8px; background: var(--cd-soft); display: flex; flex-direction: column; gap: 10px; scroll-behavior: smooth; }
.cd-msg { display: flex; flex-direction: column; max-width: 84%; }
.cd-msg--guest { align-self: flex-end; align-items: flex-end; }
.cd-msg--bot, .cd-msg--agent { align-self: flex-start; align-items: flex-start; }
.cd-msg--system { align-self: center; max-width: 92%; align-items: center; }
.cd-author { font-size: 12px; color: var(--cd-muted); margin: 0 4px 3px; font-weight: 600; }
.cd-bubble { padding: 9px 13px; border-radius: 16px; white-space: pre-wrap; overflow-wrap: anywhere; }
.cd-msg--guest .cd-bubble { background: var(--cd-brand); color: var(--cd-brand-ink); border-bottom-right-radius: 5px; }
.cd-msg--bot .cd-bubble { background: #fff; border: 1px solid var(--cd-line); border-bottom-left-radius: 5px; }
.cd-msg--agent .cd-bubble { background: #fff7e6; border: 1px solid #f1dcae; border-bottom-left-radius: 5px; }
.cd-msg--system .cd-bubble { background: transparent; color: var(--cd-muted); font-size: 13px; text-align: center; padding: 2px 8px; }
.cd-meta { font-size: 11.5px; color: var(--cd-muted); margin: 3px 6px 0; }
.cd-msg--failed .cd-bubble { opacity: .6; }
.cd-retry { background: #fff; border: 1px solid #b3261e; color: #b3261e; font-size: 13px; font-weight: 600; text-decoration: underline; text-underline-offset: 2px; padding: 3px 10px; margin-top: 4px; border-radius: 999px; }
.cd-typing { align-self: flex-start; color: var(--cd-muted); font-size: 13px; padding: 2px 6px; }
.cd-typing[hidden] { display: none; }

.cd-suggestions { display: flex; gap: 6px; padding: 8px 12px; overflow-x: auto; background: var(--cd-soft); scrollbar-width: thin; }
.cd-suggestions:empty { display: none; }
.cd-chip { border: 1px solid var(--cd-brand); color: var(--cd-brand); background: #fff; border-radius: 999px; padding: 5px 12px; font-size: 13px; white-space: nowrap; flex: none; }
.cd-chip:hover { background: var(--cd-brand); color: var(--cd-brand-ink); }

.cd-rating { margin: 0; padding: 12px 14px; border-top: 1px solid var(--cd-line); background: #fff; }
.cd-rating[hidden] { display: none; }
.cd-rating fieldset { border: 0; margin: 0; padding: 0; }
.cd-rating legend { font-weight: 600; padding: 0; margin-bottom: 8px; }
.cd-stars { display: flex; gap: 4px; }
.cd-star { background: none; border: 0; padding: 4px; color: #6b767d; border-radius: 8px; }
.cd-star[aria-pressed="true"], .cd-star.cd-star--lit { color: #f2a30f; }
.cd-rating textarea { width: 100%; margin-top: 8px; border: 1px solid #8a959c; border-radius: 10px; padding: 8px 10px; font: inherit; font-size: 16px; resize: none; }
.cd-rating-actions { display: flex; justify-content: space-between; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.cd-primary { background: var(--cd-brand); color: var(--cd-brand-ink); border: 0; border-radius: 10px; padding: 8px 14px; font-weight: 600; }
.cd-secondary { background: #fff; color: var(--cd-brand); border: 1px solid var(--cd-brand); border-radius: 10px; padding: 7px 14px; font-weight: 600; }
.cd-thanks { margin: 0; font-weight: 600; color: var(--cd-brand); }
.cd-thanks-row { display: flex; align-items: center; justify-content: space-between; gap: 8px; }

.cd-composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px; border-top: 1px solid var(--cd-line); background: #fff; margin: 0; }
.cd-input { flex: 1; resize: none; font-size: 16px; border: 1px solid #8a959c; border-radius: 12px; padding: 9px 12px; font-family: inherit; line-height: 1.4; color: inherit; max-height: 120px; min-height: 42px; background: #fff; }
.cd-input:focus { border-color: var(--cd-brand); outline: none; box-shadow: 0 0 0 3px color-mix(in srgb, var(--cd-brand) 22%, transparent); }
.cd-send { width: 42px; height: 42px; border-radius: 12px; border: 0; background: var(--cd-brand); color: var(--cd-brand-ink); display: grid; place-items: center; flex: none; }
.cd-attach { width: 44px; height: 44px; border-radius: 12px; border: 1px solid var(--cd-line); background: #fff; color: var(--cd-brand); display: grid; place-items: center; flex: none; }
.cd-attach:hover { background: var(--cd-soft); }
.cd-attach:focus-visible, .cd-send:focus-visible { outline: 3px solid color-mix(in srgb, var(--cd-brand) 45%, transparent); outline-offset: 2px; }
.cd-attach:disabled { opacity: .5; cursor: progress; }
.cd-upload { margin: 0; padding: 8px 14px; border-top: 1px solid var(--cd-line); background: #fff; font-size: 13px; color: var(--cd-muted); display: flex; align-items: center; gap: 10px; }
.cd-upload progress { flex: 1; height: 6px; accent-color: var(--cd-brand); }
.cd-bubble--file { display: inline-flex; align-items: center; gap: 6px; }
.cd-files { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; justify-content: flex-end; }
.cd-thumb { display: block; max-width: 180px; max-height: 180px; border-radius: 12px; border: 1px solid var(--cd-line); object-fit: cover; background: #fff; }
.cd-file { font-size: 12.5px; color: var(--cd-muted); background: #fff; border: 1px solid var(--cd-line); border-radius: 10px; padding: 4px 9px; }

.cd-footer { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 0 12px 9px; background: #fff; font-size: 12px; color: var(--cd-muted); }
.cd-human, .cd-cancel { background: none; border: 0; color: var(--cd-brand); font-size: 13.5px; padding: 6px 0; text-decoration: underline; text-underline-offset: 2px; }
.cd-human[hidden], .cd-cancel[hidden] { display: none; }
.cd-status[hidden] { display: none; }
.cd-away { margin: 0; padding: 8px 14px; background: #fff4d6; color: #5c4300; font-size: 13.5px; border-bottom: 1px solid #f0dc9c; }
.cd-away[hidden] { display: none; }
.cd-privacy { margin: 0; padding: 6px 14px; color: #3d4451; font-size: 12.5px; border-bottom: 1px solid #e3e6ea; }
.cd-privacy a { color: #1f4fbf; }
.cd-privacy[hidden] { display: none; }
.cd-closed-note { margin: 0; padding: 10px 14px; border-top: 1px solid var(--cd-line); background: #fff; color: var(--cd-muted); font-size: 13.5px; }
.cd-closed-note[hidden], .cd-composer[hidden] { display: none; }
.cd-status { display: inline-flex; align-items: center; gap: 6px; margin-left: auto; white-space: nowrap; }
.cd-dot { width: 8px; height: 8px; border-radius: 50%; background: #9aa5ad; }
.cd-status[data-mode="live"] .cd-dot { background: #1f9d55; }
.cd-status[data-mode="problem"] { color: #8a1c15; font-weight: 600; }
.cd-status[data-mode="problem"] .cd-dot { background: #d6343a; }
.cd-alert { margin: 0; padding: 8px 12px; background: #fdecea; color: #8a1c15; font-size: 13px; }
.cd-alert:empty { display: none; }

@media (max-width: 480px) {
  .cd-root { right: 14px; bottom: 14px; }
  .cd-panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; }
  .cd-root[data-open="true"] .cd-launcher { display: none; }
  .cd-send { width: 44px; height: 44px; }
}
@media (prefers-reduced-motion: reduce) { .cd-log { scroll-behavior: auto; } .cd-launcher { transition: none; } }
`;
