"""``streetbrain linkage link|dedupe`` on sheets with the street's noise and a known truth
(issue 19's CLI): the file formats, the row numbering, one left row per right row, and links
that are right."""

from __future__ import annotations

import csv
import datetime
import io
import random

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from streetbrain.demo.synth.people import Population
from streetbrain.linkage import engine
from streetbrain.linkage.noise import Noise, person_row, population

PEOPLE_HEADERS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "手机号",
    "address": "居住地址",
}
ELDERLY_HEADERS = {  # civil affairs' own spelling of the same columns
    "name": "老人姓名",
    "id_number": "公民身份号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "联系电话",
    "address": "户籍地址",
}


def write_sheet(path, rows, headers, *, xlsx=False):
    keys = list(headers)
    if xlsx:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append([headers[k] for k in keys])
        for r in rows:
            ws.append([r[k] for k in keys])
        wb.save(path)
    else:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([headers[k] for k in keys])
            for r in rows:
                w.writerow([r[k] for k in keys])


@pytest.fixture(scope="module")
def two_sheets(tmp_path_factory):
    """600 people in public security's sheet, 300 in civil affairs' (200 of them shared)."""
    rng = random.Random(5)
    people, homes, pop = population(700, Population(datetime.date(2026, 6, 30)), seed=5)
    left_keys = list(range(600))
    right_keys = list(range(400, 700))
    rng.shuffle(right_keys)
    left = [person_row(people[k], rng, Noise()) for k in left_keys]
    right = [
        person_row(people[k], rng, Noise(), moved_to=rng.choice(homes), new_phone=pop.mobile(rng))
        for k in right_keys
    ]
    truth = {(k + 1, j + 1) for j, k in enumerate(right_keys) if k < 600}
    d = tmp_path_factory.mktemp("sheets")
    write_sheet(d / "left.csv", left, PEOPLE_HEADERS)
    write_sheet(d / "right.xlsx", right, ELDERLY_HEADERS, xlsx=True)
    return d, truth, left, right


