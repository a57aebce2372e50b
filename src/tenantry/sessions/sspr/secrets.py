"""SSPR's secrets, never stored in clear: e-mail one-time codes and security-question answers are kept as
HMAC-SHA256 under keys derived from the master key (an offline guess needs the key), compared in constant
time. Answers are normalised first (Unicode NFKC, case-folded, inner spaces collapsed) so that "Paris" and
" paris " are the same answer, as a person expects.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata

from tenantry.common.master_key import MasterKey

CODE_PURPOSE = "sspr e-mail one-time code"
ANSWER_PURPOSE = "sspr security question answer"
COUNTER_PURPOSE = "sspr attempt counter"
CODE_DIGITS = 8
MIN_ANSWER = 3
MAX_ANSWER = 40
MAX_QUESTION = 200

# Tenantry's predefined questions (Entra has 35 localised ones; custom ones are ≤ 200 characters).
PREDEFINED_QUESTIONS = (
    "In what city did you meet your first partner?",
    "What was the name of your first pet?",
    "What is the name of the street you grew up on?",
    "What was the make of your first car?",
    "In what city was your first job?",
    "What was your childhood nickname?",
    "What is the first name of your oldest cousin?",
    "What was the name of your primary school?",
    "What was the first concert you attended?",
    "In what town did your parents meet?",
)


def new_code() -> str:
    """Eight random digits (Entra mails 6 to 8): 10^8 values against at most a few tries per code."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_mac(key: MasterKey, handle_hash: bytes, code: str) -> bytes:
    """The stored form of a code, bound to its reset (a code from another reset never matches)."""
    return key.mac(CODE_PURPOSE, handle_hash + code.encode())


def is_code(key: MasterKey, handle_hash: bytes, stored: bytes | None, typed: str) -> bool:
    """Constant-time comparison of a typed code (spaces ignored) with the stored MAC."""
    typed = "".join(typed.split())
    if stored is None or len(typed) != CODE_DIGITS or not typed.isdigit():
        return False
    return hmac.compare_digest(stored, code_mac(key, handle_hash, typed))


def normalise_answer(answer: str) -> str:
    """NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", answer).casefold().split())


def answer_mac(key: MasterKey, user_id: str, question: str, answer: str) -> bytes:
    """The stored form of an answer, bound to the user and the question."""
    message = f"{user_id}\x00{question}\x00{normalise_answer(answer)}".encode()
    return key.mac(ANSWER_PURPOSE, message)


def is_answer(key: MasterKey, user_id: str, question: str, stored: bytes | None, typed: str) -> bool:
    """Constant-time check of one answer."""
    if stored is None:
        return False
    return hmac.compare_digest(stored, answer_mac(key, user_id, question, typed))


def counter_key(key: MasterKey, name: str) -> bytes:
    """A counter's key: a MAC of `user:…` or `ip:…`, so the table holds no user name or address."""
    return key.mac(COUNTER_PURPOSE, name.encode())


def question_order(question: str) -> tuple[int, str]:
    """Predefined questions in their list's order, then custom ones by text."""
    position = PREDEFINED_QUESTIONS.index(question) if question in PREDEFINED_QUESTIONS else len(PREDEFINED_QUESTIONS)
    return position, question


def decoy_questions(key: MasterKey, upn: str, count: int, registered: int) -> tuple[str, ...]:
    """The questions shown for a name that has none registered: `count` of the first `registered`
    predefined ones (what the security info page registers), chosen by a MAC of the name so that they are
    the same at every visit, as a real user's are, and shown in the list's order."""
    pool = list(PREDEFINED_QUESTIONS[: max(registered, count)])
    ranked = sorted(pool, key=lambda q: key.mac(COUNTER_PURPOSE, f"decoy:{upn.casefold()}:{q}".encode()))
    return tuple(sorted(ranked[:count], key=question_order))
