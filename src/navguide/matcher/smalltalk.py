"""Small talk: a message that only greets, thanks, says goodbye or asks who we are.

The phrases come from the built-in `builtin/smalltalk.yaml` and the knowledge
folder's own `smalltalk:` entries (same id: the folder's replaces the built-in
one). A message is small talk only when its words are all small-talk phrases
("hej!", "hej, tack så mycket"); "hej, hur söker jag till komvux?" is a
question. An entry with `handoff: true` (asking for a person) answers any
message that holds one of its phrases.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files

from rapidfuzz.distance import Levenshtein

from ..knowledge.loader import load_knowledge
from ..knowledge.model import Knowledge, SmallTalk
from ..text.language import Lang
from ..text.normalize import fold, words

MIN_FUZZY = 5  # words this long may have one typo ("tusen takc" is still thanks)


@dataclass(frozen=True)
class Heard:
    entry: SmallTalk
    lang: Lang | None  # the language of the phrase heard; None when both have it


@cache
def builtin_smalltalk() -> tuple[SmallTalk, ...]:
    with as_file(files("navguide").joinpath("builtin")) as folder:
        knowledge, problems = load_knowledge(folder)
    errors = [p for p in problems if p.severity == "error"]
    assert not errors, errors  # the shipped file is checked by the tests
    return knowledge.smalltalk


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in words(text))


class SmallTalkMatcher:
    def __init__(self, knowledge: Knowledge) -> None:
        entries = {e.id: e for e in builtin_smalltalk()}
        entries |= {e.id: e for e in knowledge.smalltalk}  # the counsellors' own win
        self.entries = list(entries.values())
        # phrase -> (entry, languages it is written in)
        self.phrases: dict[tuple[str, ...], tuple[SmallTalk, set[str]]] = {}
        for entry in self.entries:
            for lang in ("sv", "en"):
                questions = entry.questions if lang == "sv" else entry.en.get("questions", ())
                for question in questions:  # type: ignore[union-attr]
                    phrase = _phrase(str(question))
                    if phrase:
                        _, langs = self.phrases.setdefault(phrase, (entry, set()))
                        langs.add(lang)
        self.longest = max((len(p) for p in self.phrases), default=0)
        self.vocabulary = {w for p in self.phrases for w in p}
        self.person = {p: e for p, (e, _) in self.phrases.items() if e.handoff}

    def hear(self, text: str) -> Heard | None:
        """The small talk a message is (all of it), or the request for a person in it."""
        tokens = _phrase(text)
        if not tokens:
            return None
        whole = self._cover(tokens)
        if whole:
            return whole
        return self._person(tokens)

    def _cover(self, tokens: tuple[str, ...]) -> Heard | None:
        """Every word belongs to a phrase: the phrase with most words answers."""
        if not all(self._word(t) for t in tokens):
            return None  # a word no phrase has: a question, not small talk
        n = len(tokens)
        # best[i]: a way to cover tokens[i:], as the phrases used (None: no way)
        best: list[list[tuple[str, ...]] | None] = [None] * (n + 1)
        best[n] = []
        for i in range(n - 1, -1, -1):
            for size in range(min(self.longest, n - i), 0, -1):
                phrase = self._known(tokens[i : i + size])
                rest = best[i + size]
                if phrase and rest is not None:
                    best[i] = [phrase, *rest]
                    break
        used = best[0]
        if not used:
            return None
        main = max(reversed(used), key=len)  # "hej, tack så mycket": the thanks
        return self._heard(main)

    def _person(self, tokens: tuple[str, ...]) -> Heard | None:
        """A request for a person anywhere in the message ("kan jag ringa någon?")."""
        for size in sorted({len(p) for p in self.person}, reverse=True):
            for i in range(len(tokens) - size + 1):
                phrase = self._known(tokens[i : i + size], self.person)
                if phrase:
                    return self._heard(phrase)
        return None

    def _word(self, word: str) -> bool:
        return word in self.vocabulary or (len(word) >= MIN_FUZZY and any(
            Levenshtein.distance(word, known) <= 1 for known in self.vocabulary
        ))

    def _known(
        self, words_: tuple[str, ...], among: dict[tuple[str, ...], object] | None = None
    ) -> tuple[str, ...] | None:
        among = self.phrases if among is None else among
        if words_ in among:
            return words_
        for phrase in among:
            if len(phrase) == len(words_) and all(
                a == b or (len(b) >= MIN_FUZZY and Levenshtein.distance(a, b) <= 1)
                for a, b in zip(words_, phrase, strict=True)
            ):
                return phrase
        return None

    def _heard(self, phrase: tuple[str, ...]) -> Heard:
        entry, langs = self.phrases[phrase]
        lang: Lang | None = next(iter(langs)) if len(langs) == 1 else None  # type: ignore[assignment]
        return Heard(entry, lang)
