"""The model a matcher starts with before a fit for its knowledge is ready.

Shipped in data/: fitted on the starter knowledge by the same procedure as
any knowledge, remade when the procedure changes with

    .venv/bin/python bench/refit_default.py

Only its feature weights carry over to other knowledge; the fit for the
knowledge itself replaces it within seconds of loading.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np

from .features import INDEX
from .model import Model, Trees


def shipped_name(semantic: bool) -> str:
    return "default-model-semantic.json" if semantic else "default-model.json"


@cache
def _shipped(semantic: bool) -> Model | None:
    try:
        text = resources.files("navguide.matcher").joinpath("data", shipped_name(semantic))
        return Model.from_json(json.loads(text.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def default_model(*, semantic: bool) -> Model:
    found = _shipped(semantic) or _shipped(False)
    if found is not None:
        return found
    # Nothing shipped (a tree mid-build): the lexical score alone, as one stump.
    stump = Trees(
        feature=np.array([INDEX["lexical"], -1, -1]), threshold=np.array([0.3, 0.0, 0.0]),
        left=np.array([1, 1, 2]), right=np.array([2, 1, 2]), value=np.array([0.0, -2.0, 2.0]),
        roots=np.array([0]), baseline=0.0, depth=1,
    )
    return Model(stump)

