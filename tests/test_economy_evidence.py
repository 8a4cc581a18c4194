"""How a move-out warning's evidence reads (``economy.evidence``, ``rules.RULES``): the same
stored warning in Chinese for a zh-hans reader and in English for an English one (page, API,
command line), every value a rule stores labelled and formatted, and evidence that is old,
hand-edited or malformed shown as far as it goes without breaking the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from streetbrain.core.months import month_index
from streetbrain.economy import actions, evidence, rules
from streetbrain.economy.models import MoveOutWarning
from tests.test_economy_models import build_economy

M = dt.date
JUNE = month_index(M(2025, 6, 1))


def fired() -> list[dict]:
    """A finding of every rule (and of each variant of a rule's sentence), from the rules
    themselves, in the site's language as ``evaluate`` raises them."""
    last_year = {month_index(M(2024, i, 1)): 10_000.0 for i in range(1, 7)}
    this_year = {month_index(M(2025, i, 1)): 6_000.0 for i in range(1, 7)}
    leases = [("A1", 300.0, M(2024, 1, 1), M(2025, 10, 31), M(2025, 10, 31), False),
              ("A3", 200.0, M(2024, 1, 1), M(2027, 1, 31), M(2027, 1, 31), False)]  # fmt: skip
    off = {"date": "2025-05-02", "field": "locally_registered", "before": True, "after": False}
    moved = {"date": "2025-04-01", "field": "registered_address", "before": "甲路1号",
             "after": "杭州市西湖区"}  # fmt: skip
    with translation.override("zh-hans"):
        return [
            rules.tax_drop({**last_year, **this_year}, JUNE),
            rules.lease_expiring(leases, JUNE)[0],
            rules.headcount_drop({JUNE: (70, 60), JUNE - 6: (100, 62)}, JUNE),
            rules.headcount_drop({JUNE - 1: (95, 40), JUNE - 7: (100, 80)}, JUNE),
            rules.area_reduced({JUNE: 300.0, JUNE - 6: 400.0, JUNE - 12: 200.0}, JUNE),
            rules.registration([off]),
            rules.registration([moved]),
        ]


# --- every rule and value has its label ----------------------------------------------------------


def test_every_rule_has_a_label_a_sentence_and_labels_for_its_values():
    findings = fired()
    assert {f["rule"] for f in findings} == set(rules.RULES) == set(rules.WEIGHTS)
    assert set(evidence.VALUES) == set(rules.RULES)
    for finding in findings:
        rule, labels = finding["rule"], evidence.VALUES[finding["rule"]]
        assert str(rules.RULES[rule].label) and rules.rule_label(rule) != rule
        unlabelled = set(finding["values"]) - set(labels)
        assert not unlabelled, f"{rule} stores {unlabelled} without a label in evidence.VALUES"
        for key, value in finding["values"].items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                columns = {k for record in value for k in record}
                missing = columns - set(labels[key].columns)
                assert not missing, f"{rule}.{key} has columns {missing} without a label"
        # The sentence from the values is the text stored at raise time.
        with translation.override("zh-hans"):
            assert rules.sentence(finding) == finding["text"]
    # No label is left for a value no rule stores any more.
    stored = {(f["rule"], k) for f in findings for k in f["values"]}
    assert {(r, k) for r, keys in evidence.VALUES.items() for k in keys} == stored


def test_shown_values_are_labelled_and_formatted():
    by_rule: dict[str, dict] = {}
    for finding in fired():
        by_rule.setdefault(finding["rule"], finding)  # the first of each rule's variants
    with translation.override("en"):
        tax = dict(evidence.values_shown("tax_drop", by_rule["tax_drop"]["values"]))
        assert tax["Fires at a fall of more than"] == {"text": "35%"}
        quarters = tax["Quarters compared"]
        assert quarters["columns"] == ["Months", "Tax", "Same months a year earlier", "Change"]
        assert quarters["rows"][0] == ["2025-01–2025-03", "CNY 18,000", "CNY 30,000", "−40%"]
        lease = dict(evidence.values_shown("lease_expiring", by_rule["lease_expiring"]["values"]))
        assert lease["Share of the space it holds"] == {"text": "60%"}
        assert lease["Area of these leases"] == {"text": "300 m²"}
        assert lease["Looking ahead"] == {"text": "6 months"}
        assert lease["Leases ending"]["rows"] == [["A1", "300 m²", "2025-10-31"]]
        heads = dict(evidence.values_shown("headcount_drop", by_rule["headcount_drop"]["values"]))
        assert heads["Measure"] == {"text": "headcount"}
        assert heads["Change"] == {"text": "−30%"}
        assert heads["Month of the latest count"] == {"text": "2025-06"}
        registration = dict(
            evidence.values_shown("registration", by_rule["registration"]["values"])
        )
        assert registration["Changes recorded"]["rows"] == [
            ["2025-05-02", "local tax registration (属地注册)", "Yes", "No"]
        ]
    with translation.override("zh-hans"):
        heads = evidence.values_shown("headcount_drop", by_rule["headcount_drop"]["values"])
        assert {"text": "从业人数"} in [shown for _label, shown in heads]
        registration = evidence.values_shown("registration", by_rule["registration"]["values"])
        assert registration[0][1]["rows"][0][1:] == ["属地注册", "是", "否"]


# --- the same warning in two languages -----------------------------------------------------------


@pytest.fixture
def warned(tree, make_user):
    world = build_economy(tree)
    world["user"] = make_user("fm-bld", role="building", unit=tree["street"])
    with translation.override("zh-hans"):  # as the nightly task raises it
        world["warning"] = actions.raise_warning(
            world["enterprises"]["soft"], risk_score=80, evidence=fired()[:3],
            building=world["east_tower"],
        )  # fmt: skip
    return world


def detail(client, world, language: str) -> str:
    client.force_login(world["user"])
    url = reverse("economy:moveoutwarning_detail", args=[world["warning"].pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_same_warning_reads_in_the_readers_language(client, warned):
    stored = warned["warning"].evidence[0]["text"]
    assert stored == "近两个季度税收同比分别下降 40% 和 40%。"
    zh, en = detail(client, warned, "zh-hans"), detail(client, warned, "en")
    assert stored in zh and "从业人数半年内由 100 人降至 70 人（-30%）。" in zh
    assert stored not in en
    assert "Tax fell by 40 % and 40 % in the last two quarters" in en
    assert "Headcount fell from 100 to 70 (-30 %) in six months." in en
    assert "1 lease(s) (300 m², 60 % of its space) end by 2025-10-31" in en
    # Labels instead of the rules' and values' keys.
    for body in (zh, en):
        assert ">tax_drop<" not in body and "<dt>quarters</dt>" not in body
        assert "<th>last_year</th>" not in body and "<dt>first_end</dt>" not in body
    assert "Tax falling" in en and "<th>Same months a year earlier</th>" in en
    assert "<td>CNY 18,000</td>" in en and "<td>−40%</td>" in en
    assert "<dd>从业人数</dd>" in zh and "<dd>headcount</dd>" in en


def test_the_api_gives_labels_and_sentences_in_the_requests_language(api_client, warned):
    api_client.force_authenticate(warned["user"])
    url = f"/api/economy/warnings/{warned['warning'].pk}/"
    en = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["evidence"]
    zh = api_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["evidence"]
    assert [e["rule"] for e in en] == ["tax_drop", "lease_expiring", "headcount_drop"]
    assert en[0]["rule_label"] == "Tax falling"
    assert en[0]["text"].startswith("Tax fell by 40 %")
    assert zh[0]["text"] == "近两个季度税收同比分别下降 40% 和 40%。"
    # The raw values stay for machines.
    assert en[0]["values"] == zh[0]["values"] == warned["warning"].evidence[0]["values"]


def test_the_dry_run_prints_each_finding(monkeypatch, capsys):
    finding = rules.Finding(1, "91330212MA2XXXXXX1", "甲软件", None, 80.0, fired()[:1])
    monkeypatch.setattr(rules, "evaluate", lambda month: [finding])
    with translation.override("en"):
        call_command("economy", "warnings", "--month", "2025-06", "--dry-run")
    out = capsys.readouterr().out
    assert "91330212MA2XXXXXX1  80.0 tax_drop" in out
    assert "    Tax falling: Tax fell by 40 % and 40 %" in out


# --- old, hand-edited and malformed evidence ------------------------------------------------------

MALFORMED = [
    {
        "rule": "tax_drop",
        "text": "旧的文字",
        "values": {},
    },  # the values the sentence needs are gone
    {"rule": "tax_drop", "text": "旧的文字", "values": {"quarters": "x", "threshold": "高"}},
    {"rule": "lease_expiring", "text": "旧的文字", "values": {"leases": [1, 2], "share": None}},
    {"rule": "headcount_drop", "text": "旧的文字", "values": {"measure": "robots", "now": "多"}},
    {"rule": "area_reduced", "text": "旧的文字", "values": [1, 2, 3]},
    {"rule": "registration", "text": "旧的文字", "values": {"changes": [{"date": None}]}},
    {"rule": "lease_expiry", "text": "旧的文字", "values": {"months": 5, "x": {"y": [1.5]}}},
    {"rule": 7, "values": {"area_m2": "很多"}},
    {"text": None},
    "税收下降",
    None,
]


def test_sentences_fall_back_to_the_stored_text():
    for item in MALFORMED[:7]:
        assert rules.sentence(item) == "旧的文字"
    assert rules.sentence(MALFORMED[7]) == rules.sentence(MALFORMED[8]) == ""
    assert rules.sentence("税收下降") == ""
    assert rules.rule_label("lease_expiry") == "lease_expiry" and rules.rule_label(None) == ""


@pytest.mark.parametrize(
    "stored",
    [MALFORMED, {"rule": "tax_drop"}, "税收下降", 42, [], [[{"rule": "tax_drop"}]]],
    ids=["items", "dict", "string", "number", "empty", "nested"],
)
def test_malformed_evidence_does_not_break_the_page(client, warned, stored):
    MoveOutWarning.objects.filter(pk=warned["warning"].pk).update(evidence=stored)
    body = detail(client, warned, "en")
    if stored is MALFORMED:
        assert body.count("旧的文字") == 7
        assert "<dt>x</dt>" in body  # an unknown value by its key
    shown = evidence.findings(stored)
    assert isinstance(shown, list)
    assert isinstance(evidence.api_items(stored), list)
