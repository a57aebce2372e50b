"""New-password checks (entra-reference §5.2, §5.4) and expiry, table-driven; hypothesis for "never crashes"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenantry.directory.models import PasswordPolicy, Tenant, User
from tenantry.errors import Aadsts, AadstsError
from tenantry.passwords.banned import normalise
from tenantry.passwords.policy import (
    NewPasswordContext,
    PasswordRejectedError,
    check_new_password,
    context_for,
    generate_password,
    is_password_expired,
    must_change_password,
)

WEAK = Aadsts.PasswordChangeInvalidNewPasswordWeak
NAME = Aadsts.PasswordChangeInvalidNewPasswordContainsMemberName
BANNED = Aadsts.PasswordChangePasswordDoesnotComplyFuzzyPolicy
NOW = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)

# §5.4's worked example: "contoso" and "blank" are banned terms.
CONTOSO = NewPasswordContext(user_names=(), tenant_names=(), banned_terms=("contoso", "blank"))
ALICE = NewPasswordContext(
    user_names=("Alice", "Smith", "Alice Smith", "alice.smith"),
    tenant_names=("Fabrikam", "fabrikam", "example", "com"),
    banned_terms=("northwind",),
)
LAX = NewPasswordContext(user_names=("Alice",), tenant_names=(), banned_terms=(), strong_required=False)


@pytest.mark.parametrize(
    ("password", "context", "code"),
    [
        # §5.4 examples: normalised, each term 1 point, each remaining character 1 point, 5 to pass.
        ("C0ntos0Blank12", CONTOSO, BANNED),  # contoso + blank + l + 2 = 4
        ("ContoS0Bl@nkf9!", CONTOSO, None),  # contoso + blank + f + 9 + ! = 5
        # Fuzzy: one substitution, deletion or (inner) insertion still matches the term.
        ("Kontoso-Blank1", CONTOSO, BANNED),  # kontoso ≈ contoso
        ("Contso!Blnk1", CONTOSO, BANNED),  # deletions: contso + ! + blnk + l = 4
        ("Contoxso!Blank", CONTOSO, BANNED),  # inner insertion
        ("C0nt0s0Bl@nk9!", CONTOSO, BANNED),  # contoso + blank + 9 + ! = 4
        ("C0nt0s0Bl@nk9!x", CONTOSO, None),  # one more character: 5 points
        # The global list (passwords/banned_terms.txt).
        ("P@ssw0rd2024", CONTOSO, BANNED),
        ("Password123!", CONTOSO, BANNED),
        ("Summer2024!", CONTOSO, BANNED),
        ("Welcome1!", CONTOSO, BANNED),
        ("Qwerty!2345", CONTOSO, BANNED),
        ("xWwvJ]6NMw+bWH-d", CONTOSO, None),  # Graph's own example password
        ("Correct-Horse-Battery-9", CONTOSO, None),
        # Too weak (120002): length, classes, characters.
        ("Sh0rt!", CONTOSO, WEAK),
        ("alllowercase12", CONTOSO, WEAK),
        ("NoDigitsOrSymbols", CONTOSO, WEAK),
        ("Ünïcödé-Pass-99", CONTOSO, WEAK),
        ("Aa1!" * 64 + "x", CONTOSO, WEAK),  # 257 characters
        ("", CONTOSO, WEAK),
        # The user's names (120003): case-insensitive substrings, normalised, 4 characters or more.
        ("@lice-Rocks-99", ALICE, NAME),  # @→a
        ("xSMITHx-2031!", ALICE, NAME),
        ("Bob-Jones-2031!", ALICE, None),
        ("Ali-Smi-2031!x", ALICE, None),  # fragments shorter than the names
        # The tenant's names and custom terms count as banned terms.
        ("Fabrikam2031!", ALICE, BANNED),
        ("N0rthw1nd-2!", ALICE, BANNED),
        ("Fabrikam-Tea-Party!9", ALICE, None),  # fabrikam + 11 characters
        # DisableStrongPassword: only the length; names and banned terms still apply.
        ("alllowercase", LAX, None),
        ("short", LAX, WEAK),
        ("alicewonder", LAX, NAME),
        ("password12", LAX, BANNED),
    ],
)
def test_new_password_answers(password: str, context: NewPasswordContext, code: int | None) -> None:
    """Each row: the AADSTS code Entra answers, or None when the password is accepted."""
    if code is None:
        check_new_password(password, context)
        return
    with pytest.raises(PasswordRejectedError) as caught:
        check_new_password(password, context)
    assert caught.value.code == code
    assert isinstance(caught.value, AadstsError)
    assert caught.value.hint and caught.value.user_message
    assert not password or password not in str(caught.value) + (caught.value.debug or "")


@pytest.mark.parametrize(
    ("text", "normalised"),
    [("P@$$w0rd1", "passwordl"), ("ÄBC", "äbc"), ("C0ntos0Blank12", "contosoblankl2")],
)
def test_normalisation(text: str, normalised: str) -> None:
    """Lower case, then 0→o 1→l $→s @→a."""
    assert normalise(text) == normalised


@settings(max_examples=300, deadline=None)
@given(
    password=st.text(max_size=300),
    names=st.lists(st.text(max_size=20), max_size=4),
    terms=st.lists(st.text(max_size=20), max_size=4),
    strong=st.booleans(),
)
def test_never_crashes(password: str, names: list[str], terms: list[str], strong: bool) -> None:
    """Any text, any context: accepted or a `PasswordRejectedError` with one of the three codes."""
    context = NewPasswordContext(tuple(names), tuple(names), tuple(terms), strong)
    try:
        check_new_password(password, context)
    except PasswordRejectedError as exc:
        assert exc.code in {WEAK, NAME, BANNED}


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=12, max_value=64))
def test_generated_passwords_pass(length: int) -> None:
    """A generated temporary password meets the policy."""
    check_new_password(generate_password(length), ALICE)


def _user(**changes: object) -> User:
    base = User(
        "u1",
        "t1",
        "alice.smith@fabrikam.example.com",
        "Alice Smith",
        NOW - timedelta(days=400),
        given_name="Alice",
        surname="Smith",
    )
    return User(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})


def test_context_for_collects_names_labels_terms_and_the_strong_flag() -> None:
    """Names split into words, domain labels, the tenant's terms; DisableStrongPassword turns the rules off."""
    tenant = Tenant("t1", "Fabrikam Ltd", ("fabrikam.example.com",), NOW)
    user = _user(password_policies="DisablePasswordExpiration, DisableStrongPassword")
    context = context_for(user, tenant, PasswordPolicy("t1", 90, ("northwind",)))
    assert {"Alice", "Smith", "Alice Smith", "alice.smith", "alice", "smith"} <= set(context.user_names)
    assert {"Fabrikam Ltd", "Fabrikam", "fabrikam", "example", "com"} <= set(context.tenant_names)
    assert context.banned_terms == ("northwind",)
    assert context.strong_required is False
    assert context_for(_user(), tenant, PasswordPolicy("t1")).strong_required is True


