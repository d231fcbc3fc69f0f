"""A matcher reply as the learner sees it: Markdown text, safe HTML and cards.

The chat API, the no-JavaScript page and `navguide ask` all render through
here, so every channel says the same thing.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from .catalogue import say
from .knowledge.model import Centre, Course, Knowledge, SmallTalk, Topic
from .markdown import to_html
from .matcher.reply import Reply

MAX_SUGGESTIONS = 3


def reply_payload(reply: Reply, knowledge: Knowledge) -> dict[str, object]:
    """The reply as JSON: text, html, cards, links, suggestions."""
    lang = reply.lang
    text = reply_text(reply, knowledge)
    cards: list[dict[str, object]] = []
    for entry in reply.entries:
        cards.append(_card(entry, knowledge, lang))
    if reply.centre and all(e.id != reply.centre.id for e in reply.entries):
        cards.append(_card(reply.centre, knowledge, lang))
    offered, choice = suggestions_and_choice(reply, knowledge)
    payload: dict[str, object] = {
        "kind": reply.kind,
        "text": text,
        "html": to_html(text),
        "handoff": reply.handoff,
        "lang": lang,
        "ids": reply.ids,
        "cards": cards,
        "links": _links(reply, lang),
        "suggestions": offered,
        "municipality": reply.municipality,
    }
    if choice:
        payload["choice"] = choice
    return payload


def reply_text(reply: Reply, knowledge: Knowledge) -> str:
    lang = reply.lang
    if reply.kind == "smalltalk" and reply.smalltalk:
        return str(reply.smalltalk.text("answer", lang))
    if reply.kind == "clarify":
        return say(lang, "clarify")
    if reply.kind == "handoff":
        # Asked for a person: the way to one, not an apology.
        parts = [str(reply.smalltalk.text("answer", lang)) if reply.smalltalk
                 else say(lang, "handoff")]
        for entry in reply.entries:  # the municipality's own guidance contact
            if isinstance(entry, Topic):
                parts.append(str(entry.text("answer", lang)))
        if reply.centre:
            parts.append(say(lang, "handoff_centre", name=reply.centre.text("name", lang)))
            parts.append(_centre_lines(reply.centre, lang))
        elif not reply.entries:
            parts.append(say(lang, "handoff_no_place"))
        return "\n\n".join(parts)
    if reply.kind == "courses" and not reply.entries:
        return _no_courses(reply, knowledge)
    if reply.kind == "topic":
        topic = reply.entries[0]
        text = f"**{topic.text('title', lang)}**\n\n{topic.text('answer', lang)}"
        if reply.centre:
            text += "\n\n" + say(lang, "local_centre", name=reply.centre.text("name", lang))
        return text
    if reply.kind == "centre":
        centre = reply.entries[0]
        assert isinstance(centre, Centre)
        parts = [say(lang, "centre_intro", name=centre.text("name", lang)),
                 _centre_lines(centre, lang)]
        description = centre.text("description", lang)
        if description:
            parts.append(str(description))
        return "\n\n".join(p for p in parts if p)
    if reply.kind == "course":
        course = reply.entries[0]
        assert isinstance(course, Course)
        parts = [say(lang, "course_intro", title=course.text("title", lang),
                     provider=course.provider), _course_lines(course, knowledge, lang)]
        answer = _focused(course, reply.focus, lang)
        if answer:  # "när börjar den?": say that first
            parts.insert(0, answer)
        if course.description:
            parts.append(str(course.text("description", lang)))
        return "\n\n".join(parts)
    place = knowledge.municipality(reply.municipality)
    if reply.distance_instead and reply.category and place:
        lines = [say(lang, "courses_distance_instead", form=say(lang, f"form_{reply.category}"),
                     place=place.name)]
    else:
        lines = [say(lang, "courses_intro", count=len(reply.entries))]
    for course in reply.entries:
        assert isinstance(course, Course)
        facts = ", ".join(_course_facts(course, knowledge, lang))
        lines.append(f"- [{course.text('title', lang)}]({course.url}) – {course.provider}"
                     + (f", {facts}" if facts else ""))
    return "\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:])


def _no_courses(reply: Reply, knowledge: Knowledge) -> str:
    """No course of the conversation's school form in its place: say so, and where to ask."""
    lang = reply.lang
    municipality = knowledge.municipality(reply.municipality)
    where = say(lang, "no_courses_where", place=municipality.name) if municipality else ""
    if reply.category:
        text = say(lang, "no_courses_form", form=say(lang, f"form_{reply.category}"),
                   where=where)
    else:
        text = say(lang, "no_courses", where=where)
    text = " ".join(text.split()).replace(" .", ".")
    if reply.centre:
        name = reply.centre.text("name", lang)
        return "\n\n".join([text, say(lang, "no_courses_ask", name=name),
                             _centre_lines(reply.centre, lang)])
    return text + "\n\n" + say(lang, "handoff_no_place")


