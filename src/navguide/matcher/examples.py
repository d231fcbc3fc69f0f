"""Fitting examples the knowledge itself provides, for any county's knowledge.

- Held out: each of an entry's own questions, `en:` questions and titles is a
  question whose answer is that entry, asked of the knowledge without that
  text (one fold in `FOLDS` holds each text out).
- Perturbed copies of them: a typo, å/ä/ö folded, lower case, a word dropped,
  a story sentence in front, a place of the county after it.
- Near misses: an entry's questions asked with that entry removed, which the
  rest of the knowledge must hand off.
- Out of domain: everyday questions shipped with navguide (data/), which any
  knowledge must hand off.

No benchmark question is used: those only measure.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

import yaml

from ..knowledge.model import Centre, Knowledge, Topic
from ..text.normalize import fold

FOLDS = 4
NEAR_MISS_SHARE = 8  # one topic in this many is removed in its fold, for near misses
PERTURBED = 2  # perturbed copies of each held-out question
LOCAL_SHARE = 0.5  # an entry of a municipality is asked with it preset this often


@dataclass(frozen=True)
class Example:
    text: str
    expect: frozenset[str]  # empty: the question must be handed off
    municipality: str | None
    fold: int
    source: str  # held-out, perturbed, near-miss, out-of-domain


def stable(text: str) -> int:
    return zlib.crc32(text.encode())


@cache
def shipped(name: str) -> dict:
    text = resources.files("navguide.matcher").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


def out_of_domain() -> list[tuple[str, str]]:
    return [(q["text"], q.get("lang", "sv")) for q in shipped("out-of-domain.yaml")["questions"]]


def stories() -> dict[str, list[str]]:
    return shipped("stories.yaml")["stories"]


@dataclass
class Fold:
    """One fold: the knowledge it is asked of, and the examples asked of it."""

    number: int
    knowledge: Knowledge
    examples: list[Example]


def folds(knowledge: Knowledge, *, max_courses: int | None = None) -> list[Fold]:
    """The knowledge split into FOLDS hold-outs, each with its examples.

    `max_courses` samples the courses of a large catalogue (every fold keeps the
    same sample), so that fitting costs seconds at 100,000 courses too.
    """
    courses = knowledge.courses
    if max_courses is not None and len(courses) > max_courses:
        rng = random.Random(len(courses))
        courses = tuple(sorted(rng.sample(courses, max_courses), key=lambda c: c.id))
    places = [(m.id, p) for m in knowledge.municipalities for p in (m.name, *m.places)]
    out: list[Fold] = []
    for number in range(FOLDS):
        examples: list[Example] = []
        topics: list[Topic] = []
        for topic in knowledge.topics:
            texts = _topic_texts(topic)
            if stable(topic.id) % (FOLDS * NEAR_MISS_SHARE) == number:
                # Removed: its questions now ask what the rest must hand off.
                examples += [Example(t, frozenset(), None, number, "near-miss")
                             for t, _ in texts]
                continue
            held = {i for i in range(len(texts)) if (stable(topic.id) + i) % FOLDS == number}
            if len(held) == len(texts):
                held.discard(min(held))
            for i in sorted(held):
                text, lang = texts[i]
                rng = _rng(text)
                muni = topic.municipality if topic.municipality and (
                    rng.random() < LOCAL_SHARE) else None
                examples += _with_copies(text, lang, frozenset({topic.id}), muni, number,
                                         rng, places)
            topics.append(_without(topic, {texts[i][0] for i in held}))
        kept_courses = []
        for course in courses:
            if stable(course.id) % FOLDS == number:
                rng = _rng(course.id)
                muni = course.municipality if course.municipality and (
                    rng.random() < LOCAL_SHARE) else None
                examples += _with_copies(course.title, "sv", frozenset({course.id}), muni,
                                         number, rng, places, copies=1)
                kept_courses.append(replace(course, title=""))  # only its other texts
            else:
                kept_courses.append(course)
        for centre in knowledge.centres:
            if stable(centre.id) % FOLDS == number:
                examples += _centre_examples(knowledge, centre, number)
        for text, lang in out_of_domain():
            if stable(text) % FOLDS == number:
                rng = _rng(text)
                muni = rng.choice(places)[0] if places and rng.random() < 0.3 else None
                examples.append(Example(text, frozenset(), muni, number, "out-of-domain"))
                if rng.random() < 0.5:
                    examples.append(Example(_perturb(text, lang, rng, places), frozenset(),
                                            muni, number, "out-of-domain"))
        fold_knowledge = Knowledge(
            topics=tuple(topics), courses=tuple(kept_courses), centres=knowledge.centres,
            municipalities=knowledge.municipalities, synonyms=knowledge.synonyms,
            version=f"{knowledge.version}-fold{number}",
        )
        out.append(Fold(number, fold_knowledge, examples))
    return out


def _centre_examples(knowledge: Knowledge, centre: Centre, number: int) -> list[Example]:
    """A centre is asked for by its name, and for what it offers where the learner is."""
    rng = _rng(centre.id)
    expect = frozenset({centre.id})
    found = [Example(centre.name, expect, None, number, "centre")]
    if isinstance(centre.en.get("name"), str):
        found.append(Example(str(centre.en["name"]), expect, None, number, "centre"))
    municipality = knowledge.municipality(centre.municipality)
    places = [p for p in (municipality.places if municipality else ()) if
              fold(p.casefold()) in fold(f"{centre.name} {centre.address or ''}".casefold())]
    for service in centre.services:
        found.append(Example(service, expect, centre.municipality, number, "centre"))
        if places:
            found.append(Example(f"{service} i {rng.choice(places)}", expect, None, number,
                                 "centre"))
    return found


def _rng(text: str) -> random.Random:
    """A generator of its own for each text: an edit elsewhere in the knowledge
    leaves this text's perturbed copies (and their cached embeddings) as they were."""
    return random.Random(stable(text))


