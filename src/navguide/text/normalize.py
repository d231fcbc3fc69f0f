"""Normalising text so that learners' spelling and the knowledge's meet."""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "a", "ø": "o", "é": "e", "è": "e",
                       "ü": "u", "á": "a", "à": "a", "í": "i", "ó": "o", "ú": "u"})


def clean(text: str) -> str:
    """NFKC, case-folded; one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fold(word: str) -> str:
    """The word without diacritics: what a learner types on a phone without å/ä/ö."""
    folded = word.translate(_FOLD)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a text, case-folded, punctuation dropped."""
    return _WORD_RE.findall(clean(text))


def words_with_case(text: str) -> list[str]:
    """The words as written, to tell "Kall" the place from "kall" the word."""
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text))
