"""The API's description, OpenAPI 3.1, served at /api/openapi.json.

Written here by hand, beside the handlers it describes, and held true by the
tests: every route of /api/* is in it, every response a test or the fuzz run
gets matches it. The limits in it come from the settings in force.
"""

from __future__ import annotations

from typing import Any, get_args

from ..matcher.reply import ReplyKind
from ..settings import Settings

KINDS = list(get_args(ReplyKind))


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_COMMON_ERRORS = {
    "400": _error("Malformed JSON, a wrong type, a missing or over-long field."),
    "408": _error("The body did not arrive in time."),
    "413": _error("The body is over the limit."),
    "415": _error("Not `Content-Type: application/json`."),
    "429": {**_error("Too many requests from this client; see `Retry-After`."),
            "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1},
                                        "description": "Seconds until the client may retry."}}},
}


def openapi(settings: Settings, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for this server's settings."""
    nullable_str = {"type": ["string", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "navguide",
            "version": version,
            "description": ("Guidance chat for adult learners. Every error has the shape "
                            '{"error": {"code", "message"}}.'),
        },
        "paths": {
            "/api/chat": {"post": {
                "operationId": "chat",
                "summary": "The reply to a learner's message.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ChatRequest"}}}},
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Reply"}, "The reply."),
                    **_COMMON_ERRORS,
                    "503": {**_error("The server has as many messages in hand as it may "
                                     "(`matcher_queue`); see `Retry-After`."),
                            "headers": _COMMON_ERRORS["429"]["headers"]},
                },
            }},
            "/api/feedback": {"post": {
                "operationId": "feedback",
                "summary": "Whether a reply helped.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/FeedbackRequest"}}}},
                "responses": {
                    "200": _json({"type": "object", "required": ["ok"],
                                  "properties": {"ok": {"const": True}}}),
                    **_COMMON_ERRORS,
                },
            }},
            "/api/health": {"get": {
                "operationId": "health",
                "summary": "Whether the knowledge and the record store are in order.",
                "responses": {"200": _json({"$ref": "#/components/schemas/Health"})},
            }},
            "/api/knowledge": {"get": {
                "operationId": "knowledge",
                "summary": "Which knowledge is loaded: version, counts, municipalities.",
                "responses": {"200": _json({"$ref": "#/components/schemas/KnowledgeInfo"})},
            }},
            "/api/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {"200": _json({"type": "object"})},
            }},
        },
        "components": {"schemas": {
            "Error": {
                "type": "object", "required": ["error"], "additionalProperties": False,
                "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {"code": {"type": "string", "pattern": "^[a-z_]+$"},
                                   "message": {"type": "string"}},
                }},
            },
            "ChatRequest": {
                "type": "object", "required": ["message"],
                "properties": {
                    "message": {"type": "string", "minLength": 1,
                                "maxLength": settings.max_message_chars},
                    "context": {"oneOf": [{"type": "null"},
                                          {"$ref": "#/components/schemas/Context"}]},
                    "municipality": {"type": ["string", "null"],
                                     "description": "A municipality id from /api/knowledge."},
                    "lang": {"type": ["string", "null"], "enum": ["sv", "en", None]},
                },
            },
            "Context": {
                "type": "object", "required": ["messages", "municipality", "sig"],
                "additionalProperties": False,
                "description": "The signed context of the previous reply, sent back as is.",
                "properties": {
                    "messages": {"type": "array", "items": {"type": "string"}},
                    "municipality": nullable_str,
                    "shown": {
                        "type": "object", "description": "What the reply showed.",
                        "required": ["kind", "ids", "municipality", "category", "subject",
                                     "lang"],
                        "properties": {
                            "kind": {"type": "string", "enum": KINDS},
                            "ids": {"type": "array", "items": {"type": "string"}},
                            "municipality": nullable_str,
                            "category": nullable_str,
                            "subject": {"type": "array", "items": {"type": "string"}},
                            "lang": {"type": "string", "enum": ["sv", "en"]},
                            "centre": nullable_str,
                            "focus": nullable_str,
                            "talk": nullable_str,
                        },
                    },
                    "sig": {"type": "string"},
                },
            },
            "Reply": {
                "type": "object",
                "required": ["kind", "text", "html", "handoff", "lang", "ids", "cards", "links",
                             "suggestions", "municipality", "context", "reply_id"],
                "properties": {
                    "kind": {"type": "string", "enum": KINDS},
                    "text": {"type": "string", "description": "Markdown."},
                    "html": {"type": "string", "description": "Safe HTML of `text`."},
                    "handoff": {"type": "boolean"},
                    "lang": {"type": "string", "enum": ["sv", "en"]},
                    "ids": {"type": "array", "items": {"type": "string"}},
                    "cards": {"type": "array", "items": {
                        "type": "object", "required": ["type", "id"],
                        "properties": {"type": {"type": "string"}, "id": {"type": "string"}}}},
                    "links": {"type": "array", "items": {
                        "type": "object", "required": ["title", "url"],
                        "properties": {"title": {"type": "string"},
                                       "url": {"type": "string"}}}},
                    "suggestions": {"type": "array", "items": {
                        "type": "object", "required": ["label", "message"],
                        "properties": {"label": {"type": "string"},
                                       "message": {"type": "string"},
                                       "municipality": {"type": "string"}}}},
                    "choice": {"type": "string", "enum": ["entry", "municipality"]},
                    "municipality": nullable_str,
                    "context": {"$ref": "#/components/schemas/Context"},
                    "reply_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                },
            },
            "FeedbackRequest": {
                "type": "object", "required": ["reply_id", "helpful"],
                "properties": {"reply_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                               "helpful": {"type": "boolean"}},
            },
            "Health": {
                "type": "object", "required": ["status", "knowledge"],
                "properties": {
                    "status": {"type": "string", "enum": ["ok", "degraded"]},
                    "knowledge": {"type": "string"},
                    "last_edit": {"type": "object"},
                    "records": {
                        "type": "object",
                        "required": ["state", "queued", "written", "dropped"],
                        "properties": {
                            "state": {"type": "string", "enum": ["ok", "failing", "off"]},
                            "queued": {"type": "integer", "minimum": 0},
                            "written": {"type": "integer", "minimum": 0},
                            "dropped": {"type": "integer", "minimum": 0},
                            "problem": {"type": "string"},
                        },
                    },
                },
            },
            "KnowledgeInfo": {
                "type": "object", "required": ["version", "loaded_at", "counts",
                                               "municipalities"],
                "properties": {
                    "version": {"type": "string"},
                    "loaded_at": nullable_str,
                    "counts": {"type": "object",
                               "additionalProperties": {"type": "integer"}},
                    "municipalities": {"type": "array", "items": {
                        "type": "object", "required": ["id", "name"],
                        "properties": {"id": {"type": "string"},
                                       "name": {"type": "string"}}}},
                },
            },
        }},
    }
