"""Checksums of Chinese identifiers.

- 公民身份号码 (GB 11643-1999): 17 digits + ISO 7064 MOD 11-2 check character (0–9, X); the
  birth date is in positions 7–14, an odd 17th digit means male.
- 统一社会信用代码 (GB 32100-2015): 18 characters of 0–9 and A–Y without I, O, Z, S, V; weights
  3^(i−1) mod 31; check = (31 − Σ mod 31) mod 31. Positions 3–8 are the issuing authority's area
  code *at issue time*: never infer an enterprise's location from them.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"\A[0-9]{17}[0-9X]\Z")  # ASCII only: \\d would accept any Unicode digit

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"\A[0-9A-HJ-NP-RTUWXY]{18}\Z")


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-digit ID number, or None."""
    if not ID_RE.match(value):
        return str(_("An ID number has 17 digits and a check digit (0–9 or X)."))
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return str(_("The date of birth in the ID number does not exist."))
    if birth.year < 1800 or birth > datetime.date.today():
        return str(_("The date of birth in the ID number is out of range."))
    if id_check_char(value[:17]) != value[17]:
        return str(_("The check digit of the ID number is wrong."))
    return None


def is_valid_id_number(value: str) -> bool:
    return id_number_problem(value) is None


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_id_number")


def credit_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    if len(value) != 18:
        return str(_("A unified social credit code has 18 characters."))
    if not USCC_RE.match(value):
        return str(
            _("A unified social credit code uses digits and capital letters except I, O, Z, S, V.")
        )
    if credit_check_char(value[:17]) != value[17]:
        return str(_("The check character of the credit code is wrong."))
    return None


def is_valid_credit_code(value: str) -> bool:
    return credit_code_problem(value) is None


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_credit_code")
