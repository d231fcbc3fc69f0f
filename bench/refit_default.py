"""Refit the shipped lexical model (navguide/matcher/data/default-model.json).

    .venv/bin/python bench/refit_default.py [KNOWLEDGE]   # default: the starter knowledge

Run it when the fitting procedure or the features change (fitting.PROCEDURE):
the shipped model serves knowledge too small to fit and the first seconds after
a start, before the knowledge's own fit is ready.
"""

from __future__ import annotations

import sys
from pathlib import Path

from navguide.knowledge.loader import load_knowledge
from navguide.matcher import defaults
from navguide.matcher.fitting import fit

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else ROOT / "knowledge"
    fitted = fit(load_knowledge(folder)[0])
    target = Path(defaults.__file__).parent / "data" / defaults.shipped_name(False)
    fitted.model.save(target)
    print(f"{target}: fitted on {fitted.examples} examples of {folder} in "
          f"{fitted.seconds:.1f} s, hand-off below {fitted.model.threshold:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
