"""Regenerate the general word lists that tell a real word from a typo (shared/domain/wordlists/).

    pip install --target /tmp/wordfreq wordfreq==3.1.1 && PYTHONPATH=/tmp/wordfreq python -m tools.wordlists

Typo repair maps a word the pack does not know onto the nearest pack word; that must never turn a
real word ("poland", "dentist") into a pack word ("land", "dent..."). The lists hold, with its Zipf frequency,
every word of at least four letters that occurs at least ``--min-zipf`` times on the Zipf scale (2.5 ≈ once in
three million words) in wordfreq's "large" list for the language, folded like the index folds them
("wykończenie" → "wykonczenie"). wordfreq (a 57 MB wheel) is only needed here, not at run time.
The word lists are derived from wordfreq's data, © Robyn Speer, licensed CC BY-SA 4.0.
"""

from __future__ import annotations

import argparse
import gzip
import math
import sys

from shared.domain.text import WORDLIST_DIR, WORDLIST_LANGUAGES, fold

MIN_LETTERS = 4  # shorter words are never repaired (closest_word needs four letters)


def build(language: str, min_zipf: float) -> list[str]:
    """Lines "zipf word word ..." for the folded real words of ``language`` at or above ``min_zipf``."""
    try:
        import wordfreq  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise SystemExit("wordfreq is not installed: see the usage line of this tool") from None
    floor = 10 ** (min_zipf - 9)
    frequencies: dict[str, float] = wordfreq.get_frequency_dict(language, "large")
    folded: dict[str, float] = {}
    for word, frequency in frequencies.items():
        if frequency >= floor and word.isalpha() and len(word) >= MIN_LETTERS:
            key = fold(word)  # "wykończenie" and a rarer "wykonczenie" are one word to the index
            folded[key] = folded.get(key, 0.0) + frequency
    bands: dict[str, list[str]] = {}
    for word, frequency in sorted(folded.items()):
        bands.setdefault(f"{math.log10(frequency) + 9:.1f}", []).append(word)
    # One line per frequency band, "zipf word word ...": it loads with a split per line, not per word.
    return [" ".join([zipf, *words]) for zipf, words in sorted(bands.items(), reverse=True)]


def main(argv: list[str] | None = None) -> int:
    """Write one gzipped word-per-line list per language."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-zipf", type=float, default=2.5)
    args = parser.parse_args(argv)
    WORDLIST_DIR.mkdir(parents=True, exist_ok=True)
    for language in WORDLIST_LANGUAGES:
        bands = build(language, args.min_zipf)
        path = WORDLIST_DIR / f"{language}.txt.gz"
        # mtime=0: the same words give the same bytes, so a regeneration without changes is no diff.
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(("\n".join(bands) + "\n").encode("utf-8"))
        print(f"{path}: {sum(len(line.split()) - 1 for line in bands)} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
