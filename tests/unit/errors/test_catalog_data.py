"""Data checks on `src/tenantry/errors/catalog.tsv` (style P1/P2).

These tests read the TSV as a plain file, so they guard the data itself independently of the loader
in `tenantry.errors.catalog`. They also check that the generated `codes.py` is up to date.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
CATALOG = REPO_ROOT / "src" / "tenantry" / "errors" / "catalog.tsv"
REFERENCE_CODES = REPO_ROOT / "tests" / "data" / "aadsts-codes.tsv"  # the seed's list (307)
EXTRA_CODES = REPO_ROOT / "tests" / "data" / "aadsts-codes-extra.tsv"  # added beyond it, with why
GENERATOR = REPO_ROOT / "scripts" / "gen_codes.py"

HEADER = ["code", "name", "oauth_error", "http_status", "description", "remediation", "redirectable"]
MAX_TEXT = 300

OAUTH_ERRORS = frozenset(
    {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "access_denied",
        "unsupported_response_type",
        "server_error",
        "temporarily_unavailable",
        "interaction_required",
        "login_required",
        "consent_required",
        "invalid_resource",
        "authorization_pending",
        "slow_down",
        "expired_token",
        "authorization_declined",
        "bad_verification_code",
        "invalid_tenant",
        "user_password_expired",
        "unsupported_response",
        "invalid_token",
        "invalid_instance",
    }
)

PLACEHOLDER_NAMES = frozenset(
    {
        "tenant",
        "client_id",
        "parameter",
        "field",
        "grant_type",
        "scope",
        "resource",
        "reason",
        "redirect_uri",
        "user",
        "issued",
        "inactive",
        "lifetime",
        "response_mode",
        "response_type",
        "method",
        "endpoint",
        "issuer",  # federated identity credentials: what the external token says
        "subject",
        "audience",
    }
)

# The server fills these placeholders by name, so each code must carry exactly this set.
EXPECTED_PLACEHOLDERS: dict[int, frozenset[str]] = {
    90002: frozenset({"tenant"}),
    700016: frozenset({"client_id", "tenant"}),
    7000215: frozenset({"client_id"}),
    7000222: frozenset({"client_id"}),
    700025: frozenset(),
    900144: frozenset({"parameter"}),
    90100: frozenset({"parameter"}),
    90014: frozenset({"field"}),
    70003: frozenset({"grant_type"}),
    70011: frozenset({"scope"}),
    28002: frozenset({"scope"}),
    500011: frozenset({"resource", "tenant"}),
    500014: frozenset({"resource"}),
    700027: frozenset({"reason"}),
    500133: frozenset({"reason"}),
    50013: frozenset({"reason"}),
    50011: frozenset({"redirect_uri", "client_id"}),
    50194: frozenset({"client_id"}),
    50020: frozenset({"user", "tenant"}),
    50034: frozenset({"user", "tenant"}),
    65001: frozenset({"client_id"}),
    90094: frozenset(),
    90095: frozenset(),
    700082: frozenset({"issued", "inactive"}),
    700084: frozenset({"lifetime"}),
    70007: frozenset({"response_mode"}),
    70005: frozenset({"response_type"}),
    700022: frozenset(),
    700023: frozenset(),
    7000112: frozenset({"client_id"}),
    900561: frozenset({"method", "endpoint"}),
}

# Errors meaning the client, its redirect URI or its tenant cannot be trusted: never redirected.
NEVER_REDIRECTED = frozenset(
    {50011, 900971, 700016, 90002, 50194, 90130, 70001, 7000112, 700011, 70004, 50059, 9002332, 90124}
)

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _read_rows() -> tuple[list[str], list[dict[str, str]]]:
    lines = CATALOG.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", "catalog.tsv must end with a single newline"
    header, *body = lines[:-1]
    rows = []
    for line_no, line in enumerate(body, start=2):
        fields = line.split("\t")
        assert len(fields) == len(HEADER), f"line {line_no}: {len(fields)} columns"
        rows.append(dict(zip(HEADER, fields, strict=True)))
    return header.split("\t"), rows


HEADER_FIELDS, ROWS = _read_rows()
ROW_IDS = [row["code"] for row in ROWS]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_header_is_exact() -> None:
    assert HEADER_FIELDS == HEADER


def test_codes_are_integers_unique_and_sorted() -> None:
    codes = [int(row["code"]) for row in ROWS]
    assert all(row["code"] == str(code) for row, code in zip(ROWS, codes, strict=True))
    duplicates = [code for code, count in Counter(codes).items() if count > 1]
    assert duplicates == []
    assert codes == sorted(codes)


def _listed(path: Path) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return {int(line.split("\t")[0]) for line in lines if line}


def test_codes_match_reference_list() -> None:
    """The catalogue is the seed's 307 codes plus the ones later features added (listed apart, with why)."""
    reference, extra = _listed(REFERENCE_CODES), _listed(EXTRA_CODES)
    catalog = {int(row["code"]) for row in ROWS}
    assert reference & extra == set(), "a code is in both reference lists"
    assert catalog - reference - extra == set(), "codes in neither tests/data/aadsts-codes*.tsv"
    assert (reference | extra) - catalog == set(), "codes missing from catalog.tsv"


