"""An entry's own questions: a message that is one of them is answered by that entry.

A counsellor who wrote "Hur mycket får man i CSN?" under `csn-belopp` expects
that very question to answer it, whatever the scores of other entries say. The
match is on the words (case, punctuation and å/ä/ö aside); a question two
entries share is left to the matcher.
"""

from __future__ import annotations

from ..knowledge.model import Knowledge, Topic
from ..text.normalize import fold, words


def question_key(text: str) -> str:
    return " ".join(fold(w) for w in words(text))


class OwnQuestions:
    def __init__(self, knowledge: Knowledge) -> None:
        owners: dict[str, set[str]] = {}
        for topic in knowledge.topics:
            for question in own_questions(topic):
                owners.setdefault(question_key(question), set()).add(topic.id)
        self.owner = {key: next(iter(ids)) for key, ids in owners.items() if key and len(ids) == 1}

    def entry_for(self, text: str) -> str | None:
        """The one entry that holds this question, if one does."""
        return self.owner.get(question_key(text))


def own_questions(topic: Topic) -> list[str]:
    """A topic's questions in Swedish and English."""
    english = topic.en.get("questions") or ()
    return [str(q) for q in (*topic.questions, *english)]  # type: ignore[misc]
