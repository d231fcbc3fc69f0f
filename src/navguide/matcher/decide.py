"""The decision table: from a judged message to the kind of reply.

Rows are tried in order; the first whose condition holds decides. Each row is
named so that the benchmark can switch it off and measure what it is worth
(`bench/quality.py --ablations`), and each has a test of its own.

- scope: a child's school or a job or wage is asked for (text/scope.py): hand-off.
- course-search: the message asks for courses by subject, school form, place or
  distance (courses.py): the courses.
- centre-asked: a where/when/contact question that a centre of the learner's
  municipality answers (it offers the subject, or the best entry knows it):
  that centre.
- unsure: the best candidate's fitted chance is under the fitted threshold:
  "did you mean" when the first three together reach the fitted clarify level,
  else a hand-off.
- centre-named: a short question naming a place (or a centre as the best
  candidate) that the place's centre answers: that centre.
- entry: otherwise, the best candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .features import Candidates
from .model import Model, joint
from .query import Query
from .ranking import Scored
from .reply import Reply

if TYPE_CHECKING:
    from .matcher import Matcher

CLARIFY_MAX = 3


@dataclass
class Judged:
    query: Query
    ranked: list[Scored]  # the lexical ranking, for the course search and centre rows
    found: Candidates
    chances: np.ndarray
    model: Model

    def by_chance(self, matcher: Matcher) -> list[Scored]:
        order = np.argsort(-self.chances, kind="stable")
        docs = matcher.index.docs
        return [
            Scored(docs[self.found.positions[i]], float(self.chances[i]),
                   self.found.positions[i])
            for i in order
        ]


@dataclass
class Context:
    matcher: Matcher
    judged: Judged
    muni: str | None
    named: bool
    placed: bool
    scored: list[Scored]

    @property
    def query(self) -> Query:
        return self.judged.query

    @property
    def best(self) -> Scored | None:
        return self.scored[0] if self.scored else None


Action = Callable[[Context], Reply | None]


@dataclass(frozen=True)
class Row:
    name: str
    action: Action  # a reply when the row applies, else None


def _scope(ctx: Context) -> Reply | None:
    if ctx.query.intents & {"child", "job"}:
        return ctx.matcher.handoff(ctx.query, ctx.muni)
    return None


def _course_search(ctx: Context) -> Reply | None:
    if not ctx.judged.ranked:
        return None
    return ctx.matcher.course_search(ctx.query, ctx.muni, ctx.placed, ctx.judged.ranked)


def _unsure(ctx: Context) -> Reply | None:
    best = ctx.best
    threshold = ctx.judged.model.threshold
    if best is not None and best.score >= threshold:
        return None
    chances = [s.score for s in ctx.scored[:CLARIFY_MAX]]
    if len(chances) >= 2 and joint(chances) >= ctx.judged.model.clarify:
        return ctx.matcher.clarify(ctx.query, ctx.muni, ctx.scored[:CLARIFY_MAX])
    return ctx.matcher.handoff(ctx.query, ctx.muni, best.score if best else 0.0, ctx.scored)


def _centre_asked(ctx: Context) -> Reply | None:
    return ctx.matcher.centre_route(ctx.query, ctx.muni, ctx.named, ctx.scored, asked=True,
                                    threshold=ctx.judged.model.threshold)


def _centre_named(ctx: Context) -> Reply | None:
    return ctx.matcher.centre_route(ctx.query, ctx.muni, ctx.named, ctx.scored, asked=False,
                                    threshold=ctx.judged.model.threshold)


def _entry(ctx: Context) -> Reply | None:
    if ctx.best is None:
        return None
    return ctx.matcher.entry_reply(ctx.query, ctx.muni, ctx.scored)


ROWS: tuple[Row, ...] = (
    Row("scope", _scope),
    Row("course-search", _course_search),
    Row("centre-asked", _centre_asked),
    Row("unsure", _unsure),
    Row("centre-named", _centre_named),
    Row("entry", _entry),
)
ROW_NAMES = tuple(r.name for r in ROWS)


def decide(
    matcher: Matcher, judged: Judged, muni: str | None, *, named: bool, placed: bool
) -> Reply:
    ctx = Context(matcher, judged, muni, named, placed, judged.by_chance(matcher))
    for row in ROWS:
        if row.name in matcher.ablated:
            continue
        reply = row.action(ctx)
        if reply is not None:
            return reply
    return matcher.handoff(ctx.query, muni)