def test_names_are_unique_pascal_case_identifiers() -> None:
    names = [row["name"] for row in ROWS]
    for name in names:
        assert name.isidentifier(), name
        assert not keyword.iskeyword(name), name
        assert name[0].isupper(), name
    assert [name for name, count in Counter(names).items() if count > 1] == []


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_oauth_error_is_allowed(row: dict[str, str]) -> None:
    assert row["oauth_error"] in OAUTH_ERRORS


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_http_status_is_an_error_status(row: dict[str, str]) -> None:
    assert row["http_status"].isdigit()
    assert 400 <= int(row["http_status"]) <= 599


def test_invalid_client_rows_are_401() -> None:
    wrong = [row["code"] for row in ROWS if row["oauth_error"] == "invalid_client" and row["http_status"] != "401"]
    assert wrong == []


def test_5xx_is_reserved_for_server_side_errors() -> None:
    """Microsoft client libraries drop 5xx bodies, so only genuine server failures may use them."""
    server_side = {"server_error", "temporarily_unavailable"}
    wrong = [row["code"] for row in ROWS if int(row["http_status"]) >= 500 and row["oauth_error"] not in server_side]
    assert wrong == []


@pytest.mark.parametrize("column", ["description", "remediation"])
def test_texts_are_short_single_line_and_unquoted(column: str) -> None:
    for row in ROWS:
        text = row[column]
        assert text.strip() == text and text, f"{row['code']}: empty or padded {column}"
        assert len(text) <= MAX_TEXT, f"{row['code']}: {column} is {len(text)} chars"
        assert not set(text) & {"\t", "\r", "\n", '"'}, f"{row['code']}: forbidden character in {column}"


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_description_placeholders_are_known_and_balanced(row: dict[str, str]) -> None:
    description = row["description"]
    assert _placeholders(description) <= PLACEHOLDER_NAMES
    stripped = PLACEHOLDER.sub("", description)
    assert "{" not in stripped
    assert "}" not in stripped


def test_remediation_has_no_placeholders() -> None:
    assert [row["code"] for row in ROWS if "{" in row["remediation"] or "}" in row["remediation"]] == []


@pytest.mark.parametrize("code", sorted(EXPECTED_PLACEHOLDERS))
def test_placeholders_for_codes_the_server_fills(code: int) -> None:
    row = next(row for row in ROWS if int(row["code"]) == code)
    assert _placeholders(row["description"]) == EXPECTED_PLACEHOLDERS[code]


def test_redirectable_is_boolean_text() -> None:
    assert {row["redirectable"] for row in ROWS} <= {"true", "false"}


def test_untrusted_client_errors_are_never_redirected() -> None:
    flags = {int(row["code"]): row["redirectable"] for row in ROWS}
    assert {code: flags[code] for code in NEVER_REDIRECTED} == dict.fromkeys(NEVER_REDIRECTED, "false")


def test_client_authentication_failures_are_never_redirected() -> None:
    redirected = [
        row["code"] for row in ROWS if row["oauth_error"] == "invalid_client" and row["redirectable"] == "true"
    ]
    # 65005 and 650057 are app-registration problems Entra reports as invalid_client at /authorize.
    assert set(redirected) <= {"65005", "650057"}


def test_generated_codes_module_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_codes", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


_HEAD = "\t".join(HEADER)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("1\t\te\t400\td\tr\ttrue", "empty name"),
        ("1\t1Bad\te\t400\td\tr\ttrue", "not a usable Python identifier"),
        ("1\tA\te\t400\td\tr\ttrue\n2\tA\te\t400\td\tr\ttrue", "duplicate name"),
        ("1\tA\te\t400\td\tr\ttrue\n1\tB\te\t400\td\tr\ttrue", "duplicate code"),
        ("1\tA\te\t400\td\tr", "expected 7"),
    ],
    ids=["empty-name", "bad-identifier", "duplicate-name", "duplicate-code", "column-count"],
)
def test_generator_rejects_bad_rows(body: str, message: str) -> None:
    gen = _load_generator()
    with pytest.raises(gen.CatalogError, match=message):
        gen.load_members(f"{_HEAD}\n{body}\n")