def details_at(centre: Centre, lang: str) -> str | None:
    """One plain line on where to find the address or hours the knowledge lacks."""
    hours = centre.text("hours", lang)
    if centre.address and hours:
        return None
    site = urlsplit(centre.url).hostname if centre.url else None
    if not site:
        return say(lang, "details_ask")
    key = "details_both" if not (centre.address or hours) else (
        "details_address" if not centre.address else "details_hours")
    return say(lang, key, site=site)


def _centre_lines(centre: Centre, lang: str) -> str:
    lines = []
    if centre.address:
        lines.append(f"- {say(lang, 'address')}: {centre.address}")
    hours = centre.text("hours", lang)
    if hours:
        lines.append(f"- {say(lang, 'hours')}: {hours}")
    if centre.phone:
        lines.append(f"- {say(lang, 'phone')}: [{centre.phone}](tel:{_tel(centre.phone)})")
    if centre.email:
        lines.append(f"- {say(lang, 'email')}: [{centre.email}](mailto:{centre.email})")
    if centre.url:
        lines.append(f"- {say(lang, 'web')}: [{centre.url}]({centre.url})")
    missing = details_at(centre, lang)
    if missing:
        lines.append(f"- {missing}")
    return "\n".join(lines)


def _course_facts(course: Course, knowledge: Knowledge, lang: str) -> list[str]:
    facts = []
    place = _place(course, knowledge)
    if course.distance:  # "Sveg (Härjedalen), på distans": who gives it, from where
        facts.append(f"{place}, {say(lang, 'distance')}" if place else say(lang, "distance"))
    elif place:
        facts.append(place)
    start = _start(course, lang)
    if start and course.start == "rolling":
        facts.append(start)
    elif start:
        facts.append(f"{say(lang, 'start').lower()} {start}")
    return facts


def _place(course: Course, knowledge: Knowledge) -> str | None:
    """Where a course is given: "Hammarstrand (Ragunda)", or the municipality alone.

    An imported catalogue has the same course in many places; a list must say
    which is which.
    """
    municipality = knowledge.municipality(course.municipality)
    name = municipality.name if municipality else None
    if course.town and name and course.town.casefold() != name.casefold():
        return f"{course.town} ({name})"
    return course.town or name


def _focused(course: Course, focus: str | None, lang: str) -> str | None:
    """The one fact a follow-up asked about a course."""
    if focus == "start" and _start(course, lang):
        return say(lang, "answer_start", start=_start(course, lang))
    if focus == "distance":
        return say(lang, "answer_distance" if course.distance else "answer_on_site")
    return None


def _start(course: Course, lang: str) -> str | None:
    if course.start == "rolling":
        return say(lang, "start_rolling")
    return course.start.isoformat() if isinstance(course.start, date) else None


def _course_lines(course: Course, knowledge: Knowledge, lang: str) -> str:
    lines = []
    place = _place(course, knowledge)
    where = say(lang, "distance") if course.distance else say(lang, "on_site")
    if place:
        where = f"{place}, {where}"
    lines.append(f"- {say(lang, 'place')}: {where}")
    start = _start(course, lang)
    if start:
        lines.append(f"- {say(lang, 'start')}: {start}")
    if course.apply_by:
        lines.append(f"- {say(lang, 'apply_by')}: {course.apply_by.isoformat()}")
    if course.length:
        lines.append(f"- {say(lang, 'length')}: {course.length}")
    if course.pace:
        lines.append(f"- {say(lang, 'pace', pace=course.pace)}")
    lines.append(f"- [{say(lang, 'read_more')}]({course.url})")
    return "\n".join(lines)


def _tel(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit() or c == "+")


