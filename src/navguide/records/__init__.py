"""What learners asked, recorded for the counsellors' report, without personal data.

The API calls `record_reply` and `record_feedback`; both only queue a record
(see writer.py), and do nothing when `record` is off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from ..matcher.reply import Reply
from ..server.keys import settings_key
from .scrub import scrub
from .store import Asked, Feedback, Row, Store, StoreError, hour_of, open_store
from .writer import Recorder

__all__ = ["PERSON", "Recorder", "Row", "Store", "StoreError", "open_store", "record_feedback",
           "record_reply", "recorded_kind", "recorder_key", "scrub", "setup_records", "store_key"]

PERSON = "person"  # the recorded kind of a hand-off the learner asked for ("prata med en människa")

store_key = web.AppKey("record_store", Store)
recorder_key = web.AppKey("recorder", Recorder)


def setup_records(app: web.Application) -> None:
    """Open the store named by `database_url` for the app's lifetime (if `record` is on)."""
    settings = app[settings_key]
    if not settings.record:
        return
    store = open_store(settings.database_url)  # a bad URL fails here, at startup
    app[store_key] = store
    app[recorder_key] = Recorder(store, settings.retention_days)

    async def records_ctx(app: web.Application) -> AsyncIterator[None]:
        recorder = app[recorder_key]
        recorder.start()
        yield
        await recorder.close()

    app.cleanup_ctx.append(records_ctx)


def recorded_kind(reply: Reply) -> str:
    """The reply's kind, or `person` for a hand-off the learner asked for: the report
    counts those apart, as no question the knowledge failed to answer."""
    if reply.handoff and reply.smalltalk is not None and reply.smalltalk.handoff:
        return PERSON
    return reply.kind


def record_reply(app: web.Application, reply: Reply, reply_id: str, message: str) -> None:
    """Queue the record of one answered message."""
    recorder = app.get(recorder_key)
    if recorder is None:
        return
    keep_text = app[settings_key].keep_text
    recorder.add(Asked(
        reply_id=reply_id,
        hour=hour_of(),
        municipality=reply.municipality,
        lang=reply.lang,
        kind=recorded_kind(reply),
        ids=tuple(reply.ids),
        score=reply.score,
        margin=reply.margin,
        runner_up=reply.runner_up,
        handoff=reply.handoff,
        text=scrub(message) if keep_text else None,
    ))


def record_feedback(app: web.Application, reply_id: str, helpful: bool) -> None:
    """Queue the learner's feedback on the reply `reply_id`."""
    recorder = app.get(recorder_key)
    if recorder is not None:
        recorder.add(Feedback(reply_id, hour_of(), helpful))
