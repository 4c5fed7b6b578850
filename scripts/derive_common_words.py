"""Derive data/words/common-english.txt: ordinary English words, so extraction can tell "Primary" from "Gitea".

A capitalised word that is also an everyday English word ("Primary", "Sessions", "Manual") needs more
than a diagram box or a capital letter to be a product name. The list is every purely alphabetic word of
Webster's Second International Dictionary (1934, public domain; the `web2` list shipped by the PyPI
package english-words) whose frequency in the wordfreq package is at least ZIPF (3.5 on its Zipf scale:
about three uses per million words), so rare dictionary words ("cilium") and names that only happen to be
in the dictionary are left out.

Usage: python scripts/derive_common_words.py [OUT]   (needs: pip install -e '.[gazetteer]')
"""

from __future__ import annotations

import sys
from pathlib import Path

ZIPF = 3.5
HEADER = ("# Ordinary English words (one per line, lower case): web2 (public domain) filtered by wordfreq\n"
          f"# Zipf frequency >= {ZIPF}. Derived by scripts/derive_common_words.py; see data/words/README.md.\n")


def derive() -> str:
    """The text of the word list."""
    import english_words
    import wordfreq

    words = english_words.get_english_words_set(["web2"], lower=True)
    common = sorted(w for w in words if w.isalpha() and len(w) >= 2 and wordfreq.zipf_frequency(w, "en") >= ZIPF)
    return HEADER + "\n".join(common) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "data" / "words" / "common-english.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(derive(), encoding="utf-8")
    print(f"{out}: {sum(1 for line in out.read_text().splitlines() if not line.startswith('#'))} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
