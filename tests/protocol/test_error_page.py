"""`/error?code=N`, the AADSTS lookup page every `error_uri` points at, and `tenantry error explain`.

Every code of the reference list (tests/data/aadsts-codes.tsv) must be explained, as JSON for
scripts and as HTML for people; codes we do not know are a 404 in both forms.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantry.cli.main import cli
from tenantry.errors import get_spec

from .conftest import JSON_UTF8, TestClient

REFERENCE_CODES = Path(__file__).resolve().parents[1] / "data" / "aadsts-codes.tsv"
EXTRA_CODES = REFERENCE_CODES.with_name("aadsts-codes-extra.tsv")  # codes added beyond the seed's list
JSON_ACCEPT = {"Accept": "application/json"}
LOOKUP_KEYS = {"code", "name", "error", "description", "remedy"}


def reference_codes(path: Path = REFERENCE_CODES) -> list[int]:
    """The codes of a reference list, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [int(row["code"]) for row in csv.DictReader(handle, delimiter="\t")]


SEED_CODES = reference_codes()
CODES = SEED_CODES + reference_codes(EXTRA_CODES)


def test_reference_list_is_complete() -> None:
    """The seed's reference list has its 307 codes; with the codes added since, none twice."""
    assert len(SEED_CODES) == 307
    assert len(CODES) == len(set(CODES))


@pytest.mark.parametrize("code", CODES)
def test_every_code_is_explained(client: TestClient, code: int) -> None:
    """JSON lookup: 200 with exactly the five keys matching the catalogue; HTML: 200 naming AADSTS{code}."""
    spec = get_spec(code)
    response = client.get(f"/error?code={code}", headers=JSON_ACCEPT)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_UTF8
    document = response.json()
    assert set(document) == LOOKUP_KEYS
    assert (document["code"], document["name"], document["error"]) == (code, spec.name, spec.oauth_error)
    assert document["description"]
    assert document["remedy"]
    page = client.get(f"/error?code={code}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"AADSTS{code}" in page.text


@pytest.mark.parametrize(
    "raw", ["99999", "1", "abc", "", "AADSTS", "-50058", "5005８", "²", "٥٠٠٥٨", "99999999999999", "50058.0"]
)
def test_unknown_code_is_404(client: TestClient, raw: str) -> None:
    """A code that is not in the catalogue, or not a code at all, is a 404 as JSON and as HTML."""
    response = client.get("/error", params={"code": raw}, headers=JSON_ACCEPT)
    assert response.status_code == 404
    assert response.headers["content-type"] == JSON_UTF8
    assert response.json()["error"] == "not_found"
    page = client.get("/error", params={"code": raw})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_prefixed_code_is_accepted(client: TestClient) -> None:
    """`code=AADSTS50058` finds the same entry as `code=50058`, since people paste the prefix."""
    prefixed = client.get("/error?code=AADSTS50058", headers=JSON_ACCEPT).json()
    assert prefixed == client.get("/error?code=50058", headers=JSON_ACCEPT).json()


def test_browser_accept_header_gets_html(client: TestClient) -> None:
    """A browser's Accept (HTML and JSON both listed) gets the page, not JSON."""
    accept = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"
    page = client.get("/error?code=50058", headers={"Accept": accept})
    assert page.headers["content-type"].startswith("text/html")


def test_index_lists_codes(client: TestClient) -> None:
    """`/error` without a code is the index page, linking every code."""
    page = client.get("/error")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for code in (50058, 7000215, 90100):
        assert f"/error?code={code}" in page.text


@pytest.mark.parametrize("code", [50058, 7000215, 900561])
def test_cli_explain_matches_the_page(client: TestClient, code: int) -> None:
    """`tenantry error explain N --json` prints exactly the JSON the page returns."""
    result = CliRunner().invoke(cli, ["error", "explain", str(code), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == client.get(f"/error?code={code}", headers=JSON_ACCEPT).json()


@pytest.mark.parametrize("raw", ["99999", "abc", "²", "5005８"])
def test_cli_explain_unknown_code(raw: str) -> None:
    """`tenantry error explain` of an unknown code or non-ASCII digits exits 2 without a traceback."""
    result = CliRunner().invoke(cli, ["error", "explain", raw, "--json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
