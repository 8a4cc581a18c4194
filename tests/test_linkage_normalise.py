"""Normalisation of Chinese records for the linkage (issue 19): each case is one a department's
sheet really holds, and each assertion a matching decision."""

from __future__ import annotations

import datetime

import pytest

from streetbrain.core.identifiers import id_check_char, is_valid_credit_code, is_valid_id_number
from streetbrain.linkage import normalise as nz
from streetbrain.linkage.noise import homophone, to_15

ID18 = "330204195001011234"  # a valid number (check character computed by GB 11643)


def test_the_sample_id_is_valid():
    assert id_check_char(ID18[:17]) == ID18[17]
    assert is_valid_id_number(ID18)


def test_a_15_digit_number_becomes_its_18_digit_form():
    ident = nz.id_number(to_15(ID18))
    assert ident == nz.IdNumber(ID18, True, converted=True)
    assert ident.birth_date == datetime.date(1950, 1, 1)
    assert ident.sex == "M"  # 17th digit 3: odd


@pytest.mark.parametrize(
    "raw", [ID18, f" {ID18} ", "３３０２０４１９５００１０１１２３４", "3302 0419 5001 0112 34"]
)
def test_id_numbers_are_cleaned(raw):
    assert nz.id_number(raw).value == ID18
    assert nz.id_number(raw).valid


def test_a_lower_case_x_is_the_check_character():
    first17 = "33020419800229002"
    full = first17 + id_check_char(first17)
    assert nz.id_number(full.lower()).value == full.upper()


def test_a_wrong_check_digit_is_kept_but_invalid():
    typo = ID18[:10] + "9" + ID18[11:]
    ident = nz.id_number(typo)
    assert ident.value == typo and not ident.valid
    assert ident.birth_date is None and ident.sex == ""


@pytest.mark.parametrize("raw", ["", None, "无", "33020419501301123X"])
def test_blank_and_impossible_ids(raw):
    ident = nz.id_number(raw)
    assert not ident.valid


def test_credit_codes_are_validated():
    code = "91330212MA2AGDBX7Y"
    body = code[:17]
    from streetbrain.core.identifiers import credit_check_char

    good = body + credit_check_char(body)
    assert is_valid_credit_code(good)
    assert nz.credit_code(good.lower()) == (good, True)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert nz.credit_code(bad) == (bad, False)
    assert nz.credit_code("") == ("", False)


def test_names_and_pinyin():
    assert nz.person_name(" 王 晓明 ") == "王晓明"
    assert nz.person_name("阿依古丽•买买提") == "阿依古丽·买买提"
    assert nz.pinyin("王晓明") == nz.pinyin("王小明") == "wangxiaoming"
    assert nz.pinyin("王晓敏") != nz.pinyin("王晓明")
    assert nz.pinyin("") == ""


def test_homophones_in_the_noise_keep_the_pinyin():
    import random

    rng = random.Random(1)
    for name in ("王晓明", "李丽华", "陈佳怡"):
        other = homophone(name, rng)
        assert other != name and nz.pinyin(other) == nz.pinyin(name)


@pytest.mark.parametrize(
    "text",
    [
        "江城社区东方家园5幢2单元502室",
        "东方家园5-2-502",
        "东方家园5号楼502",
        "东方家园小区5栋502",
        "浙江省宁波市鄞州区福明街道江城社区东方家园五幢二单元502室",
        "东方家园 5 幢 2 单元 502 室",
        "东方家园5-502",
    ],
)
def test_one_house_written_many_ways(text):
    reference = nz.address("江城社区东方家园5幢2单元502室")
    parsed = nz.address(text)
    assert parsed.compound == "东方家园" and parsed.building == "5" and parsed.room == "502"
    assert parsed.same_house(reference)


def test_the_parts_of_an_address():
    a = nz.address("江城社区东方家园5幢2单元502室")
    assert a == nz.Address("江城社区", "东方家园", "5", "2", "502")
    assert a.building_key == "东方家园|5" and a.house_key == "东方家园|5|502"


def test_other_houses_are_not_the_same_house():
    a = nz.address("东方家园5幢2单元502室")
    assert not a.same_house(nz.address("东方家园5幢1单元502室"))  # another unit
    assert not a.same_house(nz.address("东方家园6幢2单元502室"))  # another building
    assert not a.same_house(nz.address("西方家园5幢2单元502室"))  # another compound
    assert not a.same_house(nz.address("东方家园5幢"))  # no room: not a house
    assert nz.address("").house_key == ""


def test_road_numbers_and_bare_text():
    assert nz.address("福明路123号").building_key == "福明路|123"
    assert nz.address("东方家园").compound == "东方家园"
    assert nz.address("东方家园").house_key == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("阿里巴巴集团控股有限公司", "阿里巴巴集团控股"),
        ("宁波市东方商贸有限公司", "东方商贸有限公司"),
        ("东方商贸（宁波）有限公司", "东方商贸有限公司"),
        ("东方商贸股份有限公司", "东方商贸"),
        ("东方商贸有限责任公司", "东方商贸"),
    ],
)
def test_legal_form_and_place_suffixes_are_stripped(a, b):
    assert nz.enterprise_name(a) == nz.enterprise_name(b)


def test_a_branch_is_kept_apart_from_its_head_office():
    head = nz.enterprise_name("东方商贸有限公司")
    branch = nz.enterprise_name("东方商贸有限公司宁波分公司")
    assert branch.core == head.core == "东方商贸"
    assert branch.branch == "宁波分公司" and head.branch == ""
    assert branch != head


def test_a_short_name_keeps_its_place():
    assert nz.enterprise_name("宁波银行股份有限公司").core == "宁波银行"
    assert nz.enterprise_name("北京银行").core != nz.enterprise_name("宁波银行").core


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138-1234-5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("0574-87654321", "057487654321"),
        ("", ""),
    ],
)
def test_phones(raw, expected):
    assert nz.phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["1950-03-07", "1950年3月7日", "1950/03/07", "19500307", datetime.date(1950, 3, 7)]
)
def test_dates(raw):
    assert nz.date_text(raw) == "1950-03-07"


def test_bad_dates_and_sex():
    assert nz.date_text("1950-02-30") == "" and nz.date_text("不详") == ""
    assert nz.sex("男") == "M" and nz.sex("女") == "F" and nz.sex("?") == ""
