// WhatsApp delivery status on the bot's and agents' messages: a small tick mark with words for
// screen readers (the statuses come from Twilio's callbacks; the server never moves them back).
import { h } from "../lib/dom.js";

const FAILED = new Set(["failed", "undelivered"]);
const MARKS = { queued: "◷", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!", undelivered: "!" };

/** The mark for a message's delivery status, or null when it has none (web messages, guests' messages). */
export function deliveryMark(status, t) {
  if (!status || !(status in MARKS)) return null;
  const label = t.delivery[status];
  return h(
    "span",
    { class: `msg-delivery is-${status}`, "data-delivery": status, title: label },
    h("span", { "aria-hidden": "true", text: MARKS[status] }),
    // A failure is spelled out for everyone; the ticks carry their words for screen readers.
    h("span", { class: FAILED.has(status) ? "msg-delivery-word" : "sr-only", text: label }),
  );
}
