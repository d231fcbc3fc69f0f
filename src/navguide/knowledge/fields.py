"""The knowledge format's fields, declared once as data.

The loader checks files against this table and `navguide schema` turns it into
a JSON Schema, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal[
    "id", "str", "text", "strs", "bool", "pace", "date", "start",
    "url", "urls", "links", "ref", "refs", "category", "en", "code",
]


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    help: str = ""


_COMMON = (
    Field("reviewed", "date", help="When a counsellor last checked the entry (YYYY-MM-DD)."),
    Field("source", "urls", help="Where the entry's facts come from: a URL or a list of URLs."),
    Field("verified", "bool", help="false: a counsellor has not yet confirmed the facts."),
    Field("note", "text", help="For counsellors only, never shown to a learner: how sure "
                               "the facts are and what to check."),
)

SECTIONS: dict[str, tuple[Field, ...]] = {
    "topics": (
        Field("id", "id", True, "Unique id: lower-case a-z, 0-9 and -."),
        Field("title", "str", True, "The topic's heading."),
        Field("questions", "strs", True, "Ways a learner may ask; at least one."),
        Field("keywords", "strs", help="Words that point to this topic."),
        Field("answer", "text", True, "Short Markdown answer."),
        Field("links", "links", help="Links shown with the answer: title and url."),
        Field("municipality", "ref", help="The topic is about this municipality only."),
        Field("related", "refs", help="Ids offered as follow-ups."),
        Field("en", "en", help="English title, questions and answer."),
        *_COMMON,
    ),
    "courses": (
        Field("id", "id", True, "Unique id: lower-case a-z, 0-9 and -."),
        Field("title", "str", True, "The course's name."),
        Field("provider", "str", True, "Who gives it."),
        Field("category", "category", True, "komvux, sfi, yh, folkhogskola, hogskola, ..."),
        Field("municipality", "ref", help="Where it is given; omit for distance courses."),
        Field("distance", "bool", help="true where it can be taken on distance."),
        Field("pace", "pace", help="Study pace in percent (1-100)."),
        Field("start", "start", help="A date (YYYY-MM-DD) or `rolling`."),
        Field("apply_by", "date", help="Last day to apply (YYYY-MM-DD)."),
        Field("length", "str", help="Free text, e.g. `20 veckor`."),
        Field("url", "url", True, "The course's page."),
        Field("description", "text", help="Short Markdown description."),
        Field("keywords", "strs", help="Words that point to this course."),
        Field("town", "str", help="The town or village where it is given."),
        Field("imported", "date", help="Set by `navguide import`: the day it was imported "
                                       "from Skolverket (YYYY-MM-DD)."),
        Field("en", "en", help="English title and description."),
        *_COMMON,
    ),
    "centres": (
        Field("id", "id", True, "Unique id: lower-case a-z, 0-9 and -."),
        Field("name", "str", True, "The centre's name."),
        Field("municipality", "ref", True, "The municipality it serves."),
        Field("address", "str", help="Street address."),
        Field("phone", "str", help="Phone number, as text in quotes."),
        Field("email", "str", help="E-mail address."),
        Field("url", "url", help="The centre's page."),
        Field("hours", "str", help="Opening hours, free text."),
        Field("services", "strs", help="What a learner can do there."),
        Field("description", "text", help="Short Markdown description."),
        Field("en", "en", help="English name, hours and description."),
        *_COMMON,
    ),
    "municipalities": (
        Field("id", "id", True, "Unique id: lower-case a-z, 0-9 and -."),
        Field("name", "str", True, "The municipality's name."),
        Field("places", "strs", help="Towns and villages a learner may name."),
        Field("code", "code", help="The national municipality code, four digits, e.g. 2380 "
                                   "(used by `navguide import skolverket`)."),
    ),
    # Optional: replaces or adds to the built-in small talk, by id.
    "smalltalk": (
        Field("id", "id", True, "Unique among small talk; the built-in ids are replaced."),
        Field("questions", "strs", True, "Whole messages it answers, e.g. `hej`, `tack!`."),
        Field("answer", "text", True, "Short Markdown reply."),
        Field("handoff", "bool",
              help="true: the learner asks for a person; the reply is the way to one."),
        Field("related", "refs", help="Topic ids offered as what to ask next."),
        Field("en", "en", help="English questions and answer."),
    ),
}

# The text fields an `en:` block may translate, per section.
EN_FIELDS: dict[str, tuple[Field, ...]] = {
    "topics": (Field("title", "str"), Field("questions", "strs"), Field("answer", "text")),
    "courses": (Field("title", "str"), Field("description", "text")),
    "centres": (Field("name", "str"), Field("hours", "str"), Field("description", "text")),
    "smalltalk": (Field("questions", "strs"), Field("answer", "text")),
}

TOP_LEVEL = (*SECTIONS, "synonyms")
