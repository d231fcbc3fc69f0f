"""The knowledge's own words, and how a learner's word is mapped onto them.

Every word of the knowledge becomes a key: its Snowball stem without
diacritics. A learner's word is looked up as typed, then by stem, then joined
with the next word, split into two known parts, or corrected to the nearest
known word, with a cut-off that grows with the word's length.
"""

from __future__ import annotations

import bisect
import sys
from functools import cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from ..text.lexicon import is_stop
from ..text.normalize import fold
from ..text.stem import stem_en, stem_sv

MIN_PART = 3
MIN_FAMILY = 6  # shortest key whose longer forms are matched too
MIN_INFIX = 7  # shortest word looked for inside longer compounds
MAX_FAMILY = 30
MAX_SUFFIX = 4  # a derivation ("-ning", "-are"), not another word ("program-mering")


def _number(word: str) -> str | None:
    """Numbers of one shape are one key: an age "58" meets "över 50", a year meets a year.

    One-digit numbers stay themselves: they name course levels ("Matematik 2").
    """
    if word.isdigit() and len(word) > 1:
        return f"#{len(word)}"
    return None


def key_sv(word: str) -> str:
    return _number(word) or fold(stem_sv(word))


def key_en(word: str) -> str:
    return _number(word) or stem_en(fold(word))


@cache
def word_keys(words: frozenset[str]) -> frozenset[str]:
    """The Swedish and English keys of a set of general words, stop words left out."""
    return frozenset(k for w in words if not is_stop(w) for k in (key_sv(w), key_en(w)))


# Swedish inflection endings (folded): what may follow a known word without
# making another word of it ("grupprum-men", not "skol-mat").
_ENDINGS = frozenset(
    "a e n s t en et er ar or na ne ns es as at ad arna erna orna ena ens ets men mer "
    "ande ende ade are ares ering".split()
)


def _adds_a_word(typed: str, known: str) -> bool:
    """Whether the typed word is the known one with another word after it:
    "skolmat" is "skola" + "mat"; "grupprummen" only inflects "grupprum"."""
    stem = known[:-1]
    if not typed.startswith(stem):
        return False
    tail = typed[len(stem):]  # "mat" after "skol", "mmen" after "gruppru"
    extra = tail[1:] if tail[:1] == known[-1:] else tail
    return len(tail) >= MIN_PART and tail not in _ENDINGS and extra not in _ENDINGS


class Found(NamedTuple):
    keys: tuple[str, ...]
    known: bool
    partial: bool = False
    guessed: bool = False  # corrected to the nearest known word