NEVER = PasswordPolicy("t1", None)
DAYS_90 = PasswordPolicy("t1", 90)


@pytest.mark.parametrize(
    ("user", "policy", "expired", "must_change"),
    [
        (_user(password_changed_at=NOW - timedelta(days=1000)), NEVER, False, False),  # Entra's default
        (_user(password_changed_at=NOW - timedelta(days=89)), DAYS_90, False, False),
        (_user(password_changed_at=NOW - timedelta(days=90)), DAYS_90, True, True),  # exactly at the end
        (_user(), DAYS_90, True, True),  # never changed: counted from creation (400 days ago)
        (_user(created_at=NOW - timedelta(days=10)), DAYS_90, False, False),
        (_user(password_policies="DisablePasswordExpiration"), DAYS_90, False, False),
        (_user(password_policies="DisableStrongPassword, DisablePasswordExpiration"), DAYS_90, False, False),
        (_user(password_expires_at=NOW - timedelta(seconds=1)), NEVER, True, True),  # the user's own expiry
        (_user(password_changed_at=NOW, force_change_password_next_sign_in=True), DAYS_90, False, True),
    ],
)
def test_expiry(user: User, policy: PasswordPolicy, expired: bool, must_change: bool) -> None:
    """validity_days after the last change (or creation); never without a validity or with the user's flag."""
    assert is_password_expired(user, policy, NOW) is expired
    assert must_change_password(user, policy, NOW) is must_change
