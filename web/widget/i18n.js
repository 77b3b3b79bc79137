// The widget's strings in Polish and English.

/** Polish plural forms: 1 → one, 2–4 (not 12–14) → few, else many ("1 nowa", "3 nowe", "5 nowych", "22 nowe"). */
export function plural(n, one, few, many) {
  if (n === 1) return one;
  const tens = n % 100;
  return n % 10 >= 2 && n % 10 <= 4 && (tens < 12 || tens > 14) ? few : many;
}

export const STRINGS = {
  pl: {
    open: "Otwórz czat",
    close: "Zamknij czat",
    title: "Czat z nami",
    subtitleBot: "Asystent odpowiada od razu",
    subtitlePending: "Czekasz na konsultanta",
    subtitleHuman: "Rozmawiasz z konsultantem",
    subtitleHumanNamed: (name) => `Rozmawiasz z: ${name}`,
    subtitleClosed: "Rozmowa zakończona",
    live: "Na żywo",
    polling: "Odświeżanie co 2 s",
    connecting: "Łączenie…",
    log: "Wiadomości",
    inputLabel: "Twoja wiadomość",
    placeholder: "Napisz wiadomość…",
    send: "Wyślij",
    sending: "Wysyłanie…",
    askHuman: "Porozmawiaj z konsultantem",
    askHumanMessage: "Chcę rozmawiać z konsultantem",
    suggestions: "Podpowiedzi",
    you: "Ty",
    bot: "Asystent",
    agent: "Konsultant",
    system: "Informacja",
    failed: "Nie wysłano. Spróbuj ponownie.",
    errorSend: "Nie udało się wysłać wiadomości. Sprawdź połączenie i spróbuj ponownie.",
    errorRate: (s) => `Wysyłasz wiadomości zbyt szybko. Spróbuj za ${s} s.`,
    errorStart: "Nie udało się uruchomić czatu. Spróbuj ponownie za chwilę.",
    typing: "Asystent pisze…",
    ratingLegend: "Jak oceniasz tę rozmowę?",
    ratingStar: (n) => `${n} z 5`,
    ratingComment: "Komentarz (opcjonalnie)",
    ratingSubmit: "Wyślij ocenę",
    ratingThanks: "Dziękujemy za ocenę!",
    newConversation: "Nowa rozmowa",
    unread: (n) => `${n} ${plural(n, "nowa wiadomość", "nowe wiadomości", "nowych wiadomości")}`,
    cancelWait: "Anuluj oczekiwanie — wróć do asystenta",
    problem: "Brak połączenia — ponawiam…",
    closedNote: "Ta rozmowa jest zakończona. Aby napisać ponownie, zacznij nową rozmowę.",
    privacy: "Wiadomości, które tu wpiszesz, przetwarzamy, aby Ci odpowiedzieć.",
    privacyLink: "Polityka prywatności",
    retry: "Nie wysłano — spróbuj ponownie",
    poweredBy: "Chatdesk",
  },
  en: {
    open: "Open chat",
    close: "Close chat",
    title: "Chat with us",
    subtitleBot: "Our assistant replies right away",
    subtitlePending: "Waiting for a person to join",
    subtitleHuman: "You are chatting with a person",
    subtitleHumanNamed: (name) => `You are chatting with ${name}`,
    subtitleClosed: "Conversation closed",
    live: "Live",
    polling: "Polling every 2 s",
    connecting: "Connecting…",
    log: "Messages",
    inputLabel: "Your message",
    placeholder: "Type a message…",
    send: "Send",
    sending: "Sending…",
    askHuman: "Talk to a person",
    askHumanMessage: "I want to talk to a human",
    suggestions: "Suggestions",
    you: "You",
    bot: "Assistant",
    agent: "Agent",
    system: "Notice",
    failed: "Not sent. Try again.",
    errorSend: "Your message could not be sent. Check your connection and try again.",
    errorRate: (s) => `You are sending messages too fast. Try again in ${s} s.`,
    errorStart: "The chat could not start. Please try again in a moment.",
    typing: "Assistant is typing…",
    ratingLegend: "How would you rate this conversation?",
    ratingStar: (n) => `${n} out of 5`,
    ratingComment: "Comment (optional)",
    ratingSubmit: "Send rating",
    ratingThanks: "Thank you for your rating!",
    newConversation: "New conversation",
    unread: (n) => `${n} new message${n === 1 ? "" : "s"}`,
    cancelWait: "Stop waiting — back to the assistant",
    problem: "Connection lost — retrying…",
    closedNote: "This conversation has ended. To write again, start a new conversation.",
    privacy: "We process the messages you write here to answer you.",
    privacyLink: "Privacy policy",
    retry: "Not sent — try again",
    poweredBy: "Chatdesk",
  },
};

/** The widget's language: data-lang, then the host page's <html lang>, then the browser's; pl or en. */
export function pickLanguage({ explicit, pageLang, navigatorLanguages = [] }) {
  for (const candidate of [explicit, pageLang, ...navigatorLanguages]) {
    const code = String(candidate ?? "").toLowerCase().slice(0, 2);
    if (code in STRINGS) return code;
  }
  return "en";
}
