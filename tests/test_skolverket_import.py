"""`navguide import skolverket` against a local stand-in of the API: no network.

The stand-in serves recorded pages (tests/data/skolverket) and misbehaves on
request; the CLI runs end to end in a worker thread, as a nightly timer runs
it, and its output is then checked and asked questions like any knowledge.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from skolverket_server import Recorded
from support import TESTS

from navguide.cli import main
from navguide.holder import build
from navguide.importers.mapping import Places, category, to_course
from navguide.knowledge import Municipality, load_knowledge
from navguide.knowledge.model import Location
from navguide.render import reply_payload

STARTER = TESTS.parent / "knowledge"
OLD = "# an earlier night's catalogue\ncourses: []\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The starter knowledge (it has the eight municipality codes), with room for imports."""
    target = tmp_path / "knowledge"
    shutil.copytree(STARTER, target)
    (target / "courses").mkdir()
    return target


async def run(server, folder: Path, *extra: str, out: Path | None = None,
              capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str, str]:
    out = out or folder / "courses" / "skolverket.yaml"
    argv = ["import", "skolverket", "--county", "23", "--out", str(out),
            "--knowledge", str(folder), "--base-url", str(server.make_url("/planned-educations")),
            "--delay", "0", "--backoff", "0.01", "--timeout", "1", *extra]
    code = await asyncio.to_thread(main, argv)
    captured = capsys.readouterr() if capsys else None
    return code, captured.out if captured else "", captured.err if captured else ""


def courses_of(path: Path) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in yaml.safe_load(path.read_text(encoding="utf-8"))["courses"]}


async def test_a_county_is_imported_page_by_page_into_one_file(aiohttp_server, folder, capsys):
    api = Recorded()
    server = await aiohttp_server(api.app())
    code, out, err = await run(server, folder, capsys=capsys)
    assert (code, err) == (0, "")
    # 12 events on 3 pages, one of them twice; two lack a title or a provider.
    assert out.startswith("Imported 8 course(s) from 11 event(s) (3 page(s)) into ")
    assert "2 event(s) without id, title or provider skipped" in out
    assert "1 on site outside the knowledge's municipalities left out" in out
    assert [r.query.getall("geographicalAreaCode") for r in api.requests] == [["23"]] * 3
    assert [r.query["page"] for r in api.requests] == ["0", "1", "2"]
    written = folder / "courses" / "skolverket.yaml"
    assert written.read_text(encoding="utf-8").startswith("# navguide import:")
    assert not [p for p in written.parent.iterdir() if p.name != "skolverket.yaml"]

    courses = courses_of(written)
    bracke = courses["skolverket-e-ist-2305vuxsva01"]
    assert bracke == {
        "id": "skolverket-e-ist-2305vuxsva01", "title": "Svenska 1", "provider": "Komvux Bräcke",
        "category": "komvux", "municipality": "bracke", "town": "Bräcke", "distance": False,
        "pace": 100, "start": date(2027, 1, 18), "apply_by": date(2026, 12, 15),
        "length": "100 poäng",
        "url": "https://api.example.test/planned-educations/v4/adult-education-events/"
               "e.IST.2305VUXSVA01",
        "source": "https://api.example.test/planned-educations/v4/adult-education-events/"
                  "e.IST.2305VUXSVA01",
        "imported": date.today(),
    }
    krokom = courses["skolverket-e-ist-2309vuxsva01"]
    assert krokom["start"] == "rolling" and krokom["pace"] == 50 and "apply_by" not in krokom
    assert krokom["url"] == (f"{server.make_url('/planned-educations')}"
                             "/v4/adult-education-events/e.IST.2309VUXSVA01")
    sfi = courses["skolverket-e-ist-2380sfib"]
    assert (sfi["category"], sfi["start"], sfi["municipality"]) == ("sfi", "rolling", "ostersund")
    assert "pace" not in sfi and "length" not in sfi
    vard = courses["skolverket-e-ist-2313vooms"]
    assert vard["title"] == "Vård- och omsorgsutbildning, undersköterska"
    assert (vard["distance"], vard["town"], vard["start"]) == (True, "Hoting", date(2027, 1, 11))
    bagare = courses["skolverket-e-myh-2321-bagare"]
    assert (bagare["title"], bagare["category"], bagare["pace"]) == (
        "Bagare och konditor", "yh", 100)
    sveg = courses["skolverket-e-ist-2361vuxsva01"]  # the code came as a number
    assert sveg["municipality"] == "harjedalen"
    assert not {"start", "apply_by", "pace"} & sveg.keys()  # "hösten 2027", 2027-13-01
    assert courses["skolverket-e-fhs-birka-allman"]["category"] == "folkhogskola"
    assert "skolverket-e-ist-2284vuxsva01" not in courses  # on site in Örnsköldsvik


