"""The server's log formats (server/logs.py): JSON lines with fields as top-level keys, readable text with
`key=value` fields, one line per record whatever the values hold, and uvicorn's loggers on the same handler."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from tenantry.server.access_log import install_access_log_redactor
from tenantry.server.logs import JsonLinesFormatter, TextFormatter, configure_logging, record_fields


def make_record(message: str = "refused: %s", *args: object, **fields: object) -> logging.LogRecord:
    """A record as `logger.info(message, *args, extra=fields)` makes it."""
    record = logging.getLogger("tenantry.refusals").makeRecord(
        "tenantry.refusals", logging.INFO, __file__, 1, message, args, None, extra=fields
    )
    record.created = 1_700_000_000.25
    return record


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the root and uvicorn loggers back as they were (pytest's capture handlers included)."""
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {
        n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate) for n in names
    }
    filters = logging.getLogger("uvicorn.access").filters[:]
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
    logging.getLogger("uvicorn.access").filters[:] = filters


def test_json_line_has_base_keys_then_fields() -> None:
    """time (UTC, ms, Z), level, logger, message, then each field as a top-level key, in order."""
    record = make_record("refused: %s", "AADSTS7000215", trace_id="t-1", code=7000215, reason="wrong secret")
    entry = json.loads(JsonLinesFormatter().format(record))
    assert list(entry) == ["time", "level", "logger", "message", "trace_id", "code", "reason"]
    assert entry["time"] == "2023-11-14T22:13:20.250Z"
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "INFO",
        "tenantry.refusals",
        "refused: AADSTS7000215",
    )
    assert (entry["code"], entry["reason"]) == (7000215, "wrong secret")


def test_json_line_stays_one_line_and_keeps_base_keys() -> None:
    """Line breaks in a message or a field are escaped; a field named like a base key cannot replace it;
    values json cannot encode are written as text."""
    record = make_record("two\nlines", reason="a\r\nb", level="forged", when=object())
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line and "\r" not in line
    entry = json.loads(line)
    assert (entry["message"], entry["reason"], entry["level"]) == ("two\nlines", "a\r\nb", "INFO")
    assert entry["when"].startswith("<object object")


def test_json_line_carries_the_traceback() -> None:
    """An exception's traceback is the `exception` field, still on one line."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line
    assert "RuntimeError: boom" in json.loads(line)["exception"]


def test_text_line_is_readable_with_key_value_fields() -> None:
    """`time LEVEL logger: message key=value …`; values with spaces, quotes or `=` are quoted."""
    record = make_record(
        "refused: %s", "AADSTS50126", trace_id="t-1", code=50126, reason='wrong "password" a=b', empty=""
    )
    line = TextFormatter().format(record)
    assert line == (
        "2023-11-14T22:13:20.250Z INFO tenantry.refusals: refused: AADSTS50126 trace_id=t-1 code=50126 "
        'reason="wrong \\"password\\" a=b" empty=""'
    )


def test_text_line_cannot_be_split_by_a_value() -> None:
    """Control characters in the message or a field are escaped, so a request value cannot forge a line."""
    record = make_record("path /x\nINFO forged: line", tenant="evil\ntenant")
    line = TextFormatter().format(record)
    assert "\n" not in line
    assert "path /x\\nINFO forged: line" in line and 'tenant="evil\\ntenant"' in line


def test_uvicorn_colour_message_is_not_a_field() -> None:
    """uvicorn's `color_message` (the message again, with ANSI codes) is left out."""
    record = make_record("Uvicorn running", color_message="\x1b[1mUvicorn running\x1b[0m")
    assert record_fields(record) == {}


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_configure_logging_sends_every_logger_to_one_handler(log_format: str) -> None:
    """Ours and uvicorn's loggers (access log redacted) end up in the one stream, in the chosen format;
    the level applies to all; a second call replaces the handler rather than adding one."""
    first, stream = io.StringIO(), io.StringIO()
    configure_logging("text", "INFO", first)
    configure_logging(log_format, "info", stream)  # type: ignore[arg-type]
    install_access_log_redactor()
    logging.getLogger("tenantry.refusals").info("refused: %s", "AADSTS1", extra={"trace_id": "t-9"})
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s", "https://127.0.0.1:1")
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", "/share/abc", "1.1", 200)
    logging.getLogger("tenantry.refusals").debug("not at INFO")
    lines = stream.getvalue().splitlines()
    assert first.getvalue() == ""
    assert len(lines) == 3
    if log_format == "json":
        entries = [json.loads(line) for line in lines]
        assert [e["logger"] for e in entries] == ["tenantry.refusals", "uvicorn.error", "uvicorn.access"]
        assert entries[0]["trace_id"] == "t-9"
        assert entries[2]["message"] == '127.0.0.1:5 - "GET /share/<redacted> HTTP/1.1" 200'
    else:
        assert lines[0].endswith("INFO tenantry.refusals: refused: AADSTS1 trace_id=t-9")
        assert "uvicorn.error: Uvicorn running on https://127.0.0.1:1" in lines[1]
        assert lines[2].endswith('uvicorn.access: 127.0.0.1:5 - "GET /share/<redacted> HTTP/1.1" 200')