class Vocabulary:
    def __init__(self, general: frozenset[str] = frozenset()) -> None:
        # Keys of general words a compound may end in even if the knowledge never
        # uses them alone ("kock" + "utbildning").
        self.general = general
        self.surface: dict[str, set[str]] = {}  # folded word -> keys
        self.keys: set[str] = set()
        self._choices: list[str] = []
        self._sorted_keys: list[str] = []
        self._infix_cache: dict[str, tuple[str, ...]] = {}
        self._by_initial: dict[str, list[str]] = {}
        self._cache: dict[str, Found] = {}

    def add(self, word: str, lang: str) -> str:
        """Record a knowledge word; returns its key."""
        # Interned: the same key recurs in thousands of entries' word sets.
        key = sys.intern(key_en(word) if lang == "en" else key_sv(word))
        self.surface.setdefault(fold(word), set()).add(key)
        self.keys.add(key)
        return key

    def freeze(self) -> None:
        self._choices = sorted(w for w in self.surface if len(w) >= 4 and not is_stop(w))
        self._by_initial: dict[str, list[str]] = {}
        for word in self._choices:
            self._by_initial.setdefault(word[0], []).append(word)
        self._sorted_keys = sorted(self.keys)

    def containing(self, word: str) -> tuple[str, ...]:
        """Keys of longer knowledge words that hold this one: "lärarprogram" is in
        "förskollärarprogrammet". Swedish compounds put the head last."""
        folded = fold(word)
        if len(folded) < MIN_INFIX:
            return ()
        found = self._infix_cache.get(folded)
        if found is None:
            found = tuple(sorted({
                key for w in self._choices if folded in w and len(w) > len(folded) + 1
                for key in self.surface[w]
            }))[:MAX_FAMILY]
            if len(self._infix_cache) < 10_000:
                self._infix_cache[folded] = found
        return found

    def family(self, key: str) -> tuple[str, ...]:
        """Keys that extend this one by a short suffix: "vagled" -> "vagledning".

        Snowball leaves Swedish derivations apart; a long enough key followed by
        at most a suffix's length is the same word family.
        """
        if len(key) < MIN_FAMILY or key.startswith("#"):
            return ()
        found = []
        at = bisect.bisect_right(self._sorted_keys, key)
        while at < len(self._sorted_keys) and self._sorted_keys[at].startswith(key):
            if len(self._sorted_keys[at]) - len(key) <= MAX_SUFFIX:
                found.append(self._sorted_keys[at])
            at += 1
            if len(found) >= MAX_FAMILY:
                break
        return tuple(found)

    def knows_surface(self, word: str) -> bool:
        return fold(word) in self.surface

    def split(self, word: str) -> tuple[str, str] | None:
        """Two known keys a compound is made of ("mattekurser" -> matte, kurs)."""
        folded = fold(word)
        for cut in range(len(folded) - MIN_PART, MIN_PART - 1, -1):
            left, right = folded[:cut], folded[cut:]
            right_key = key_sv(right)
            if right_key not in self.keys and right not in self.surface and (
                right_key not in self.general
            ):
                continue
            for head in (left, left[:-1] if left[-1:] in ("s", "e", "a") else None):
                if head and len(head) >= MIN_PART:
                    head_key = key_sv(head)
                    if head_key in self.keys or head in self.surface:
                        return (head_key, right_key)
        return None

    def lookup(self, word: str) -> Found:
        """The keys of a learner's word and whether the knowledge knows it."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self._lookup(word)
            if len(self._cache) < 100_000:
                self._cache[word] = cached
        return cached

    def _lookup(self, word: str) -> Found:
        folded = fold(word)
        # A stem is trusted only when long enough not to collide ("väder" -> "vad").
        candidates = {
            k for k in (key_sv(word), key_sv(folded), key_en(word))
            if len(k) >= 4 or k.startswith("#")
        }
        known = candidates & self.keys
        if folded in self.surface:
            return Found(tuple(sorted(self.surface[folded])), True)
        if known:
            return Found(tuple(sorted(known)), True)
        for cut in (1, 2, 3):  # "istället" where the knowledge writes "i stället"
            head, rest = folded[:cut], folded[cut:]
            if is_stop(head) and len(rest) >= 4 and rest in self.surface:
                return Found(tuple(sorted(self.surface[rest])), True)
        corrected = self.correct(folded)
        if corrected:
            return Found(tuple(sorted(self.surface[corrected])), True, guessed=True)
        if len(folded) >= 6:
            parts = self.split(folded)
            if parts:
                return Found(parts, True, partial=True)
        return Found((key_sv(folded),), False)

    def correct(self, folded: str) -> str | None:
        """The nearest known word to a misspelt one, if near enough to trust.

        Only words with the same first letter: typing rarely gets that wrong, and
        it keeps "hört" from becoming "short".
        """
        choices = self._by_initial.get(folded[:1], [])
        if len(folded) < 4 or not choices:
            return None
        cutoff = 85.0 if len(folded) <= 6 else 82.0
        found = process.extractOne(folded, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        if not found:
            return None
        if _adds_a_word(folded, found[0]):
            return None  # "skolmat" is a kind of food, not "skola" misspelt
        return found[0]