async def test_the_output_checks_clean_and_answers_questions(aiohttp_server, folder, capsys):
    server = await aiohttp_server(Recorded().app())
    assert (await run(server, folder, capsys=capsys))[0] == 0

    assert main(["check", str(folder)]) == 0
    report = capsys.readouterr().out
    assert "'skolverket-e-ist-2303vuxsva01': imported course started 2026-08-17, " \
           "in the past" in report
    assert "OK: 49 topics, 17 courses" in report

    loaded = build(folder)
    svenska = ["Vilka kurser i svenska 1 finns?"]
    ids = {muni: loaded.matcher.reply(svenska, muni).ids for muni in ("bracke", "krokom")}
    assert ids["bracke"][0] == "skolverket-e-ist-2305vuxsva01"  # the learner's own first
    assert ids["krokom"][0] == "skolverket-e-ist-2309vuxsva01"
    followed = loaded.matcher.reply([*svenska, "När börjar den?"], "krokom")
    assert followed.ids == ["skolverket-e-ist-2309vuxsva01"]
    assert "löpande" in reply_payload(followed, loaded.knowledge)["text"]
    bagare = loaded.matcher.reply(["bagare och konditor i Järpen"])
    assert bagare.ids[0] == "skolverket-e-myh-2321-bagare"


async def test_a_list_names_the_places(aiohttp_server, folder, capsys):
    """"Svenska 1" in five places: each line of the list says which."""
    server = await aiohttp_server(Recorded().app())
    assert (await run(server, folder, capsys=capsys))[0] == 0
    loaded = build(folder)
    payload = reply_payload(loaded.matcher.reply(["Vilka kurser i svenska 1 finns?"]),
                            loaded.knowledge)
    assert payload["kind"] == "courses"
    for line in ("Komvux Bräcke, Bräcke, start 2027-01-18",
                 "Komvux Krokom, Krokom, löpande start",
                 "Komvux Ragunda, Hammarstrand (Ragunda), start 2026-08-17",
                 "Komvux Härjedalen, Sveg (Härjedalen), på distans"):
        assert line in payload["text"], payload["text"]
    card = next(c for c in payload["cards"] if c["id"] == "skolverket-e-ist-2303vuxsva01")
    assert (card["town"], card["municipality"]) == ("Hammarstrand", "Ragunda")
    one = reply_payload(loaded.matcher.reply(["bagare och konditor i Järpen"]), loaded.knowledge)
    assert "Järpen (Åre), på plats" in one["text"], one["text"]
    english = reply_payload(loaded.matcher.reply(["Which courses in Svenska 1 are there?"]),
                            loaded.knowledge)
    assert "Komvux Härjedalen, Sveg (Härjedalen), distance learning" in english["text"]


async def test_a_passing_500_is_retried(aiohttp_server, folder, capsys):
    api = Recorded(mode="500-once")
    server = await aiohttp_server(api.app())
    code, out, _ = await run(server, folder, capsys=capsys)
    assert code == 0 and out.startswith("Imported 8 course(s)")
    assert [r.query["page"] for r in api.requests] == ["0", "0", "1", "2"]


@pytest.mark.parametrize(("mode", "said"), [
    ("500", "Error: Skolverket did not answer page 1 after 3 tries (last: HTTP 500)"),
    ("slow", "Error: Skolverket did not answer page 1 after 3 tries (last: no answer within 1 s)"),
    ("malformed", "Error: Skolverket did not answer page 1 after 3 tries (last: the answer is "
                  "not JSON"),
    ("broken-page", "Error: Skolverket did not answer page 2 after 3 tries (last: the answer is "
                    "not JSON"),
    ("404", "Error: Skolverket answered HTTP 404 for page 1: "),
    ("empty", "Error: Skolverket returned no events for area 23; "),
])
async def test_a_failed_or_empty_run_keeps_the_previous_file(
    aiohttp_server, folder, capsys, mode, said
):
    out = folder / "courses" / "skolverket.yaml"
    out.write_text(OLD, encoding="utf-8")
    api = Recorded(mode=mode)
    server = await aiohttp_server(api.app())
    code, printed, err = await run(server, folder, "--retries", "2", capsys=capsys)
    assert code == 1 and printed == ""
    assert err.startswith(said), err
    assert err.count("\n") == 1 and err.rstrip().endswith(f"{out} is unchanged")
    assert out.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in out.parent.iterdir()) == ["skolverket.yaml"]
    if mode == "404":
        assert len(api.requests) == 1  # not worth a retry


async def test_a_bad_command_line_is_one_error(aiohttp_server, folder, capsys):
    server = await aiohttp_server(Recorded().app())
    code, _, err = await run(server, folder, out=folder / "skolverket.txt", capsys=capsys)
    assert (code, err) == (1, f"Error: --out must be a .yaml file, not {folder}/skolverket.txt\n")
    assert main(["import", "skolverket", "--municipality", "Bräcke", "--out", "x.yaml"]) == 1
    assert capsys.readouterr().err.startswith("Error: not an area code: 'Bräcke'")


