"""General Swedish and English words the matcher treats specially, read from
`lexicon.yaml` beside this module (the word lists are data, not code).

The lists are read on first use, not on import: `lexicon.WHERE` and
`from .lexicon import is_stop` work as module attributes (PEP 562).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

# The lists as module attributes: the YAML's key in upper case.
_WORD_LISTS = (
    "stop_sv", "stop_en", "stop_short", "prepositions", "residence", "anaphora",
    "followup_openers", "where", "here", "hours", "start", "distance", "listing", "many",
    "course", "become", "kin", "age_units", "age_prepositions", "age_verbs", "job",
    "vacant", "staffing", "salary", "earn", "contact",
)


@cache
def _lists() -> dict[str, Any]:
    text = resources.files("navguide.text").joinpath("lexicon.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    found: dict[str, Any] = {name.upper(): frozenset(str(data[name]).split())
                             for name in _WORD_LISTS}
    # The study words include the course words ("utbildning" asks to study too).
    found["STUDY"] = found["COURSE"] | frozenset(str(data["study"]).split())
    found["NUMBER_WORDS"] = {w: n for n, group in enumerate(data["number_words"])
                             for w in str(group).split()}
    found["FIRST_PERSON"] = {lang: frozenset(str(ws).split())
                             for lang, ws in data["first_person"].items()}
    # Learners often type without å/ä/ö: "fran", "nar", "ar" are stop words too.
    table = str.maketrans("åäö", "aao")
    found["STOP_SV_FOLDED"] = frozenset(w.translate(table) for w in found["STOP_SV"])
    found["_STOP"] = (found["STOP_SV"] | found["STOP_EN"] | found["STOP_SHORT"]
                      | found["RESIDENCE"] | found["STOP_SV_FOLDED"])
    return found


def is_stop(word: str) -> bool:
    return word in _lists()["_STOP"]


def __getattr__(name: str) -> Any:
    # Only the lists' names read the file: the import system asks for others
    # ("__path__") while importing from this module.
    if name.isupper() and not name.startswith("_"):
        found = _lists()
        if name in found:
            return found[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