def _card(entry: Topic | Course | Centre, knowledge: Knowledge, lang: str) -> dict[str, object]:
    card: dict[str, object] = {"type": entry.kind, "id": entry.id}
    if isinstance(entry, Topic):
        card |= {"title": entry.text("title", lang), "html": to_html(entry.text("answer", lang))}
    elif isinstance(entry, Centre):
        municipality = knowledge.municipality(entry.municipality)
        card |= {
            "name": entry.text("name", lang),
            "municipality": municipality.name if municipality else None,
            "address": entry.address,
            "hours": entry.text("hours", lang),
            "phone": entry.phone,
            "phone_href": f"tel:{_tel(entry.phone)}" if entry.phone else None,
            "email": entry.email,
            "email_href": f"mailto:{entry.email}" if entry.email else None,
            "url": entry.url,
            "details_at": details_at(entry, lang),
            "services": list(entry.services),
            "html": to_html(str(entry.text("description", lang) or "")),
        }
    else:
        municipality = knowledge.municipality(entry.municipality)
        start = entry.start.isoformat() if isinstance(entry.start, date) else entry.start
        card |= {
            "title": entry.text("title", lang),
            "provider": entry.provider,
            "category": entry.category,
            "municipality": municipality.name if municipality else None,
            "town": entry.town,
            "distance": entry.distance,
            "pace": entry.pace,
            "start": start,
            "apply_by": entry.apply_by.isoformat() if entry.apply_by else None,
            "length": entry.length,
            "url": entry.url,
            "html": to_html(str(entry.text("description", lang) or "")),
        }
    return card


def _links(reply: Reply, lang: str) -> list[dict[str, str]]:
    links = []
    for entry in reply.entries[:1]:
        if isinstance(entry, Topic):
            links += [{"title": link.title, "url": link.url} for link in entry.links]
        elif entry.url:
            links.append({"title": str(entry.text("title", lang)), "url": entry.url})
    return links


def suggestions(reply: Reply, knowledge: Knowledge) -> list[dict[str, str]]:
    """Follow-up questions offered as buttons: each a label and the message it sends."""
    return suggestions_and_choice(reply, knowledge)[0]


def suggestions_and_choice(
    reply: Reply, knowledge: Knowledge
) -> tuple[list[dict[str, str]], str | None]:
    """The buttons under a reply, and what they choose between when they are a choice:
    "entry" (did you mean ...?) or "municipality" (where to turn, after a hand-off)."""
    lang = reply.lang
    if reply.kind == "clarify":
        return [_entry_choice(entry, lang) for entry in reply.entries], "entry"
    if reply.handoff and not reply.municipality and not reply.centre:
        return [
            {"label": m.name, "message": m.name, "municipality": m.id}
            for m in knowledge.municipalities
        ], "municipality"
    found: list[str] = []
    main = reply.entries[0] if reply.entries else None
    if reply.kind == "smalltalk" and reply.smalltalk:
        found += _smalltalk_suggestions(reply.smalltalk, knowledge, lang)
    elif reply.kind == "handoff":
        pass  # the contact is shown: nothing more to ask of it
    elif isinstance(main, Topic):
        for related in main.related:
            entry = knowledge.entry(related)
            if isinstance(entry, Topic):
                found.append(_first_question(entry, lang))
        if not reply.municipality and knowledge.centres:
            found.append(say(lang, "suggest_centre"))
    elif reply.kind == "course" and isinstance(main, Course):
        # Only what the course's own fields can answer.
        if main.start and reply.focus != "start":
            found.append(say(lang, "suggest_start"))
        if main.distance and reply.focus != "distance":
            found.append(say(lang, "suggest_distance"))
    # A centre's card already shows all it has (hours, phone, address): no chips.
    unique = list(dict.fromkeys(str(f) for f in found))[:MAX_SUGGESTIONS]
    return [{"label": text, "message": text} for text in unique], None


def _first_question(entry: Topic, lang: str) -> str:
    questions = entry.text("questions", lang)
    return str(questions[0]) if questions else str(entry.text("title", lang))  # type: ignore[index]


def _entry_choice(entry: Topic | Course | Centre, lang: str) -> dict[str, str]:
    """One entry of a "did you mean": its title, sending its own first question,
    which that entry answers (each entry's own questions do; tests walk them)."""
    label = str(entry.text("title", lang))
    message = _first_question(entry, lang) if isinstance(entry, Topic) else label
    return {"label": label, "message": message}


def _smalltalk_suggestions(talk: SmallTalk, knowledge: Knowledge, lang: str) -> list[str]:
    """What to ask next: the entry's related topics, else the widget's starters."""
    found = [_first_question(t, lang) for ref in talk.related
             if isinstance(t := knowledge.entry(ref), Topic)]
    if found or not knowledge.topics:
        return found
    return [say(lang, f"ui_starter_{n}") for n in (1, 2, 3)]
