"""The general word lists (text/lexicon.yaml) as the matcher reads them."""

from __future__ import annotations

from importlib import resources

import yaml

from navguide.matcher.query import Intent, intent_keys
from navguide.text import lexicon


def test_every_list_in_the_file_is_read_and_none_is_empty() -> None:
    text = resources.files("navguide.text").joinpath("lexicon.yaml").read_text("utf-8")
    names = set(yaml.safe_load(text))
    read = {*lexicon._WORD_LISTS, "study", "number_words", "first_person"}
    assert names == read  # a list added to the file but not read would do nothing
    for name in lexicon._WORD_LISTS:
        assert getattr(lexicon, name.upper()), name


def test_stop_words_hold_without_diacritics_and_study_holds_the_course_words() -> None:
    assert lexicon.is_stop("när") and lexicon.is_stop("nar")  # typed without ä
    assert not lexicon.is_stop("validering")
    assert lexicon.COURSE <= lexicon.STUDY
    assert lexicon.NUMBER_WORDS["femton"] == 15 == lexicon.NUMBER_WORDS["fifteen"]


def test_each_intent_read_from_words_has_its_list() -> None:
    assert "öppettider" in lexicon.HOURS
    assert set(intent_keys()) <= set(Intent)
    assert Intent.WHERE == "where"  # the intents are compared as strings elsewhere