async def test_several_municipalities_and_types_are_asked_for(aiohttp_server, folder):
    api = Recorded()
    server = await aiohttp_server(api.app())
    argv = ["import", "skolverket", "--municipality", "2305", "2309", "--type", "sfi, vuxgy",
            "--out", str(folder / "sk.yaml"), "--knowledge", str(folder),
            "--base-url", str(server.make_url("/planned-educations")), "--delay", "0"]
    assert await asyncio.to_thread(main, argv) == 0
    first = api.requests[0].query
    assert first.getall("geographicalAreaCode") == ["2305", "2309"]
    assert first.getall("typeOfSchool") == ["sfi", "vuxgy"]
    assert first["size"] == "100"


async def test_requests_keep_a_polite_pace(aiohttp_server, folder):
    api = Recorded()
    server = await aiohttp_server(api.app())
    argv = ["import", "skolverket", "--county", "23", "--out", str(folder / "sk.yaml"),
            "--knowledge", str(folder), "--base-url", str(server.make_url("/planned-educations")),
            "--delay", "0.2"]
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await asyncio.to_thread(main, argv) == 0
    assert loop.time() - started >= 0.4  # three pages, two pauses


def test_a_knowledge_without_codes_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "m.yaml").write_text("municipalities:\n  - {id: a, name: A}\n")
    code = main(["import", "skolverket", "--county", "23", "--out", str(tmp_path / "s.yaml"),
                 "--knowledge", str(tmp_path), "--base-url", "http://127.0.0.1:9"])
    assert code == 1
    assert capsys.readouterr().err.startswith("Error: no municipality in ")


PLACES = Places.of([Municipality("bracke", "Bräcke", (), Location("m", 1, 1), "2305")])


@pytest.mark.parametrize(("kind", "expected"), [
    ("sfi", "sfi"), ("vuxgy", "komvux"), ("vuxgr", "komvux"), ("komvuxcoursepackage", "komvux"),
    ("yh", "yh"), ("yhprogram", "yh"), ("fhs", "folkhogskola"), ("uoh", "hogskola"),
    ("vuxsarvux", "komvux"), (None, "other"), ("null", "other"), ("okänd", "other"),
])
def test_type_of_school_gives_the_category(kind, expected) -> None:
    assert category(kind) == expected


def test_a_municipality_is_found_by_name_when_its_code_is_missing() -> None:
    event = {"educationEventId": "e.1", "titleSv": "Svenska 1", "providerName": "Komvux",
             "municipality": "bräcke", "geographicalAreaCode": None}
    course = to_course(event, PLACES, "https://api.example.test", date(2026, 12, 1))
    assert course is not None and course["municipality"] == "bracke"


def test_imported_files_may_hold_a_whole_county(tmp_path: Path) -> None:
    """The size limits of a hand-written file would refuse a county's catalogue."""
    from navguide.importers.output import render

    courses = [{"id": f"skolverket-e-{n}", "title": f"Kurs {n}", "provider": "Komvux",
                "category": "komvux", "distance": True, "url": f"https://example.test/{n}",
                "source": f"https://example.test/{n}", "imported": date(2026, 12, 1),
                "length": "100 poäng", "pace": 100, "start": "rolling"}
               for n in range(9000)]
    (tmp_path / "big.yaml").write_text(render(courses, "test", date(2026, 12, 1)))
    assert (tmp_path / "big.yaml").stat().st_size > 2_000_000
    knowledge, problems = load_knowledge(tmp_path)
    assert problems == [] and len(knowledge.courses) == 9000
    (tmp_path / "big.yaml").write_text(render(courses, "test", date(2026, 12, 1))
                                       .split("\n", 1)[1])  # without the importer's mark
    _, problems = load_knowledge(tmp_path)
    assert "the limit is 2,000,000" in str(problems[0])


def test_any_title_is_written_as_the_text_it_is(tmp_path: Path) -> None:
    """No title turns into a number, a date, a comment or a broken file on the way."""
    from navguide.importers.output import render

    titles = ['Kurs: "A" # 1 – [ja] {nej}', "yes", "2027-01-01", "123", "null", "- a",
              "ett\u2028två\x85tre\x7f", "Ünïcödé 𝔘 ✓", "back\\slash"]
    courses = [{"id": f"skolverket-e-{n}", "title": title, "provider": "P", "category": "komvux",
                "distance": False, "url": "https://example.test/", "imported": date(2026, 12, 1),
                "start": "rolling"} for n, title in enumerate(titles)]
    (tmp_path / "m.yaml").write_text("municipalities: []\n")
    (tmp_path / "s.yaml").write_text(render(courses, "test", date(2026, 12, 1)),
                                     encoding="utf-8")
    knowledge, problems = load_knowledge(tmp_path)
    assert problems == []
    assert [c.title for c in knowledge.courses] == titles
    assert all(c.start == "rolling" and c.imported == date(2026, 12, 1)
               for c in knowledge.courses)
