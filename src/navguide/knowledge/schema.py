"""A JSON Schema of the knowledge format, made from the field table in fields.py.

Editors with a YAML language server (VS Code's YAML extension and others)
use it to complete field names and flag mistakes while typing. The loader
stays the judge: the schema cannot see across files (ids, references).
"""

from __future__ import annotations

from typing import Any

from .fields import EN_FIELDS, SECTIONS, TOP_LEVEL, Field
from .model import CATEGORIES
from .values import ID_RE

_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$",
         "description": "A date, YYYY-MM-DD."}
_URL = {"type": "string", "pattern": r"^(https?://[^\s/]+\S*|mailto:\S+|tel:\S+)$",
        "description": "https://..., http://..., mailto: or tel:"}
_TEXT = {"type": ["string", "number"], "minLength": 1}
_SINGULAR = {"topics": "topic", "courses": "course", "centres": "centre",
             "municipalities": "municipality", "smalltalk": "smalltalk"}


def _type(field: Field, section: str) -> dict[str, Any]:
    match field.type:
        case "id" | "ref":
            return {"type": "string", "pattern": ID_RE.pattern}
        case "refs":
            return {"type": "array", "items": {"type": "string", "pattern": ID_RE.pattern}}
        case "str" | "text":
            return dict(_TEXT)
        case "strs":
            schema: dict[str, Any] = {"type": "array", "items": dict(_TEXT)}
            if field.required:
                schema["minItems"] = 1
            return schema
        case "bool":
            return {"type": "boolean"}
        case "pace":
            return {"type": "integer", "minimum": 1, "maximum": 100}
        case "date":
            return dict(_DATE)
        case "start":
            return {"anyOf": [dict(_DATE), {"const": "rolling"}]}
        case "code":  # quoted or not: YAML reads `code: 2380` as a number
            return {"anyOf": [{"type": "string", "pattern": r"^\d{4}$"},
                              {"type": "integer", "minimum": 1000, "maximum": 9999}]}
        case "url":
            return dict(_URL)
        case "urls":
            return {"anyOf": [dict(_URL), {"type": "array", "items": dict(_URL)}]}
        case "links":
            return {"type": "array", "items": {
                "type": "object",
                "properties": {"title": dict(_TEXT), "url": dict(_URL)},
                "required": ["title", "url"],
                "additionalProperties": False,
            }}
        case "category":
            return {"enum": list(CATEGORIES)}
        case "en":
            return _object(EN_FIELDS.get(section, ()), section)
    raise AssertionError(field.type)  # pragma: no cover


def _object(fields: tuple[Field, ...], section: str) -> dict[str, Any]:
    properties = {}
    for f in fields:
        prop = _type(f, section)
        if f.help:
            prop["description"] = f.help
        properties[f.name] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "additionalProperties": False}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def knowledge_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one knowledge file."""
    defs = {_SINGULAR[name]: _object(fields, name) for name, fields in SECTIONS.items()}
    properties: dict[str, Any] = {
        name: {"type": ["array", "null"], "items": {"$ref": f"#/$defs/{_SINGULAR[name]}"}}
        for name in SECTIONS
    }
    properties["synonyms"] = {
        "type": ["array", "null"],
        "description": "Groups of words that mean the same to a learner.",
        "items": {"type": "array", "items": dict(_TEXT), "minItems": 2},
    }
    assert set(properties) == set(TOP_LEVEL)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "navguide knowledge file",
        "description": "One YAML file of a navguide knowledge folder. "
                       "`navguide check` also checks ids and references across files.",
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": False,
        "$defs": defs,
    }
