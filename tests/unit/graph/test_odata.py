"""Graph's OData query options: what parses to what, what is refused and why, and paging that never skips."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tenantry.graph.odata import (
    MAX_FILTER_DEPTH,
    And,
    Compare,
    FieldSpec,
    FieldType,
    In,
    Node,
    Not,
    ODataError,
    ODataQuery,
    Or,
    OrderBy,
    StartsWith,
    apply_query,
    apply_select,
    encode_skiptoken,
    matches,
    paginate,
    parse_filter,
    parse_query,
    render,
)

FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(FieldType.GUID, sortable=True),
    "appId": FieldSpec(FieldType.GUID),
    "displayName": FieldSpec(FieldType.STRING, sortable=True),
    "signInAudience": FieldSpec(FieldType.STRING),
    "identifierUris": FieldSpec(FieldType.STRING_COLLECTION),
    "tags": FieldSpec(FieldType.STRING_COLLECTION),
    "isFallbackPublicClient": FieldSpec(FieldType.BOOL),
    "api/requestedAccessTokenVersion": FieldSpec(FieldType.INT),
    "web/redirectUris": FieldSpec(FieldType.STRING_COLLECTION),
    "createdDateTime": FieldSpec(FieldType.DATETIME, sortable=True),
    "notes": FieldSpec(FieldType.STRING, filterable=False),
}
BASE = "https://graph.test/v1.0/applications"
ID1, ID2, ID3 = (f"00000000-0000-0000-0000-00000000000{n}" for n in (1, 2, 3))
APP1, APP2, APP3 = (f"aaaaaaaa-0000-0000-0000-00000000000{n}" for n in (1, 2, 3))
APPS: list[dict[str, Any]] = [
    {
        "id": ID1,
        "appId": APP1,
        "displayName": "Contoso Portal",
        "signInAudience": "AzureADMyOrg",
        "identifierUris": ["api://contoso"],
        "tags": [],
        "isFallbackPublicClient": False,
        "api": {"requestedAccessTokenVersion": 2},
        "web": {"redirectUris": ["https://contoso.example/cb"]},
        "createdDateTime": "2024-01-02T03:04:05.1234567Z",
        "notes": "internal",
    },
    {
        "id": ID2,
        "appId": APP2,
        "displayName": "Fabrikam CLI",
        "signInAudience": "AzureADMultipleOrgs",
        "identifierUris": [],
        "isFallbackPublicClient": True,
        "api": {"requestedAccessTokenVersion": None},
        "web": {"redirectUris": []},
        "createdDateTime": "2023-06-01T00:00:00Z",
    },
    {
        "id": ID3,
        "appId": APP3,
        "displayName": None,
        "signInAudience": "AzureADMyOrg",
        "identifierUris": ["api://o'brien", "https://tailspin.example"],
        "isFallbackPublicClient": False,
        "api": None,
        "web": {"redirectUris": ["http://localhost"]},
        "createdDateTime": "2025-01-01T00:00:00+01:00",
    },
]


def _c(field: str, value: Any, op: str = "eq") -> Compare:
    return Compare(field, "eq" if op == "eq" else "ne", value)


VALID_FILTERS: list[tuple[str, Node, set[str]]] = [
    ("displayName eq 'contoso portal'", _c("displayName", "contoso portal"), {ID1}),
    ("DisplayName EQ 'Contoso Portal'", _c("displayName", "Contoso Portal"), {ID1}),
    ("displayName ne 'Contoso Portal'", _c("displayName", "Contoso Portal", "ne"), {ID2, ID3}),
    ("displayName eq null", _c("displayName", None), {ID3}),
    ("startswith(displayName,'fab')", StartsWith("displayName", "fab"), {ID2}),
    ("STARTSWITH( displayName , 'CONT' )", StartsWith("displayName", "CONT"), {ID1}),
    (f"appId in ('{APP1}', '{APP3.upper()}')", In("appId", (APP1, APP3.upper())), {ID1, ID3}),
    ("identifierUris eq 'API://O''BRIEN'", _c("identifierUris", "API://O'BRIEN"), {ID3}),
    ("identifierUris ne 'api://contoso'", _c("identifierUris", "api://contoso", "ne"), {ID2, ID3}),
    ("startswith(web/redirectUris, 'http://')", StartsWith("web/redirectUris", "http://"), {ID3}),
    ("api/requestedAccessTokenVersion eq 2", _c("api/requestedAccessTokenVersion", 2), {ID1}),
    ("api/requestedAccessTokenVersion eq null", _c("api/requestedAccessTokenVersion", None), {ID2, ID3}),
    ("isFallbackPublicClient eq TRUE", _c("isFallbackPublicClient", True), {ID2}),
    ("tags eq null", _c("tags", None), {ID2, ID3}),
    ("not not displayName eq null", Not(Not(_c("displayName", None))), {ID3}),
    (
        "not(isFallbackPublicClient eq true) and signInAudience eq 'AzureADMyOrg'",
        And(Not(_c("isFallbackPublicClient", True)), _c("signInAudience", "AzureADMyOrg")),
        {ID1, ID3},
    ),
    (
        "signInAudience eq 'AzureADMultipleOrgs' or displayName eq null and isFallbackPublicClient eq false",
        Or(
            _c("signInAudience", "AzureADMultipleOrgs"),
            And(_c("displayName", None), _c("isFallbackPublicClient", False)),
        ),
        {ID2, ID3},
    ),
    (
        "(signInAudience eq 'x' or displayName eq null) and isFallbackPublicClient eq false",
        And(Or(_c("signInAudience", "x"), _c("displayName", None)), _c("isFallbackPublicClient", False)),
        {ID3},
    ),
    (
        "id ne null and id ne null and displayName ne null",
        And(And(_c("id", None, "ne"), _c("id", None, "ne")), _c("displayName", None, "ne")),
        {ID1, ID2},
    ),
    (
        "createdDateTime eq 2024-01-02T03:04:05.123456Z",
        _c("createdDateTime", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        {ID1},
    ),
    (
        "createdDateTime in (2024-12-31T23:00:00Z, 2023-06-01T02:00:00+02:00)",
        In("createdDateTime", (datetime(2024, 12, 31, 23, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC))),
        {ID2, ID3},
    ),
]


@pytest.mark.parametrize(("text", "ast", "matching"), VALID_FILTERS, ids=[case[0] for case in VALID_FILTERS])
def test_valid_filter_parses_and_selects(text: str, ast: Node, matching: set[str]) -> None:
    """Keywords and property names are case-insensitive; the AST carries canonical names; evaluation as Graph."""
    parsed = parse_query({"$filter": text}, allowed_fields=FIELDS).filter
    assert parsed == ast
    assert {app["id"] for app in APPS if matches(ast, app)} == matching
    assert parse_filter(render(ast), FIELDS) == ast


GUID = "1b4f2c3d-0000-4000-8000-000000000000"
INVALID_QUERIES: list[tuple[dict[str, str], str]] = [
    ({"$filter": "foo eq 'x'"}, "Invalid filter clause: unknown property 'foo' at position 0."),
    ({"$filter": "notes eq 'x'"}, "property 'notes' does not support filtering at position 0"),
    ({"$filter": "displayName eq true"}, "property 'displayName' is string and cannot be compared with true"),
    ({"$filter": f"appId eq {GUID}"}, f"GUID {GUID} must be quoted as '{GUID}' at position 9"),
    ({"$filter": "appId eq 'not-a-guid'"}, "property 'appId' is guid and cannot be compared with 'not-a-guid'"),
    ({"$filter": "isFallbackPublicClient eq 'true'"}, "is bool and cannot be compared with 'true'"),
    ({"$filter": "api/requestedAccessTokenVersion eq '2'"}, "is int and cannot be compared with '2'"),
    ({"$filter": "createdDateTime eq '2020-01-01T00:00:00Z'"}, "is datetime and cannot be compared with"),
    ({"$filter": "createdDateTime eq 2020-02-30T00:00:00Z"}, "invalid date/time '2020-02-30T00:00:00Z'"),
    ({"$filter": "api/requestedAccessTokenVersion eq 99999999999999999999"}, "integer 99999999999999999999 out"),
    ({"$filter": "displayName gt 'a'"}, "operator 'gt' is not supported (use eq, ne, in or startswith) at position 12"),
    ({"$filter": "displayName like 'a'"}, "expected an operator after 'displayName' but found 'like'"),
    ({"$filter": "web/redirectUris/any(x:x eq 'a')"}, "lambda operator 'any' is not supported at position 17"),
    ({"$filter": "all(x: true)"}, "lambda operator 'all' is not supported at position 0"),
    ({"$filter": "endswith(displayName,'x')"}, "function 'endswith' is not supported (only startswith)"),
    ({"$filter": "startswith(isFallbackPublicClient,'t')"}, "startswith needs a string property and a string"),
    ({"$filter": "startswith(displayName, null)"}, "startswith needs a string property and a string, not 'null'"),
    ({"$filter": "displayName eq 'open"}, "unterminated string literal at position 15"),
    ({"$filter": "displayName eq"}, "expected a literal value but found end of expression at position 14"),
    ({"$filter": "(displayName eq 'a'"}, "expected ')' but found end of expression"),
    ({"$filter": "displayName eq 'a')"}, "unexpected ')' at position 18"),
    ({"$filter": "displayName eq 'a' and"}, "expected a property name or 'startswith(' but found end of expression"),
    ({"$filter": "'a' eq displayName"}, "expected a property name or 'startswith(' but found \"'a'\""),
    ({"$filter": "displayName eq 'a' && true"}, "unexpected character '&' at position 19"),
    ({"$filter": "appId in ()"}, "expected a literal value but found ')'"),
    ({"$filter": "a/b/c/d eq 1"}, "property paths may have at most two '/'"),
    ({"$filter": "(" * 40 + "displayName eq 'a'" + ")" * 40}, f"nested more than {MAX_FILTER_DEPTH} levels deep"),
    ({"$filter": "not " * 40 + "displayName eq 'a'"}, "nested more than 32 levels deep"),
    ({"$filter": "displayName eq '" + "x" * 2040 + "'"}, "Query option '$filter' is longer than 2048 characters."),
    ({"$filter": "  "}, "Invalid filter clause: the expression is empty."),
    ({"$select": "displayName,foo"}, "Invalid $select: unknown property 'foo'."),
    ({"$select": "displayName,"}, "Invalid $select: empty property name."),
    ({"$select": "web/redirectUris"}, "Invalid $select: unknown property 'web/redirectUris'."),
    ({"$top": "0"}, "Invalid $top value '0': must be an integer from 1 to 999."),
    ({"$top": "1000"}, "Invalid $top value '1000'"),
    ({"$top": "-1"}, "Invalid $top value '-1'"),
    ({"$top": "1.5"}, "Invalid $top value '1.5'"),
    ({"$top": "٣"}, "Invalid $top value"),
    ({"$count": "yes"}, "Invalid $count value 'yes': must be true or false."),
    ({"$orderby": "displayName,id"}, "Invalid $orderby 'displayName,id': expected one property"),
    ({"$orderby": "displayName sideways"}, "Invalid $orderby direction 'sideways'"),
    ({"$orderby": "foo"}, "Invalid $orderby: unknown property 'foo'."),
    ({"$orderby": "appId"}, "Invalid $orderby: property 'appId' does not support sorting."),
    ({"$search": '"displayName:contoso"'}, "Query option '$search' is not supported."),
    ({"$skip": "10"}, "Query option '$skip' is not supported; follow @odata.nextLink"),
    ({"$expand": "owners"}, "Query option '$expand' is not supported."),
    ({"$format": "json"}, "Query option '$format' is not supported."),
    ({"$top": "1", "$TOP": "2"}, "Query option '$top' was specified more than once."),
    ({"$skiptoken": "garbage"}, "Invalid $skiptoken: it is malformed, was altered"),
]


@pytest.mark.parametrize(("params", "message"), INVALID_QUERIES, ids=[str(case[0])[:60] for case in INVALID_QUERIES])
def test_invalid_query_is_refused_with_a_message_naming_the_problem(params: dict[str, str], message: str) -> None:
    """Each refusal names the option and, inside `$filter`, the 0-based position of the offending token."""
    with pytest.raises(ODataError) as caught:
        parse_query(params, allowed_fields=FIELDS)
    assert message in caught.value.message
    assert str(caught.value) == caught.value.message


def test_defaults_and_case_insensitive_option_names() -> None:
    """Graph reads option names case-insensitively, needs the `$`, and leaves other parameters to the route."""
    assert parse_query({}, allowed_fields=FIELDS) == ODataQuery(top=100)
    assert parse_query({"top": "nonsense", "api-version": "1"}, allowed_fields=FIELDS, default_top=7).top == 7
    query = parse_query(
        {
            "$TOP": "5",
            "$Count": "TRUE",
            "$SELECT": "DISPLAYNAME, appid,displayName",
            "$OrderBy": "CreatedDateTime DESC",
        },
        allowed_fields=FIELDS,
    )
    assert query == ODataQuery(
        select=("displayName", "appId"),
        top=5,
        count=True,
        orderby=OrderBy("createdDateTime", descending=True, kind=FieldType.DATETIME),
    )
    assert parse_query({"$top": "20"}, allowed_fields=FIELDS, max_top=20).top == 20


def test_select_keeps_id_and_null_properties() -> None:
    """Graph always returns `id`, and a selected property even when its value is null."""
    assert parse_query({"$select": "id"}, allowed_fields={"displayName": FIELDS["displayName"]}).select == ("id",)
    assert apply_select(APPS[2], ("displayName", "web")) == {
        "id": ID3,
        "displayName": None,
        "web": {"redirectUris": ["http://localhost"]},
    }
    assert apply_select(APPS[1], None) == APPS[1]


@pytest.mark.parametrize(
    ("orderby", "expected"),
    [
        ("displayName", [ID3, ID1, ID2]),
        ("displayName desc", [ID2, ID1, ID3]),
        ("createdDateTime asc", [ID2, ID1, ID3]),
        ("createdDateTime desc", [ID3, ID1, ID2]),
    ],
)
def test_orderby_sorts_nulls_first_strings_case_insensitively_and_dates_as_instants(
    orderby: str, expected: list[str]
) -> None:
    """Date/times with 7-digit fractions or offsets sort by instant, not as text."""
    query = parse_query({"$orderby": orderby}, allowed_fields=FIELDS)
    assert [app["id"] for app in apply_query(APPS, query)] == expected


@pytest.mark.parametrize(
    ("ast", "text"),
    [
        (And(Or(_c("id", None), _c("appId", None)), _c("tags", "x")), "(id eq null or appId eq null) and tags eq 'x'"),
        (Or(_c("id", None), Or(_c("appId", None), _c("tags", "x"))), "id eq null or (appId eq null or tags eq 'x')"),
        (
            And(_c("id", None), And(_c("appId", None), _c("tags", "x"))),
            "id eq null and (appId eq null and tags eq 'x')",
        ),
        (Or(And(_c("id", None), _c("appId", None)), _c("tags", "x")), "id eq null and appId eq null or tags eq 'x'"),
        (Not(StartsWith("displayName", "o'b")), "not (startswith(displayName, 'o''b'))"),
        (In("createdDateTime", (datetime(2020, 1, 1, tzinfo=UTC),)), "createdDateTime in (2020-01-01T00:00:00Z)"),
        (_c("api/requestedAccessTokenVersion", -3, "ne"), "api/requestedAccessTokenVersion ne -3"),
    ],
)
def test_render_is_canonical_and_minimally_parenthesised(ast: Node, text: str) -> None:
    """Parentheses appear only where precedence or left-associativity needs them, so logs stay readable."""
    assert render(ast) == text
    assert parse_filter(text, FIELDS) == ast


# --- properties ------------------------------------------------------------------------------------------------

_FILTER_WORDS = [
    "displayName", "appId", "tags", "web/redirectUris", "api/requestedAccessTokenVersion", "createdDateTime",
    "eq", "ne", "in", "and", "or", "not", "startswith", "any", "gt", "null", "true", "FALSE", "(", ")", ",", "/",
    "'a'", "''", "'it''s'", "'", "42", "-7", GUID, f"'{GUID}'", "2024-01-01T00:00:00Z", "x:", "$", "foo",
]  # fmt: skip


def _never_raises_other_than_odata_error(params: dict[str, str]) -> None:
    try:
        query = parse_query(params, allowed_fields=FIELDS)
    except ODataError:
        return
    paginate(apply_query(APPS, query), query, base_url=BASE)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.lists(st.sampled_from(_FILTER_WORDS), max_size=30).map(" ".join))
def test_random_filter_text_only_ever_raises_odata_error(text: str) -> None:
    """Whatever a client sends as `$filter`, the outcome is a query or an ODataError, never a crash."""
    _never_raises_other_than_odata_error({"$filter": text})


_OPTION_NAMES = st.sampled_from(["$filter", "$select", "$top", "$count", "$orderby", "$skiptoken", "$SKIP", "x"])


@settings(deadline=None)
@given(st.dictionaries(_OPTION_NAMES | st.text(max_size=10), st.text(max_size=60), max_size=6))
def test_random_parameters_only_ever_raise_odata_error(params: dict[str, str]) -> None:
    """The same holds for every option together, including unknown names and garbage skiptokens."""
    _never_raises_other_than_odata_error(params)


def _literals(kind: FieldType) -> st.SearchStrategy[Any]:
    by_kind: dict[FieldType, st.SearchStrategy[Any]] = {
        FieldType.STRING: st.text(max_size=8),
        FieldType.STRING_COLLECTION: st.text(max_size=8),
        FieldType.GUID: st.uuids().map(str),
        FieldType.BOOL: st.booleans(),
        FieldType.INT: st.integers(-(2**63) + 1, 2**63 - 1),
        FieldType.DATETIME: st.datetimes(timezones=st.just(UTC)),
    }
    return st.none() | by_kind[kind]


def _leaves(path: str) -> st.SearchStrategy[Node]:
    kind = FIELDS[path].kind
    options: list[st.SearchStrategy[Node]] = [
        st.builds(Compare, st.just(path), st.sampled_from(["eq", "ne"]), _literals(kind)),
        st.builds(In, st.just(path), st.lists(_literals(kind), min_size=1, max_size=3).map(tuple)),
    ]
    if kind in {FieldType.STRING, FieldType.STRING_COLLECTION}:
        options.append(st.builds(StartsWith, st.just(path), st.text(max_size=8)))
    return st.one_of(options)


_FILTERABLE = sorted(path for path, spec in FIELDS.items() if spec.filterable)
ASTS: st.SearchStrategy[Node] = st.recursive(
    st.sampled_from(_FILTERABLE).flatmap(_leaves),
    lambda children: st.builds(Not, children) | st.builds(And, children, children) | st.builds(Or, children, children),
    max_leaves=8,
)


def _height(node: Node) -> int:
    if isinstance(node, Not):
        return 1 + _height(node.operand)
    if isinstance(node, And | Or):
        return 1 + max(_height(node.left), _height(node.right))
    return 1


@settings(deadline=None)
@given(ASTS)
def test_rendered_ast_parses_back_to_itself(ast: Node) -> None:
    """`render` is the inverse of parsing, which next links and skiptoken tags rely on."""
    assume(_height(ast) <= MAX_FILTER_DEPTH // 2 - 2)
    text = render(ast)
    reparsed = parse_filter(text, FIELDS)
    assert reparsed == ast
    assert render(reparsed) == text
    assert [matches(reparsed, app) for app in APPS] == [matches(ast, app) for app in APPS]


def _record(index: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{index:012d}",
        "displayName": None if index % 7 == 0 else f"App {index % 5}",  # duplicates: order must be stable
        "tags": ["even"] if index % 2 == 0 else [],
        "createdDateTime": f"2024-01-{index % 28 + 1:02d}T00:00:00+01:00",
    }


def _params_of(link: str) -> dict[str, str]:
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == BASE
    return dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True))


@settings(deadline=None)
@given(
    size=st.integers(0, 45),
    top=st.integers(1, 12),
    orderby=st.sampled_from([None, "displayName", "displayName desc", "createdDateTime desc"]),
    filtered=st.booleans(),
    count=st.booleans(),
)
def test_following_next_links_visits_every_item_exactly_once(
    size: int, top: int, orderby: str | None, filtered: bool, count: bool
) -> None:
    """Each next link carries the same options plus a skiptoken; walking them yields the full result in order."""
    records = [_record(index) for index in range(size)]
    params = {"$top": str(top), "$count": str(count).lower(), "$select": "displayName"}
    if orderby is not None:
        params["$orderby"] = orderby
    if filtered:
        params["$filter"] = (
            "not(displayName eq 'App 3') and (tags eq 'even' or createdDateTime ne 2024-01-05T00:00:00Z)"
        )
    first = parse_query(params, allowed_fields=FIELDS)
    expected = [record["id"] for record in apply_query(records, first)]
    seen: list[str] = []
    for _ in range(size + 2):
        query = parse_query(params, allowed_fields=FIELDS)
        page = paginate(apply_query(records, query), query, base_url=BASE)
        assert page.count == (len(expected) if count else None)
        assert len(page.items) <= top
        seen.extend(record["id"] for record in page.items)
        if page.next_link is None:
            break
        params = _params_of(page.next_link)
    assert seen == expected


def test_next_link_shape() -> None:
    """Options are repeated in canonical form and URL-encoded; an existing query string is extended with `&`."""
    query = parse_query({"$filter": "displayName eq 'a b'", "$top": "1"}, allowed_fields=FIELDS)
    page = paginate(APPS, query, base_url=BASE)
    token = encode_skiptoken(1, query)
    assert page.next_link == f"{BASE}?$filter=displayName%20eq%20'a%20b'&$top=1&$skiptoken={token}"
    options = page.next_link.split("?", 1)[1]
    assert paginate(APPS, query, base_url=BASE + "?x=1").next_link == f"{BASE}?x=1&{options}"
    assert paginate(APPS[:1], query, base_url=BASE).next_link is None


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@given(offset=st.integers(0, 2**32 - 1), data=st.data())
def test_altered_skiptoken_is_refused(offset: int, data: st.DataObject) -> None:
    """Any single-character change to a token we issued is detected by its tag."""
    query = parse_query({"$top": "3"}, allowed_fields=FIELDS)
    token = encode_skiptoken(offset, query)
    assert paginate(list(range(5)), ODataQuery(top=3, skiptoken=token), base_url=BASE).items == tuple(
        range(5)[offset : offset + 3]
    )
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from(_ALPHABET).filter(lambda char: char != token[position]))
    altered = token[:position] + replacement + token[position + 1 :]
    with pytest.raises(ODataError, match="Invalid \\$skiptoken"):
        parse_query({"$top": "3", "$skiptoken": altered}, allowed_fields=FIELDS)


@pytest.mark.parametrize(
    "mutate",
    [lambda t: "", lambda t: t[:-1], lambda t: t + "A", lambda t: t + "==", lambda t: t[:-1] + "=", lambda t: "é" * 16],
)
def test_garbage_skiptoken_is_refused(mutate: Any) -> None:
    """Truncated, extended, padded or non-base64url tokens are refused before any paging happens."""
    query = ODataQuery()
    with pytest.raises(ODataError, match="Invalid \\$skiptoken"):
        parse_query({"$skiptoken": mutate(encode_skiptoken(5, query))}, allowed_fields=FIELDS)


def test_skiptoken_is_bound_to_filter_and_order_but_not_to_top_or_select() -> None:
    """A token from one query means nothing in another, so reusing it with a new filter or order is refused."""
    asc = parse_query({"$orderby": "displayName", "$filter": "tags eq 'x'"}, allowed_fields=FIELDS)
    token = encode_skiptoken(2, asc)
    same = {"$orderby": "displayname asc", "$filter": "TAGS EQ 'x'", "$skiptoken": token, "$top": "9"}
    assert parse_query({**same, "$select": "id"}, allowed_fields=FIELDS).skiptoken == token
    for changed in (
        {"$orderby": "displayName desc"},
        {"$filter": "tags eq 'y'"},
        {"$filter": "tags eq 'x' or tags eq 'x'"},
    ):
        with pytest.raises(ODataError, match="belongs to a different"):
            parse_query({**same, **changed}, allowed_fields=FIELDS)
