"""The fitted part of the matcher: examples from the knowledge, the model, the
semantic signal's cache, and the decision table's rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support import KNOWLEDGE

from navguide.knowledge import load_knowledge
from navguide.matcher import Matcher
from navguide.matcher.decide import ROW_NAMES
from navguide.matcher.examples import FOLDS, folds, out_of_domain, stories
from navguide.matcher.features import NAMES
from navguide.matcher.model import (
    Model,
    Outcome,
    boost,
    export,
    fit_trees,
    joint,
    pick_clarify,
    pick_sure,
    pick_threshold,
)
from navguide.matcher.semantic import (
    DIM,
    QUERY_WORDS,
    Encoder,
    SemanticIndex,
    VectorStore,
    query_text,
)


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(KNOWLEDGE)[0]


# -- examples ----------------------------------------------------------------


def test_each_own_question_is_held_out_in_one_fold_and_missing_there(knowledge) -> None:
    split = folds(knowledge)
    assert len(split) == FOLDS
    asked: dict[tuple[str, frozenset[str]], int] = {}
    for fold in split:
        texts = {q for t in fold.knowledge.topics for q in (t.title, *t.questions)}
        for example in fold.examples:
            if example.source == "held-out":
                assert example.text not in texts  # the question cannot find itself
                key = (example.text, example.expect)
                asked[key] = asked.get(key, 0) + 1
    own = {q for t in knowledge.topics for q in t.questions}
    assert own & {text for text, _ in asked}, "no question was held out"
    assert all(n == 1 for n in asked.values())


def test_the_levels_are_picked_on_examples_of_entries_the_trees_did_not_see(knowledge) -> None:
    from navguide.matcher.fitting import _half

    examples = [e for f in folds(knowledge) for e in f.examples]
    by_entry: dict[frozenset[str], set[int]] = {}
    for e in examples:
        if e.expect:
            by_entry.setdefault(e.expect, set()).add(_half(e))
    # Every copy of a question (held out, misspelt, with a story) in one half ...
    assert all(len(halves) == 1 for halves in by_entry.values())
    # ... and both halves hold entries.
    assert set().union(*by_entry.values()) == {0, 1}


def test_near_misses_are_asked_without_their_entry(knowledge) -> None:
    for fold in folds(knowledge):
        ids = {t.id for t in fold.knowledge.topics}
        for example in fold.examples:
            if example.source in ("near-miss", "out-of-domain"):
                assert not example.expect
            else:
                others = {e.id for e in (*knowledge.courses, *knowledge.centres)}
                assert example.expect <= ids | others


def test_an_edit_to_one_entry_leaves_the_other_examples_as_they_were(knowledge) -> None:
    """Perturbed copies are drawn per text, so cached embeddings of the rest stay valid."""
    from dataclasses import replace

    first = {e.text for f in folds(knowledge) for e in f.examples}
    topics = list(knowledge.topics)
    topics[0] = replace(topics[0], questions=(*topics[0].questions, "En helt ny fråga?"))
    edited = replace(knowledge, topics=tuple(topics))
    second = {e.text for f in folds(edited) for e in f.examples}
    assert len(first - second) <= 4  # only the edited topic's own examples may move


def test_the_shipped_everyday_questions_cover_both_languages() -> None:
    langs = [lang for _, lang in out_of_domain()]
    assert len(langs) >= 300
    assert langs.count("en") >= 100 and langs.count("sv") >= 100
    assert stories()["sv"] and stories()["en"]


# -- the model ---------------------------------------------------------------


def test_the_exported_trees_predict_what_the_fitted_classifier_does() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, len(NAMES)))
    y = ((x[:, 0] > 0) & (x[:, 3] < 0.5) | (x[:, 5] > 1.5)).astype(float)
    booster = boost(x, y, np.ones(400))
    ours = Model(export(booster)).chances(x)
    assert np.allclose(ours, booster.predict_proba(x)[:, 1], atol=1e-6)
    assert ((ours > 0.5) == (y > 0)).mean() > 0.95


def _outcome(best: float, right: bool, answerable: bool, *rest: float) -> Outcome:
    return Outcome((best, *rest), (right,) + (False,) * len(rest), answerable, 1.0)


def test_the_threshold_hands_off_what_has_no_answer() -> None:
    outcomes = [_outcome(0.9, True, True), _outcome(0.8, True, True),
                _outcome(0.3, False, False), _outcome(0.2, False, False)]
    threshold, accuracy = pick_threshold(outcomes)
    assert 0.3 < threshold <= 0.8 and accuracy == 1.0


def test_clarify_is_asked_only_where_the_right_entry_is_among_the_first_three() -> None:
    outcomes = [_outcome(0.9, True, True) for _ in range(40)]
    # Below the threshold: three close candidates, the right one second.
    close = Outcome((0.4, 0.38, 0.35), (False, True, False), True, 1.0)
    hopeless = Outcome((0.4, 0.38, 0.35), (False, False, False), False, 1.0)
    level = pick_clarify([*outcomes, close, close], threshold=0.5)
    assert level <= joint(close.chances)
    assert pick_clarify([*outcomes, hopeless, hopeless], threshold=0.5) == 1.0


def test_the_signal_is_skipped_only_from_where_the_lexical_model_is_as_right() -> None:
    # Lexical model: right from 0.7 up, wrong at 0.6; the semantic one right on all.
    lexical = [_outcome(0.9, True, True), _outcome(0.8, True, True),
               _outcome(0.7, True, True), _outcome(0.6, False, True),
               _outcome(0.1, False, False)]
    semantic = [_outcome(0.9, True, True) for _ in range(4)] + [_outcome(0.1, False, False)]
    assert pick_sure(lexical, semantic, lexical_threshold=0.5, threshold=0.5) == 0.7
    # Where the lexical model is never as right, the signal is always computed.
    never = [_outcome(0.9, False, True) for _ in range(4)] + [_outcome(0.1, False, False)]
    assert pick_sure(never, semantic, 0.5, 0.5) == math.inf


def test_a_saved_model_is_read_back_by_feature_name(tmp_path) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, len(NAMES)))
    y = (x[:, 2] > 0).astype(float)
    model = Model(fit_trees(x, y, np.ones(300)), threshold=0.4)
    path = tmp_path / "m.json"
    model.save(path)
    again = Model.load(path)
    assert again.threshold == 0.4 and again.sure == math.inf
    model.sure = 0.75
    model.save(path)
    assert Model.load(path).sure == 0.75
    assert np.allclose(again.chances(x), model.chances(x))
    # A model saved when the features were in another order still reads each by name.
    data = model.to_json()
    data["trees"]["feature"] = [f if f != NAMES[2] else "retired" for f in
                                data["trees"]["feature"]]
    blind = Model.from_json(data)  # the feature it split on is gone: it splits on nothing
    assert np.ptp(blind.chances(x)) < np.ptp(model.chances(x))
    assert Model.load(tmp_path / "missing.json") is None


# -- the semantic signal -------------------------------------------------------


class CountingEmbedder:
    """Letters as dimensions: texts sharing letters are close. Counts its calls."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts, *, query):
        self.embedded += list(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in zip(out, texts, strict=True):
            body = text.split(": ", 1)[-1].casefold()
            for word in body.split():
                row[hash(word.strip("?.,!")) % DIM] += 1.0
            row /= np.linalg.norm(row) or 1.0
        return out


def test_embeddings_are_kept_on_disk_and_only_new_texts_are_embedded(tmp_path) -> None:
    first = CountingEmbedder()
    Encoder(first, VectorStore(tmp_path)).encode(["a b", "c d"], query=False)
    Encoder(first, VectorStore(tmp_path)).store.save()
    encoder = Encoder(first, VectorStore(tmp_path))
    encoder.encode(["a b", "c d"], query=False)
    encoder.store.save()
    second = CountingEmbedder()
    again = Encoder(second, VectorStore(tmp_path))
    vectors = again.encode(["a b", "c d", "e f"], query=False)
    assert second.embedded == ["e f"]
    assert vectors.shape == (3, DIM)


def test_the_semantic_index_scores_an_entry_by_its_closest_text(knowledge) -> None:
    matcher = Matcher(knowledge)
    index = SemanticIndex(knowledge, Encoder(CountingEmbedder(), VectorStore(None)),
                          matcher.positions())
    scores = index.scores("Vad är validering?")
    best = matcher.index.docs[int(np.argmax(scores))].id
    assert best == "validering"


def test_a_long_message_is_embedded_by_its_end() -> None:
    story = " ".join(f"ord{i}" for i in range(QUERY_WORDS * 2))
    kept = query_text(story + " hur söker jag?")
    assert kept.endswith("hur söker jag?") and len(kept.split()) == QUERY_WORDS
    assert query_text("hur söker jag?") == "hur söker jag?"


def test_a_message_the_lexical_model_is_sure_of_is_not_embedded(knowledge) -> None:
    plain = Matcher(knowledge)
    embedder = CountingEmbedder()
    semantic = SemanticIndex(knowledge, Encoder(embedder, VectorStore(None)), plain.positions())
    embedder.embedded.clear()
    lexical = plain.model
    sure = plain.with_(model=Model(plain.model.trees, 0.0, sure=0.0), semantic=semantic,
                       lexical=lexical)
    reply = sure.reply(["berätta om validering"])  # not one of its own questions
    assert embedder.embedded == [] and reply.ids[0] == "validering"
    never = sure.with_(model=Model(plain.model.trees, 0.0))  # sure: infinite
    never.reply(["berätta om validering"])
    assert embedder.embedded == ["berätta om validering"]


# -- the decision table --------------------------------------------------------


def _with_threshold(matcher: Matcher, threshold: float, clarify: float = 1.0) -> Matcher:
    return matcher.with_(model=Model(matcher.model.trees, threshold, clarify))


def test_unsure_row_hands_off_below_the_threshold(knowledge) -> None:
    matcher = Matcher(knowledge)
    message = ["Jag undrar hur man anmäler sig till komvux"]
    assert not matcher.reply(message).handoff
    assert _with_threshold(matcher, 1.01).reply(message).handoff


def test_unsure_row_asks_did_you_mean_when_the_first_three_are_likely(knowledge) -> None:
    matcher = _with_threshold(Matcher(knowledge), 1.01, clarify=0.0)
    reply = matcher.reply(["Jag undrar hur man anmäler sig till komvux"])
    assert reply.kind == "clarify"
    assert 2 <= len(reply.ids) <= 3 and "komvux-ansokan" in reply.ids


def test_scope_row_hands_off_a_childs_school(knowledge) -> None:
    matcher = Matcher(knowledge)
    message = ["Min dotter är 15, hur söker hon till gymnasiet?"]
    reply = matcher.reply(message)
    assert reply.handoff and reply.score == 0.0  # decided by the row, not by a low chance


def test_centre_row_answers_a_where_question_with_the_local_centre(knowledge) -> None:
    matcher = Matcher(knowledge)
    reply = matcher.reply(["Var ligger lärcentrum?"], municipality="krokom")
    assert reply.kind == "centre" and reply.ids[0] == "larcentrum-krokom"


def test_every_row_can_be_switched_off_by_name() -> None:
    assert set(ROW_NAMES) == {"scope", "course-search", "centre-asked", "unsure",
                              "centre-named", "entry"}
