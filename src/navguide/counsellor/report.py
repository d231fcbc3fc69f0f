"""The weekly report: what learners asked that navguide could not answer well.

Four parts, each from the records alone: the messages handed off, grouped by
similarity; the replies learners marked unhelpful; the close calls, answered
with a small margin over the runner-up (the entry it probably meant); and what
is asked most in each municipality. A learner who asked for a person was handed
off on purpose: counted apart (per municipality), never among the questions the
knowledge could not answer.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ..catalogue import say
from ..knowledge.model import Knowledge, Topic
from ..matcher.own import own_questions, question_key
from ..records import PERSON
from ..records.store import Row
from ..text.lexicon import is_stop
from ..text.normalize import words

SIMILAR = 75  # similarity (0-100) at which two questions are one group
SMALL_MARGIN = 0.08  # a best entry this close to the runner-up may be the wrong one
TOP = 10
NO_TEXT = "(text not kept)"
NO_MUNICIPALITY = "(none)"


@dataclass
class Group:
    """Questions that say much the same, with how often they were asked."""

    text: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class Unhelpful:
    entry: str
    count: int
    questions: list[str]


@dataclass
class CloseCall:
    question: str
    shown: str
    probably_meant: str
    margin: float
    count: int
    already: bool = False  # the question is already among its questions: nothing to add


@dataclass
class Report:
    since: str
    municipality: str | None
    total: int
    handoffs: int
    handed_off: list[Group]
    unhelpful: list[Unhelpful]
    close_calls: list[CloseCall]
    most_asked: dict[str, list[tuple[str, int]]]
    person_requests: dict[str, int] = field(default_factory=dict)  # by municipality

    @property
    def asked_for_person(self) -> int:
        return sum(self.person_requests.values())


def build_report(rows: list[Row], since: str, municipality: str | None = None,
                 knowledge: Knowledge | None = None) -> Report:
    """`knowledge`: the loaded knowledge, so that a close call whose question an
    entry already holds is not advised as one to add."""
    failed = [r for r in rows if r.handoff and r.kind != PERSON]
    persons = Counter(r.municipality or NO_MUNICIPALITY for r in rows if r.kind == PERSON)
    return Report(
        since=since,
        municipality=municipality,
        total=len(rows),
        handoffs=len(failed),
        handed_off=group_similar(r.text for r in failed),
        unhelpful=_unhelpful(rows),
        close_calls=_close_calls(rows, _held_questions(knowledge)),
        most_asked=_most_asked(rows),
        person_requests=dict(sorted(persons.items())),
    )


def _key(text: str) -> str:
    """The words that carry the question, sorted: stop words say little about it."""
    found = words(text)
    return " ".join(sorted(w for w in found if not is_stop(w)) or found)


def group_similar(texts: Iterable[str | None]) -> list[Group]:
    """Group questions by similarity, biggest group first; each keeps its first wording."""
    groups: list[Group] = []
    keys: list[str] = []
    for text in texts:
        if text is None:
            text = NO_TEXT
        key = _key(text) or text
        for i, other in enumerate(keys):
            if key == other or fuzz.ratio(key, other) >= SIMILAR:
                group = groups[i]
                break
        else:
            group = Group(text)
            groups.append(group)
            keys.append(key)
        group.count += 1
        if text not in group.examples and len(group.examples) < 5:
            group.examples.append(text)
    groups.sort(key=lambda g: (-g.count, g.text))
    return groups


def _unhelpful(rows: list[Row]) -> list[Unhelpful]:
    by_entry: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.helpful is False:
            entry = row.ids[0] if row.ids else "handoff"
            by_entry[entry].append(row.text or NO_TEXT)
    found = [Unhelpful(entry, len(qs), sorted(set(qs))[:5]) for entry, qs in by_entry.items()]
    return sorted(found, key=lambda u: (-u.count, u.entry))


def _held_questions(knowledge: Knowledge | None) -> dict[str, set[str]]:
    """Each topic's own questions (as compared), by topic id."""
    if knowledge is None:
        return {}
    return {t.id: {question_key(q) for q in own_questions(t)}
            for t in knowledge.topics if isinstance(t, Topic)}