def _topic_texts(topic: Topic) -> list[tuple[str, str]]:
    texts = [(topic.title, "sv"), *((q, "sv") for q in topic.questions)]
    en_title = topic.en.get("title")
    if isinstance(en_title, str):
        texts.append((en_title, "en"))
    texts += [(str(q), "en") for q in topic.en.get("questions", ()) or ()]
    return [(t, lang) for t, lang in dict.fromkeys(texts) if t.strip()]


def _without(topic: Topic, held: set[str]) -> Topic:
    en = dict(topic.en)
    if en.get("title") in held:
        en.pop("title")
    if "questions" in en:
        en["questions"] = [q for q in en["questions"] if q not in held]
    return replace(
        topic,
        title="" if topic.title in held else topic.title,
        questions=tuple(q for q in topic.questions if q not in held),
        en=en,
    )


def _with_copies(
    text: str, lang: str, expect: frozenset[str], muni: str | None, number: int,
    rng: random.Random, places: list[tuple[str, str]], copies: int = PERTURBED,
) -> list[Example]:
    found = [Example(text, expect, muni, number, "held-out")]
    for _ in range(copies):
        found.append(Example(_perturb(text, lang, rng, places), expect, muni, number,
                             "perturbed"))
    return found


def _perturb(text: str, lang: str, rng: random.Random,
             places: list[tuple[str, str]]) -> str:
    """One of the ways learners write a question differently."""
    words = text.split()
    how = rng.choice(("typo", "fold", "lower", "drop", "story", "place"))
    if how == "typo":
        long = [i for i, w in enumerate(words) if len(w) >= 5]
        if long:
            i = rng.choice(long)
            w = words[i]
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1:] if rng.random() < 0.5 else \
                w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
        return " ".join(words)
    if how == "fold":
        return fold(text.casefold())
    if how == "lower":
        return text.casefold().rstrip("?.!")
    if how == "drop" and len(words) >= 4:
        del words[rng.randrange(1, len(words))]
        return " ".join(words)
    if how == "place" and places:
        place = rng.choice(places)[1]
        return f"{text.rstrip('?.! ')} {'in' if lang == 'en' else 'i'} {place}?"
    story = stories().get(lang) or stories()["sv"]
    return f"{rng.choice(story)} {text}"
