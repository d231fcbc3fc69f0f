"""The benchmark knowledge moved to another county: does navguide score the same?

    .venv/bin/python bench/moved.py [--knowledge DIR] [--questions FILE ...] [--no-semantic]

Every id (topics, courses, centres, municipalities) is replaced by an opaque
one, and every municipality and place name by one of another county, in the
knowledge and in the questions alike (with the forms learners type: lower
case, without å/ä/ö, genitive -s). Nothing else changes, so a figure that
moves says that something in navguide knew the county or the ids rather than
reading them from the knowledge. Target: every writer within ±0.02.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from common import OUT, SHARED_BENCH, load_tests
from quality import DEFAULT_QUESTIONS, in_process, judge, writer

from navguide.text.normalize import fold

TOLERANCE = 0.02
MOVED = OUT / "moved"

# Real names from two other counties (Västerbotten, Norrbotten, Västernorrland):
# the semantic model knows a real place name from a word, as it knows the
# county's own, so the move tests the matcher, not the model's geography.
MUNICIPALITY_NAMES = """
Skellefteå Lycksele Vilhelmina Storuman Sorsele Malå Norsjö Robertsfors Vännäs
Vindeln Bjurholm Nordmaling Dorotea Piteå Boden Kiruna Gällivare Jokkmokk Arjeplog
Arvidsjaur Älvsbyn Kalix Haparanda Pajala Sollefteå Kramfors Timrå
""".split()
PLACE_NAMES = """
Holmsund Obbola Sävar Hörnefors Bygdeå Burträsk Byske Kåge Ursviken Bureå Jörn
Boliden Kusmark Tärnaby Hemavan Ammarnäs Slussfors Stensele Barsele Kristineberg
Bastuträsk Åmsele Hällnäs Granö Tavelsjö Botsmark Flurkmark Röbäck Gammelstad Råneå
Sörbyn Harads Vidsel Moskosel Jäckvik Kvikkjokk Porjus Malmberget Koskullskulle
Vittangi Karesuando Abisko Svappavaara Junosuando Korpilombolo Töre Morjärv
Seskarö Karungi Hortlax Rosvik Norrfjärden Roknäs Lillpite Jävre Sikfors Matfors
Njurunda Kvissleby Stöde Indal Bjästa Husum Bredbyn Junsele Ramsele Näsåker
Ullånger Docksta Nordingrå Bollstabruk Fränsta Ljungaverk Torpshammar Bräcketorp
Sidensjö Trehörningsjö Gideå Köpmanholmen Själevad Arnäsvall Bonässund Skorped
Resele Helgum Graninge Långsele Multrå Ådalsliden Sandslån Lunde Klockestrand
Utansjö Viksjö Sörberge Söråker Fagervik Lögdö Ljustorp Sundsbruk Alnö Skottsund
""".split()


def pick_names(pool: Sequence[str], count: int, avoid: set[str]) -> list[str]:
    """`count` names of `pool` none of which is a word of `avoid` (folded)."""
    names = [n for n in pool if fold(n.casefold()) not in avoid]
    if len(names) < count:
        raise SystemExit(f"Error: only {len(names)} unused names for {count} places")
    return names[:count]


def opaque(old: str) -> str:
    return "e" + hashlib.sha1(old.encode()).hexdigest()[:10]


def name_pattern(old: str) -> re.Pattern[str]:
    """The name as typed: as written or without å/ä/ö, any case, with a genitive s.
    A short name ("Lit", "Ås") only capitalised, since in lower case it is a word."""
    forms = sorted({old, fold(old.casefold()).capitalize()}, key=len, reverse=True)
    flags = re.IGNORECASE if len(old) >= 5 else 0
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, forms)) + r")(?=s?(?!\w))", flags)


def renamer(names: dict[str, str]) -> Callable[[str], str]:
    patterns = [(name_pattern(old), old, new) for old, new in
                sorted(names.items(), key=lambda kv: -len(kv[0]))]

    def rename(text: str) -> str:
        for pattern, old, new in patterns:
            def swap(match: re.Match[str], old: str = old, new: str = new) -> str:
                typed = match.group(1)
                # Typed without the original's å/ä/ö: the new name without them too.
                folded = typed.casefold() == fold(old.casefold()) != old.casefold()
                out = fold(new.casefold()) if folded else new
                return out.casefold() if typed.islower() else out[0].upper() + out[1:]
            text = pattern.sub(swap, text)
        return text

    return rename


def walk(value: object, text: Callable[[str], str], ids: dict[str, str], key: str = "") -> object:
    """The same YAML value with ids and references mapped and names renamed."""
    if isinstance(value, dict):
        return {k: walk(v, text, ids, k) for k, v in value.items()}
    if isinstance(value, list):
        return [walk(v, text, ids, key) for v in value]
    if isinstance(value, str):
        if key in ("id", "municipality", "related", "expect", "expect_all"):
            return ids.get(value, value)
        return text(value)
    return value


def move(knowledge: Path, questions: Sequence[Path], target: Path) -> tuple[Path, list[Path]]:
    shutil.rmtree(target, ignore_errors=True)
    (target / "knowledge").mkdir(parents=True)
    files = sorted(knowledge.glob("*.y*ml"))
    trees = {f: yaml.safe_load(f.read_text(encoding="utf-8")) or {} for f in files}
    ids: dict[str, str] = {}
    municipalities: list[str] = []
    places: list[str] = []
    words: set[str] = set()
    for tree in trees.values():
        for section, entries in tree.items():
            for entry in entries or []:
                if isinstance(entry, dict) and "id" in entry:
                    ids[entry["id"]] = opaque(entry["id"])
                if section == "municipalities":
                    municipalities.append(entry["name"])
                    places += entry.get("places", [])
        words |= {fold(w) for w in re.findall(r"\w+", yaml.safe_dump(tree).casefold())}
    questions_text = {q: q.read_text(encoding="utf-8") for q in questions}
    for text in questions_text.values():
        words |= {fold(w) for w in re.findall(r"\w+", text.casefold())}
    names = dict(zip(municipalities, pick_names(MUNICIPALITY_NAMES, len(municipalities), words),
                     strict=True))
    places = [p for p in dict.fromkeys(places) if p not in names]  # "Krokom" the place too
    names |= dict(zip(places, pick_names(PLACE_NAMES, len(places), words), strict=True))
    rename = renamer(names)
    for f, tree in trees.items():
        (target / "knowledge" / f.name).write_text(
            yaml.safe_dump(walk(tree, rename, ids), allow_unicode=True, sort_keys=False),
            encoding="utf-8")
    moved_questions = []
    for q, text in questions_text.items():
        out = target / q.name
        out.write_text(yaml.safe_dump(walk(yaml.safe_load(text), rename, ids),
                                      allow_unicode=True, sort_keys=False), encoding="utf-8")
        moved_questions.append(out)
    return target / "knowledge", moved_questions


def scores(knowledge: Path, files: Sequence[Path], semantic: bool) -> dict[str, tuple[int, int]]:
    tests = [t for f in files for t in load_tests(f)]
    replies, _ = in_process(tests, knowledge, semantic=semantic)
    out: dict[str, tuple[int, int]] = {}
    for t, r in zip(tests, replies, strict=True):
        right, total = out.get(writer(t), (0, 0))
        out[writer(t)] = (right + judge(t, r), total + 1)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=SHARED_BENCH / "knowledge")
    parser.add_argument("--questions", type=Path, nargs="+")
    parser.add_argument("--no-semantic", action="store_true")
    args = parser.parse_args(argv)
    files = args.questions or [f for f in DEFAULT_QUESTIONS if f.exists()]
    if not files or not args.knowledge.is_dir():
        print(f"no benchmark here ({args.knowledge}): nothing measured")
        return
    moved_knowledge, moved_files = move(args.knowledge, files, MOVED)
    print(f"moved: {moved_knowledge} and {', '.join(str(f) for f in moved_files)}\n")
    semantic = not args.no_semantic
    here = scores(args.knowledge, files, semantic)
    there = scores(moved_knowledge, moved_files, semantic)
    print(f"{'writer':8}{'n':>6}{'here':>8}{'moved':>8}{'change':>9}")
    print("-" * 39)
    worst = 0.0
    for name in sorted(here):
        (a, n), (b, _) = here[name], there.get(name, (0, 1))
        change = b / n - a / n
        worst = max(worst, abs(change))
        print(f"{name:8}{n:>6}{a / n:>8.3f}{b / n:>8.3f}{change:>+9.3f}")
    verdict = "PASS" if worst <= TOLERANCE else "FAIL"
    print(f"\n  {verdict}  every writer within ±{TOLERANCE} when moved: largest change {worst:.3f}")


if __name__ == "__main__":
    main()
