"""Generate a knowledge folder with N courses, for the speed benchmark.

    .venv/bin/python bench/generate.py 10000 100000 [--source DIR] [--seed 2]

Writes bench/out/gen-N/: the source knowledge's topics, centres,
municipalities and synonyms copied in, its own courses kept (so the dev
questions still have their answers), and generated courses up to N in all.
A generated course recombines the source's vocabulary: a template course's
title (sometimes with a modifier), a provider of its category in a random
municipality, sentences from two descriptions, keywords from several
courses. Ids are new and varied. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import shutil
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import yaml
from common import DEFAULT_KNOWLEDGE, OUT, read_yaml_tree

CHUNK = 1_000  # courses per file: a file must stay under the loader's size and node limits

# Modifiers that make a title new without making it nonsense.
TITLE_MODIFIERS = [
    " – fördjupning",
    " för yrkesverksamma",
    ", kvällskurs",
    ", distans",
    " del 2",
    " med praktik",
    ", intensivkurs",
    " för nybörjare",
    " med språkstöd",
    ", helgkurs",
]
EN_MODIFIERS = [
    " – advanced",
    " for professionals",
    ", evening course",
    ", distance",
    " part 2",
    " with work placement",
    ", intensive",
    " for beginners",
    " with language support",
    ", weekend course",
]
LENGTHS = ["5 veckor", "10 veckor", "20 veckor", "40 veckor", "1 år", "2 år (400 yh-poäng)"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+", help="numbers of courses, e.g. 10000 100000")
    parser.add_argument("--source", type=Path, default=DEFAULT_KNOWLEDGE)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)
    for size in args.sizes:
        folder = generate(args.source, size, args.seed)
        print(f"{folder}: {size} courses")


STAMP = "GENERATED"  # not *.yaml, so the loader ignores it


def stamp(source: Path, size: int, seed: int) -> str:
    """What a generated folder was made from: this generator, the source's files, size, seed."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(source.rglob("*.y*ml")):
        digest.update(path.read_bytes())
    return f"{size} {seed} {digest.hexdigest()[:16]}\n"


def ensure(source: Path, size: int, seed: int = 2) -> Path:
    """The generated folder for `size`, made anew unless it is up to date."""
    folder = OUT / f"gen-{size}"
    marker = folder / STAMP
    if marker.exists() and marker.read_text() == stamp(source, size, seed):
        return folder
    return generate(source, size, seed)


def generate(source: Path, size: int, seed: int = 2, out: Path | None = None) -> Path:
    """Write a knowledge folder with `size` courses; return its path."""
    tree = read_yaml_tree(source)
    folder = out or OUT / f"gen-{size}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for key in ("topics", "centres", "municipalities", "synonyms"):
        if tree.get(key):
            _dump(folder / f"{key}.yaml", {key: tree[key]})
    own = tree.get("courses", [])
    _dump(folder / "courses-source.yaml", {"courses": own})
    made = list(CourseMaker(tree, random.Random(seed)).courses(max(0, size - len(own))))
    ids = [c["id"] for c in own + made]
    if len(set(ids)) != len(ids):  # a duplicate id would make the folder invalid knowledge
        raise SystemExit("generated ids collide: change the id shapes in CourseMaker.course_id")
    for n, start in enumerate(range(0, len(made), CHUNK)):
        _dump(folder / f"courses-gen-{n:03d}.yaml", {"courses": made[start : start + CHUNK]})
    (folder / STAMP).write_text(stamp(source, size, seed))
    return folder


def _dump(path: Path, data: dict) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: 100,000 courses
    text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")


class CourseMaker:
    """Recombines the source courses' vocabulary into new courses."""

    def __init__(self, tree: dict[str, list[dict]], rng: random.Random) -> None:
        self.rng = rng
        self.templates = tree.get("courses", [])
        if not self.templates:
            raise SystemExit("the source knowledge has no courses to recombine")
        self.municipalities = tree.get("municipalities", [])
        self.by_category: dict[str, list[dict]] = defaultdict(list)
        for course in self.templates:
            self.by_category[course["category"]].append(course)
        self.keywords = sorted({k for c in self.templates for k in c.get("keywords", [])})

    def courses(self, count: int):
        for n in range(count):
            yield self.course(n)

    def course(self, n: int) -> dict:
        rng = self.rng
        template = rng.choice(self.templates)
        peers = self.by_category[template["category"]]
        modifier = rng.randrange(len(TITLE_MODIFIERS)) if rng.random() < 0.6 else None
        title = template["title"] + (TITLE_MODIFIERS[modifier] if modifier is not None else "")
        municipality = rng.choice(self.municipalities) if self.municipalities else None
        provider = self.provider(template, rng.choice(peers), municipality)
        distance = rng.random() < 0.35
        course: dict = {
            "id": self.course_id(n, provider, title),
            "title": title,
            "provider": provider,
            "category": template["category"],
        }
        if municipality and not (distance and rng.random() < 0.3):
            course["municipality"] = municipality["id"]
        course["distance"] = distance
        course["pace"] = rng.choice([25, 50, 75, 100])
        start = self.start_date()
        course["start"] = start
        if start != "rolling" and rng.random() < 0.6:
            course["apply_by"] = start - dt.timedelta(days=rng.randrange(20, 75))
        course["length"] = rng.choice(LENGTHS)
        course["url"] = f"https://utbildning.example/{course['id']}"
        course["description"] = self.description(template, rng.choice(peers))
        course["keywords"] = self.keywords_for(template, rng.choice(peers))
        en = template.get("en") or {}
        if en.get("title"):
            course["en"] = {
                "title": en["title"] + (EN_MODIFIERS[modifier] if modifier is not None else ""),
            }
            if en.get("description"):
                course["en"]["description"] = en["description"]
        return course

    def provider(self, template: dict, other: dict, municipality: dict | None) -> str:
        # "Komvux Krokom" becomes "Komvux Bräcke"; a provider not named after its
        # municipality (Mittuniversitetet) is taken from a course of the same category.
        name = template["provider"]
        home = next(
            (m for m in self.municipalities if m["id"] == template.get("municipality")), None
        )
        if municipality and home and home["name"] in name:
            return name.replace(home["name"], municipality["name"])
        return other["provider"]

    def course_id(self, n: int, provider: str, title: str) -> str:
        # Ids of varied shapes and lengths, as different counsellors would write them.
        words = _slug(f"{provider} {title}").split("-")
        shape = n % 3
        if shape == 0:
            return f"{'-'.join(words[:6])}-{n:x}"
        if shape == 1:
            return f"g{n}-{'-'.join(words[-3:])}"
        return f"{words[0]}-{n:06d}"

    def start_date(self) -> dt.date | str:
        if self.rng.random() < 0.25:
            return "rolling"
        return dt.date(2027, 3, 1) + dt.timedelta(days=self.rng.randrange(0, 300))

    def description(self, template: dict, other: dict) -> str:
        first = _sentences(template.get("description", ""))[:1]
        second = _sentences(other.get("description", ""))[-1:]
        return " ".join(first + second)

    def keywords_for(self, template: dict, other: dict) -> list[str]:
        own = template.get("keywords", [])
        chosen = self.rng.sample(own, k=max(1, len(own) - 1)) if own else []
        chosen += self.rng.sample(
            other.get("keywords", []), k=min(1, len(other.get("keywords", [])))
        )
        if self.rng.random() < 0.3:
            chosen.append(self.rng.choice(self.keywords))
        return list(dict.fromkeys(chosen))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s.strip()]


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


if __name__ == "__main__":
    main()