def read_csv(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_link_writes_pairs_that_are_right(two_sheets):
    d, truth, _left, right = two_sheets
    out = d / "pairs.csv"
    call_command("linkage", "link", str(d / "left.csv"), str(d / "right.xlsx"), "--out", str(out),
                 stdout=io.StringIO())  # fmt: skip
    rows = read_csv(out)
    assert rows[0] == ["left_row", "right_row", "probability"]
    pairs = [(int(a), int(b), float(p)) for a, b, p in rows[1:]]
    rights = [b for _a, b, _p in pairs]
    assert len(rights) == len(set(rights)), "a right row linked to two left rows"
    assert all(1 <= b <= len(right) and 1 <= a <= 600 for a, b, _p in pairs)
    assert all(engine.DEFAULT_THRESHOLD <= p <= 1 for _a, _b, p in pairs)
    found = {(a, b) for a, b, _p in pairs}
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision >= 0.97 and recall >= 0.95, (precision, recall)


def test_a_higher_threshold_links_fewer(two_sheets):
    d, _truth, _left, _right = two_sheets
    low, high = d / "low.csv", d / "high.csv"
    for out, p in ((low, "0.5"), (high, "0.999999")):
        call_command("linkage", "link", str(d / "left.csv"), str(d / "right.xlsx"),
                     "--out", str(out), "--threshold", p, stdout=io.StringIO())  # fmt: skip
    assert len(read_csv(high)) < len(read_csv(low))


def test_rows_are_numbered_from_the_first_data_row(tmp_path):
    """Exact duplicates of row 2 and row 3 (the header is row 0): the pairs name them."""
    rng = random.Random(3)
    people, _homes, _pop = population(300, Population(datetime.date(2026, 6, 30)), seed=3)
    exact = Noise(0, 0, 0, 0, 0, 0, 0, 0, 0)
    left = [person_row(p, rng, exact) for p in people[:200]]
    right = [left[1], left[2]] + [person_row(p, rng, exact) for p in people[200:]]
    write_sheet(tmp_path / "l.csv", left, PEOPLE_HEADERS)
    write_sheet(tmp_path / "r.csv", right, PEOPLE_HEADERS)
    call_command("linkage", "link", str(tmp_path / "l.csv"), str(tmp_path / "r.csv"),
                 "--out", str(tmp_path / "p.csv"), stdout=io.StringIO())  # fmt: skip
    pairs = {(int(a), int(b)) for a, b, _p in read_csv(tmp_path / "p.csv")[1:]}
    assert pairs == {(2, 1), (3, 2)}


def test_dedupe_clusters_the_rows_of_one_person(tmp_path):
    rng = random.Random(9)
    people, homes, _pop = population(400, Population(datetime.date(2026, 6, 30)), seed=9)
    rows, who = [], []
    for p in people:
        rows.append(person_row(p, rng, Noise()))
        who.append(p.key)
    for k in range(0, 400, 5):  # 80 people written twice
        rows.append(person_row(people[k], rng, Noise(), moved_to=rng.choice(homes)))
        who.append(k)
    write_sheet(tmp_path / "f.xlsx", rows, PEOPLE_HEADERS, xlsx=True)
    call_command("linkage", "dedupe", str(tmp_path / "f.xlsx"), "--out",
                 str(tmp_path / "c.csv"), stdout=io.StringIO())  # fmt: skip
    out = read_csv(tmp_path / "c.csv")
    assert out[0] == ["row", "cluster"]
    cluster = {int(r): int(c) for r, c in out[1:]}
    assert sorted(cluster) == list(range(1, len(rows) + 1))
    right = sum(cluster[400 + i + 1] == cluster[k + 1] for i, k in enumerate(range(0, 400, 5)))
    assert right >= 76, right  # ≥ 95 % of the duplicates found
    sizes: dict[int, int] = {}
    for c in cluster.values():
        sizes[c] = sizes.get(c, 0) + 1
    assert len(sizes) >= 400 - 8  # and few people merged who are not one


def test_enterprises_link_without_their_legal_form(tmp_path):
    from streetbrain.core.identifiers import credit_check_char

    rng = random.Random(2)
    words = (
        "东方 明远 兴宁 华宇 金桥 海曙 江南 天成 恒信 宏达 瑞丰 鼎盛 嘉禾 宝利 新泰 永安".split()
    )
    trades = "商贸 科技 餐饮 物流 电子 服饰 建材 文化 咨询 贸易".split()
    firms = []
    for i in range(160):
        body = f"91330212MA{i:06d}X"[:17]
        code = body + credit_check_char(body)
        name = f"{words[i % 16]}{trades[i // 16]}"
        firms.append((name, code, f"东方家园{i % 30 + 1}幢{i % 3 + 1}单元{100 + i}室"))
    left = [
        {"企业名称": f"宁波{n}有限公司", "统一社会信用代码": c, "经营场所": a} for n, c, a in firms
    ]
    right = []
    for n, c, a in firms[::2]:
        code = c if rng.random() < 0.6 else ""
        right.append({"企业名称": f"{n}（宁波）", "统一社会信用代码": code, "经营场所": a})
    headers = {k: k for k in left[0]}
    write_sheet(tmp_path / "l.csv", left, headers)
    write_sheet(tmp_path / "r.csv", right, headers)
    call_command("linkage", "link", str(tmp_path / "l.csv"), str(tmp_path / "r.csv"),
                 "--out", str(tmp_path / "p.csv"), stdout=io.StringIO())  # fmt: skip
    pairs = {(int(a), int(b)) for a, b, _p in read_csv(tmp_path / "p.csv")[1:]}
    truth = {(2 * j + 1, j + 1) for j in range(len(right))}
    assert len(pairs & truth) >= 0.95 * len(truth) and pairs <= truth


def test_bad_input_is_refused_with_the_reason(tmp_path):
    (tmp_path / "x.csv").write_text("颜色,重量\n红,1\n", encoding="utf-8")
    (tmp_path / "p.csv").write_text("姓名\n王晓明\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no column the linkage compares"):
        call_command("linkage", "dedupe", str(tmp_path / "x.csv"), "--out", str(tmp_path / "o"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("linkage", "dedupe", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o"))
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("linkage", "link", str(tmp_path / "p.csv"), str(tmp_path / "p.csv"),
                     "--out", str(tmp_path / "o"), "--threshold", "2")  # fmt: skip


def test_the_shipped_demo_model_fits_the_engine_and_takes_the_sheets_prior():
    """The demo links with a model trained once and shipped: its comparisons must be the
    engine's (regenerate it after changing them: streetbrain.demo.linkage.write_shipped_model),
    and its prior is set for the sheets it links."""
    from streetbrain.demo.linkage import shipped_model

    model = shipped_model()
    assert model is not None

    def levels(comparisons):
        return [[lv["label_for_charts"] for lv in c["comparison_levels"]] for c in comparisons]

    ours = [c.get_comparison("duckdb").as_dict() for c in engine._people_comparisons()]
    assert [c["output_column_name"] for c in model["comparisons"]] == [
        c["output_column_name"] for c in ours
    ]
    assert levels(model["comparisons"]) == levels(ours)
    small = engine.with_prior(model, 1000, 100)
    large = engine.with_prior(model, 20000, 2000)
    assert small["probability_two_random_records_match"] == pytest.approx(0.9 * 100 / 100_000)
    assert (
        large["probability_two_random_records_match"]
        < small["probability_two_random_records_match"]
    )
    assert small["comparisons"] == model["comparisons"]


def test_a_tiny_first_sheet_trains_without_failing():
    """Two registry enterprises and one sheet row: EM has no pair on some rule; the model is
    still made (those fields keep default m values) and the right pair is found."""
    rows = [("宁波甲乙科技发展有限公司", "91330200MA2AAAAAA1"), ("丙丁商贸有限公司", "")]
    left = [
        engine.normalised_record(
            i, {"enterprise_name": n, "credit_code": c, "address": ""}, engine.ENTERPRISES
        )
        for i, (n, c) in enumerate(rows, 1)
    ]
    right = [
        engine.normalised_record(
            1,
            {"enterprise_name": "甲乙科技发展有限责任公司", "credit_code": "91330200MA2AAAAAA1"},
            engine.ENTERPRISES,
        )
    ]
    model = engine.train([left, right], engine.ENTERPRISES)
    pairs = engine.pairs_from(
        model.linker.inference.predict(threshold_match_probability=0.001), one_per_right=True
    )
    assert [(p.left_row, p.right_row) for p in pairs] == [(1, 1)]


def test_a_name_one_given_character_apart_is_its_own_level_in_the_shipped_model():
    """王建国 / 王建华 at the resident's house with the resident's date of birth, no ID, no phone:
    the shipped model weighs the name as "one given-name character apart" (evidence for) and
    links it; a stranger's name at the same house and birth date is evidence against (new)."""
    from streetbrain.demo.linkage import SHIPPED_PRIOR_SHARE, shipped_model

    def rec(i, name, birth="1961-03-04", phone="", ident=""):
        raw = {"name": name, "id_number": ident, "phone": phone, "birth_date": birth,
               "sex": "男", "address": "海晏北路小区5幢2单元502室"}  # fmt: skip
        return engine.normalised_record(i, raw, engine.PEOPLE)

    registry = [
        rec(1, "王建国", ident="330203196103040017", phone="13805741234"),
        rec(2, "王小红", birth="1988-11-20"),  # the daughter at the same house
    ] + [rec(10 + i, f"李{c}", birth=f"19{50 + i}-01-01") for i, c in enumerate("伟芳娜敏静")]
    model = engine.with_prior(shipped_model(), 20_000, 2_000, share=SHIPPED_PRIOR_SHARE)
    slip = engine.score_one(registry, rec(0, "王建华"), model)
    assert slip is not None and slip.left_row == 1
    assert slip.weights["name"] > 0 and slip.probability >= 0.95, slip.explained()
    stranger = engine.score_one(registry, rec(0, "赵德胜"), model)
    assert stranger is None or (stranger.weights["name"] < 0 and stranger.probability < 0.02)
