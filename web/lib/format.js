// Small, dependency-free helpers shared by the widget and the dashboard (browser and Node).

/** A Date from a Firestore Timestamp, an ISO string, epoch millis or a Date; null otherwise. */
export function toDate(value) {
  if (value == null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value.toDate === "function") return value.toDate();
  if (typeof value === "string" || typeof value === "number") {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (typeof value.seconds === "number") return new Date(value.seconds * 1000 + Math.round((value.nanoseconds ?? 0) / 1e6));
  return null;
}

/** "14:05" for today, "12 lis 14:05" / "Nov 12 14:05" for other days. */
export function formatTime(date, lang = "en", now = new Date()) {
  if (!date) return "";
  const locale = lang === "pl" ? "pl-PL" : "en-GB";
  const time = date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === now.toDateString()) return time;
  const day = date.toLocaleDateString(locale, { day: "numeric", month: "short" });
  return `${day} ${time}`;
}

/** "teraz", "5 min", "2 h", "3 d" — compact age for lists. */
export function formatAge(date, lang = "en", now = new Date()) {
  if (!date) return "";
  const s = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (s < 60) return lang === "pl" ? "teraz" : "now";
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  if (hours < 24) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}
