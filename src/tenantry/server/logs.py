"""The server's log output: JSON lines for machines or readable text, one line per record (style P3).

`configure_logging` is the one set-up: `tenantry serve` calls it before anything logs, and uvicorn's
loggers (`uvicorn.error`, and `uvicorn.access` with `--access-log`, whose request targets
`server/access_log.py` redacts) propagate to the same handler, so every line of a run has one shape.

- `json` (`TENANTRY_LOG_FORMAT=json`): one JSON object per line with `time` (UTC, milliseconds), `level`,
  `logger` and `message`, then each structured field of the record (`extra=`: the trace id, correlation
  id, tenant, client id, AADSTS code and reason of a refusal, see `errors/refusals.py`) as a top-level
  key, and `exception` with the traceback when there is one.
- `text` (the default): `time LEVEL logger: message key=value …`, values quoted (JSON string syntax) when
  they hold spaces, quotes or `=`, control characters escaped, so a request value cannot start a line of
  its own; a traceback follows on the next lines.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]

# Attributes every LogRecord has; whatever else a record carries came from `extra=` and is a field.
# uvicorn adds `color_message` (its message with ANSI colours) to some records: not a field.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_NOT_FIELDS = _RECORD_ATTRIBUTES | {"color_message"}
_BARE_VALUE_UNSAFE = frozenset(' "=\\')


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields of a record, in the order they were given."""
    return {name: value for name, value in record.__dict__.items() if name not in _NOT_FIELDS}


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record; never a line break inside (json escapes them)."""

    def format(self, record: logging.LogRecord) -> str:
        """time, level, logger, message, the fields, and `exception` / `stack` when present."""
        entry: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record_fields(record).items():
            entry.setdefault(name, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _text_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if text and text.isprintable() and not _BARE_VALUE_UNSAFE.intersection(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _one_line(text: str) -> str:
    """A message with its control characters escaped, so it cannot forge a line."""
    return text if text.isprintable() else json.dumps(text, ensure_ascii=False)[1:-1]


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value …` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        """One line (plus a traceback's lines, when there is one)."""
        parts = [_time(record), record.levelname, f"{record.name}:", _one_line(record.getMessage())]
        parts.extend(f"{name}={_text_value(value)}" for name, value in record_fields(record).items())
        line = " ".join(parts)
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        if record.stack_info:
            line = f"{line}\n{self.formatStack(record.stack_info)}"
        return line


class _ServerHandler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` installs, recognisable so a second call replaces it."""


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    """The formatter of a `TENANTRY_LOG_FORMAT` value."""
    return JsonLinesFormatter() if log_format == "json" else TextFormatter()


def configure_logging(log_format: LogFormat, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every logger's records, uvicorn's included, to one handler on the root logger (standard error
    unless `stream`), in `log_format`, from `level` up. Idempotent: a second call replaces the first."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _ServerHandler)]:
        root.removeHandler(handler)
    handler = _ServerHandler(stream or sys.stderr)
    handler.setFormatter(formatter_for(log_format))
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # Whatever uvicorn's own configuration left behind: no handlers of their own, the root's level.
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
