"""GB 11643 ID numbers and GB 32100 credit codes: every published vector, and the checksum
guarantees as properties. (tests/data/id_checksum_test_vectors.csv: each row names its public
source; company names there are unverified labels, so only checksums are asserted.)"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from streetbrain.core.identifiers import (
    USCC_ALPHABET,
    credit_check_char,
    id_check_char,
    id_number_problem,
    is_valid_credit_code,
    is_valid_id_number,
    validate_credit_code,
    validate_id_number,
)

VECTORS = list(
    csv.DictReader(
        (Path(__file__).parent / "data" / "id_checksum_test_vectors.csv").open(encoding="utf-8")
    )
)


@pytest.mark.parametrize("row", VECTORS, ids=[r["code"] for r in VECTORS])
def test_every_published_vector(row):
    check = is_valid_id_number if row["scheme"] == "RIC" else is_valid_credit_code
    assert check(row["code"]) is (row["expected_valid"] == "true")


def test_vectors_cover_both_schemes_and_both_outcomes():
    kinds = {(r["scheme"], r["expected_valid"]) for r in VECTORS}
    assert kinds == {("RIC", "true"), ("RIC", "false"), ("USCC", "true"), ("USCC", "false")}


def test_the_standards_own_misprinted_example_is_rejected():
    assert not is_valid_credit_code("91350100M000100Y4Z")
    assert credit_check_char("91350100M000100Y4") == "3"


births = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2025, 12, 31))


@st.composite
def id_numbers(draw):
    area = draw(st.from_regex(r"\A[1-6][0-9]{5}\Z"))
    seq = draw(st.from_regex(r"\A[0-9]{3}\Z"))
    first17 = area + draw(births).strftime("%Y%m%d") + seq
    return first17 + id_check_char(first17)


@given(id_numbers())
def test_generated_id_numbers_are_valid(value):
    assert id_number_problem(value) is None
    validate_id_number(value)


@given(id_numbers(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_error_is_caught(value, pos, delta):
    """ISO 7064 MOD 11-2 detects every single-digit substitution."""
    wrong = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1 :]
    if (
        wrong[6:14] != value[6:14]
        and id_number_problem(wrong)
        and "date" in id_number_problem(wrong)
    ):
        return  # the birth date became impossible: rejected for that reason instead
    assert not is_valid_id_number(wrong)


@given(id_numbers(), st.integers(0, 15))
def test_adjacent_transpositions_are_caught(value, pos):
    a, b = value[pos], value[pos + 1]
    if a == b:
        return
    swapped = value[:pos] + b + a + value[pos + 2 :]
    assert not is_valid_id_number(swapped)


@st.composite
def credit_codes(draw):
    first17 = draw(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
    return first17 + credit_check_char(first17)


@given(credit_codes())
def test_generated_credit_codes_are_valid(value):
    validate_credit_code(value)


@given(credit_codes(), st.integers(0, 17), st.integers(1, 30))
def test_any_single_character_error_in_a_credit_code_is_caught(value, pos, delta):
    wrong_char = USCC_ALPHABET[(USCC_ALPHABET.index(value[pos]) + delta) % 31]
    wrong = value[:pos] + wrong_char + value[pos + 1 :]
    assert not is_valid_credit_code(wrong)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "123",
        "11010519491231002",
        "11010519491331002X",
        "1101051949123100２X",
        "abcdefghijklmnopqr",
    ],
)
def test_malformed_id_numbers_get_a_reason(bad):
    with pytest.raises(ValidationError):
        validate_id_number(bad)


@pytest.mark.parametrize(
    "bad", ["", "9111000060003IOZSV", "91110000600037341", "9111000060003734I1"]
)
def test_malformed_credit_codes_get_a_reason(bad):
    with pytest.raises(ValidationError):
        validate_credit_code(bad)


@pytest.mark.parametrize(
    "value", ["1᥇0000200001010000", "11010519491231002X".replace("1", "１", 1)]
)
def test_non_ascii_digits_are_refused(value):
    """Python's \\d matches any Unicode digit, and int() converts them: found by Hypothesis."""
    assert not is_valid_id_number(value)
