"""Turning one YAML node into a typed value for one field of the format."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import yaml

from .fields import Field
from .model import CATEGORIES, Link
from .yamlfile import YamlError, scalar

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CODE_RE = re.compile(r"^\d{4}$")
_STANDARD_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def fail(node: yaml.Node, message: str) -> YamlError:
    return YamlError(message, node.start_mark.line + 1, node.start_mark.column + 1)


def mapping_items(node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) for a mapping; duplicate keys are an error."""
    if not isinstance(node, yaml.MappingNode) or node.tag != _STANDARD_TAGS[0]:
        raise fail(node, f"{what} must be a mapping of `field: value`")
    seen: set[str] = set()
    items = []
    for key_node, value_node in node.value:
        key = scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            raise fail(key_node, f"{what}: field names must be text")
        if key in seen:
            raise fail(key_node, f"duplicate field `{key}`")
        seen.add(key)
        items.append((key, key_node, value_node))
    return items


def sequence(node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode) or node.tag != _STANDARD_TAGS[1]:
        raise fail(node, f"`{what}` must be a list")
    return list(node.value)


def text(node: yaml.Node, name: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise fail(node, f"`{name}` must be text")
    value = scalar(node)
    if isinstance(value, bool) or value is None:
        raise fail(node, f"`{name}` must be text, not {node.value or 'empty'}")
    if isinstance(value, int | float):
        value = node.value  # free text that happens to look like a number
    if not isinstance(value, str):
        raise fail(node, f"`{name}` must be text")
    value = value.strip()
    if not value:
        raise fail(node, f"`{name}` is empty")
    return value


def texts(node: yaml.Node, name: str) -> tuple[str, ...]:
    items = sequence(node, name)
    return tuple(text(item, name) for item in items)


def url(node: yaml.Node, name: str) -> str:
    value = text(node, name)
    try:
        parts = urlsplit(value)
    except ValueError:  # "https://[not-an-address]": a bracketed host that is no IP
        parts = urlsplit("")
    if parts.scheme in ("http", "https") and parts.netloc and " " not in value:
        return value
    if parts.scheme in ("mailto", "tel") and parts.path:
        return value
    raise fail(node, f"`{name}` is not a URL (https://..., http://..., mailto: or tel:): {value}")


def a_date(node: yaml.Node, name: str) -> date:
    if isinstance(node, yaml.ScalarNode):
        try:
            value = scalar(node)
        except YamlError as exc:
            raise fail(node, f"`{name}` is not a date (YYYY-MM-DD): {node.value}") from exc
        if isinstance(value, date):
            return value
        if isinstance(value, str) and DATE_RE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
    raise fail(node, f"`{name}` is not a date (YYYY-MM-DD): {getattr(node, 'value', '...')}")


def convert(field: Field, node: yaml.Node, en_fields: tuple[Field, ...] = ()) -> object:
    """The value of `field` held by `node`, or a YamlError naming what is wrong."""
    name = field.name
    match field.type:
        case "id" | "ref":
            value = text(node, name)
            if not ID_RE.match(value):
                raise fail(node, f"bad id {value!r}: use lower-case a-z, 0-9 and -")
            return value
        case "refs":
            return tuple(convert(Field(name, "ref"), item) for item in sequence(node, name))
        case "str" | "text":
            return text(node, name)
        case "strs":
            values = texts(node, name)
            if field.required and not values:
                raise fail(node, f"`{name}` needs at least one item")
            return values
        case "bool":
            value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
            if not isinstance(value, bool):
                raise fail(node, f"`{name}` must be true or false")
            return value
        case "pace":
            value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
                raise fail(node, f"`{name}` must be a whole number of percent, 1-100")
            return value
        case "date":
            return a_date(node, name)
        case "start":
            if isinstance(node, yaml.ScalarNode) and node.value == "rolling":
                return "rolling"
            try:
                return a_date(node, name)
            except YamlError as exc:
                raise fail(node, f"`{name}` must be a date (YYYY-MM-DD) or `rolling`") from exc
        case "code":
            value = text(node, name)  # the node's own text: 0180 keeps its leading zero
            if not CODE_RE.match(value):
                raise fail(node, f"`{name}` must be four digits (a municipality code), "
                                 f"not {value!r}")
            return value
        case "url":
            return url(node, name)
        case "urls":
            if isinstance(node, yaml.ScalarNode):
                return (url(node, name),)
            return tuple(url(item, name) for item in sequence(node, name))
        case "links":
            return tuple(_link(item) for item in sequence(node, name))
        case "category":
            value = text(node, name)
            if value not in CATEGORIES:
                raise fail(node, f"unknown category {value!r}; use one of {', '.join(CATEGORIES)}")
            return value
        case "en":
            allowed = {f.name: f for f in en_fields}
            result = {}
            for key, key_node, value_node in mapping_items(node, "`en`"):
                if key not in allowed:
                    raise fail(key_node, f"unknown field `{key}` in `en` ({_known(allowed)})")
                result[key] = convert(allowed[key], value_node)
            return result
    raise AssertionError(field.type)  # pragma: no cover


def _link(node: yaml.Node) -> Link:
    fields = {"title": Field("title", "str", True), "url": Field("url", "url", True)}
    values = {}
    for key, key_node, value_node in mapping_items(node, "a link"):
        if key not in fields:
            raise fail(key_node, f"unknown field `{key}` in a link (use title and url)")
        values[key] = convert(fields[key], value_node)
    missing = [k for k in fields if k not in values]
    if missing:
        raise fail(node, f"a link needs `{missing[0]}`")
    return Link(**values)


def _known(fields: dict[str, Field]) -> str:
    return "known: " + ", ".join(fields)
