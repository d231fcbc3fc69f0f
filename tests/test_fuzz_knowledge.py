"""The knowledge loader on random YAML: problems with a place, never a crash.

Hypothesis (with a fixed seed, so a failure is the same on every run) writes
knowledge folders a counsellor could end up with: valid files with random
edits, and random YAML values under the format's keys. Loading must give a
Knowledge and problems (or KnowledgeDirError for a folder it cannot use), and
when there are no errors the matcher must be built and answer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from support import KNOWLEDGE

from navguide.holder import KnowledgeRejected, build
from navguide.knowledge import KnowledgeDirError, load_knowledge

FILES = {path.name: path.read_text(encoding="utf-8") for path in KNOWLEDGE.glob("*.yaml")}
SECTIONS = ["topics", "courses", "centres", "municipalities", "synonyms"]
FIELDS = ["id", "title", "questions", "answer", "keywords", "links", "related", "en", "name",
          "places", "municipality", "start", "url", "address", "phone", "email", "category",
          "distance", "pace", "verified", "source", "apply_by", "services", "hours"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["", "~", "2026-02-30", "1e999", "krokom", "\ud800"]),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner,
                        max_size=5),
    ),
    max_leaves=25,
)
entries = st.lists(st.dictionaries(st.sampled_from(FIELDS), values, max_size=8), max_size=4)
documents = st.dictionaries(st.sampled_from(SECTIONS), st.one_of(entries, values), max_size=3)


@st.composite
def edited(draw: st.DrawFn) -> str:
    """One of the test knowledge's files with a few random edits."""
    text = FILES[draw(st.sampled_from(sorted(FILES)))]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "indent", "nest"]))
        if action == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif action == "insert":
            text = text[:at] + draw(st.text(alphabet=":-[]{}#&*!|>'\"%@`\t\n ab1ö\\",
                                            max_size=12)) + text[at:]
        elif action == "indent":
            text = text[:at] + "\n   " + text[at:]
        else:
            text = text[:at] + "[" * draw(st.integers(50, 3000)) + text[at:]
    return text


def dumped(document: dict) -> str:
    try:
        return yaml.safe_dump(document, allow_unicode=True)
    except (yaml.YAMLError, UnicodeEncodeError):
        return yaml.safe_dump(document, allow_unicode=False)


folders = st.dictionaries(
    st.sampled_from(["topics.yaml", "courses.yaml", "centres.yaml", "places.yaml",
                     "extra.yml"]),
    st.one_of(edited(), documents.map(dumped), st.binary(max_size=64).map(
        lambda b: b.decode("latin-1"))),
    min_size=1, max_size=4,
)


@seed(11)
@settings(max_examples=120, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(folders)
def test_random_knowledge_is_a_clear_error_never_a_crash(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in {**FILES, **files}.items():
            (root / name).write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            _, problems = load_knowledge(root)
        except KnowledgeDirError:
            return
        for problem in problems:
            assert str(problem).strip()  # each says where and what
        try:
            loaded = build(root)
        except KnowledgeRejected as exc:
            assert exc.problems
            return
        for message in ("Hur söker jag till komvux?", "krokom", "x" * 1000):
            assert loaded.matcher.reply([message]).kind
