// The widget's own texts: Polish plural forms and both languages offering the same strings.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { STRINGS, plural } from "../../web/widget/i18n.js";

describe("widget texts", () => {
  test("Polish plurals use one, few and many forms", () => {
    const forms = [1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 102, 112].map((n) => STRINGS.pl.unread(n));
    assert.deepEqual(forms, [
      "1 nowa wiadomość",
      "2 nowe wiadomości",
      "4 nowe wiadomości",
      "5 nowych wiadomości",
      "11 nowych wiadomości",
      "12 nowych wiadomości",
      "14 nowych wiadomości",
      "21 nowych wiadomości",
      "22 nowe wiadomości",
      "25 nowych wiadomości",
      "102 nowe wiadomości",
      "112 nowych wiadomości",
    ]);
    assert.equal(plural(3, "a", "b", "c"), "b");
  });

  test("English says one message and many messages", () => {
    assert.equal(STRINGS.en.unread(1), "1 new message");
    assert.equal(STRINGS.en.unread(3), "3 new messages");
  });

  test("both languages define the same strings", () => {
    assert.deepEqual(Object.keys(STRINGS.pl).sort(), Object.keys(STRINGS.en).sort());
  });
});