def _close_calls(rows: list[Row], held: dict[str, set[str]]) -> list[CloseCall]:
    calls: dict[tuple[str, str, str], CloseCall] = {}
    for row in rows:
        if row.handoff or not row.ids or not row.runner_up or row.margin >= SMALL_MARGIN:
            continue
        if row.kind in ("courses", "clarify"):
            continue  # a course list and a "did you mean" show several on purpose
        question = row.text or NO_TEXT
        asked = question_key(question)
        if asked in held.get(row.ids[0], ()):
            continue  # answered by the entry that holds the question: no close call
        key = (_key(question), row.ids[0], row.runner_up)
        if key in calls:
            calls[key].count += 1
            calls[key].margin = min(calls[key].margin, row.margin)
        else:
            already = asked in held.get(row.runner_up, ())
            calls[key] = CloseCall(question, row.ids[0], row.runner_up, row.margin, 1, already)
    return sorted(calls.values(), key=lambda c: (-c.count, c.margin, c.question))


def _most_asked(rows: list[Row]) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        entry = "handoff" if row.handoff or not row.ids else row.ids[0]
        if row.kind in ("smalltalk", PERSON):
            entry = row.kind  # a greeting, or asking for a person: not an unanswered question
        counts[row.municipality or NO_MUNICIPALITY][entry] += 1
    return {muni: c.most_common(TOP) for muni, c in sorted(counts.items())}


def parse_since(text: str) -> float:
    """`30d`, `12h` or `2w` as a number of hours."""
    match = re.fullmatch(r"\s*(\d+)\s*([hdw])\s*", text)
    if not match:
        raise ValueError(f"--since must be a number with h, d or w (e.g. 30d), not {text!r}")
    number, unit = int(match.group(1)), match.group(2)
    return number * {"h": 1, "d": 24, "w": 24 * 7}[unit]


def report_text(report: Report, lang: str = "sv") -> str:
    """The report as text, in Swedish (as /admin) or English."""
    def t(key: str, **values: object) -> str:
        return say(lang, f"report_{key}", **values)

    where = t("where", municipality=report.municipality) if report.municipality else ""
    none = [f"  {t('none')}"]
    out = [t("head", since=report.since, where=where, total=report.total,
             handoffs=report.handoffs), ""]
    out.append(t("handed_off", groups=len(report.handed_off)))
    out += [f"  {g.count:4}  {g.text}" for g in report.handed_off[:50]] or none
    out += ["", t("person", count=report.asked_for_person)]
    out += [f"  {n:4}  {muni}" for muni, n in report.person_requests.items()] or none
    out += ["", t("unhelpful")]
    out += [f"  {u.count:4}  {u.entry}: {' | '.join(u.questions)}"
            for u in report.unhelpful] or none
    out += ["", t("close_calls", margin=SMALL_MARGIN)]
    out += [f"  {c.count:4}  {c.question}  ->  {c.probably_meant} ({t('shown')}: {c.shown})"
            + (f"  [{t('already')}]" if c.already else "")
            for c in report.close_calls[:50]] or none
    out += ["", t("most_asked")]
    for muni, top in report.most_asked.items():
        out.append(f"  {muni}: " + ", ".join(f"{entry} {n}" for entry, n in top))
    if not report.most_asked:
        out += none
    return "\n".join(out) + "\n"


CSV_COLUMNS = ("section", "municipality", "entry", "probably_meant", "count", "question")


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    muni = report.municipality or ""
    for g in report.handed_off:
        writer.writerow(("handed_off", muni, "", "", g.count, _cell(g.text)))
    for u in report.unhelpful:
        for question in u.questions:
            writer.writerow(("unhelpful", muni, u.entry, "", u.count, _cell(question)))
    for c in report.close_calls:
        writer.writerow(("close_call", muni, c.shown, c.probably_meant, c.count,
                         _cell(c.question)))
    for municipality, n in report.person_requests.items():
        writer.writerow(("asked_for_person", municipality, "", "", n, ""))
    for municipality, top in report.most_asked.items():
        for entry, n in top:
            writer.writerow(("most_asked", municipality, entry, "", n, ""))
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Learner text cannot start a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
