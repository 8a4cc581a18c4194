"""AI企服: rules with reasons (met / failed / unknown), the 划型 size class, the reference
policies' import with versions, the stored matching, notices through their stages with the
grants per building and year, the API, the pages, and the enterprise's own page whose
request becomes a routed case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from streetbrain.economy.models import HeadcountRecord, Lease, TaxRecord
from streetbrain.services import actions, policyio, profile, requests, rules
from streetbrain.services.models import (
    Clause,
    EnterpriseFacts,
    EnterpriseRequest,
    Match,
    Notice,
    NoticeEvent,
    Policy,
    Source,
    Verdict,
)

from .test_economy_models import build_economy

pytestmark = pytest.mark.django_db

DEMO_POLICY = """
- id: DEMO-HIRE
  title: 示例：楼宇企业稳岗奖励
  issuer: 福明街道（示例）
  clauses:
    - clause: 稳岗奖励
      benefit: {kind: cash_award, per_field: headcount, per_unit_cny: 1000, cap_cny: 30000}
      conditions:
        - {field: headcount, op: ">=", value: 10}
        - {field: in_tower, op: "==", value: true}
        - {field: industry_gbt4754, op: in, value: [I, "72"]}
      application: {path: auto}
    - clause: 营收奖励
      benefit: {kind: cash_award, rate: 0.01, base_field: annual_revenue_cny, cap_cny: 100000}
      conditions:
        - {field: annual_revenue_cny, op: ">=", value: 1000000}
      application: {path: 申报}
"""


# -- rules ---------------------------------------------------------------------------------------


def test_a_condition_is_met_failed_or_unknown_with_the_value_and_the_rule():
    conds = [
        {"field": "headcount", "op": ">=", "value": 10},
        {"field": "annual_revenue_cny", "op": "<", "value": 5000000},
    ]
    status, reasons = rules.evaluate(conds, {"headcount": 12, "annual_revenue_cny": None})
    assert status == rules.UNKNOWN
    assert reasons[0] == {
        "field": "headcount",
        "op": ">=",
        "value": 10,
        "actual": 12,
        "status": "met",
    }
    assert reasons[1]["status"] == "unknown" and reasons[1]["why"] == "no_value"
    status, reasons = rules.evaluate(conds, {"headcount": 3, "annual_revenue_cny": None})
    assert status == rules.FAILED  # one failed condition decides, whatever is unknown
    assert reasons[0]["actual"] == 3 and reasons[0]["status"] == "failed"


def test_any_of_industry_prefixes_and_words_that_are_not_thresholds():
    cond = [
        {
            "any_of": [
                [{"field": "is_small_micro", "op": "==", "value": True}],
                [{"field": "industry_gbt4754", "op": "in", "value": ["I", "7241"]}],
            ]
        }
    ]
    assert (
        rules.evaluate(
            cond, {"is_small_micro": False, "industry_gbt4754": "7241", "industry_section": "L"}
        )[0]
        == rules.MET
    )
    assert (
        rules.evaluate(
            cond, {"is_small_micro": False, "industry_gbt4754": "5181", "industry_section": "F"}
        )[0]
        == rules.FAILED
    )
    # "K7010 房地产开发经营 (…)": the first word is the prefix
    ne = [{"field": "industry_gbt4754", "op": "!=", "value": "K7010 房地产开发经营 (地产项目)"}]
    assert rules.evaluate(ne, {"industry_gbt4754": "7010", "industry_section": "K"})[0] == "failed"
    words = [{"field": "layoff_rate", "op": "<=", "value": "上年度失业率控制目标"}]
    status, reasons = rules.evaluate(words, {"layoff_rate": 0.01})
    assert status == rules.UNKNOWN and reasons[0]["why"] == "not_comparable"


def test_a_malformed_rule_is_refused_at_import_and_nothing_is_stored():
    bad = (
        "- id: X\n  title: t\n  clauses:\n    - clause: c\n"
        "      benefit: {amount_cny: 1}\n"
        "      conditions: [{field: headcount, op: '=~', value: 1}]\n"
    )
    with translation.override("en"), pytest.raises(ValidationError) as info:
        actions.import_policy_file(bad, "x.yaml")
    assert "Unknown operator" in str(info.value)
    assert not Policy.objects.exists()
    with pytest.raises(ValidationError):
        actions.import_policy_file("{not: [valid", "x.yaml")


def test_benefit_estimates():
    assert rules.estimate({"amount_cny": 200000}, {}) == Decimal("200000.00")
    b = {"rate": 0.01, "base_field": "annual_revenue_cny", "cap_cny": 100000}
    assert rules.estimate(b, {"annual_revenue_cny": 3_000_000}) == Decimal("30000.00")
    assert rules.estimate(b, {"annual_revenue_cny": 30_000_000}) == Decimal("100000.00")
    assert rules.estimate(b, {}) is None
    # 高新 15 % against 25 % on 1,000,000 taxable income
    hnte = {"kind": "tax_rate", "rate": 0.15, "standard_rate": 0.25}
    assert rules.estimate(hnte, {"annual_taxable_income_cny": 1_000_000}) == Decimal("100000.00")


def test_size_class_follows_the_official_rule():
    std = profile.size_standard()
    soft = {"industry_gbt4754": "6513", "industry_section": "I"}
    assert rules.size_class(std, {**soft, "headcount": 5, "annual_revenue_cny": None}) == "micro"
    assert rules.size_class(std, {**soft, "headcount": 50, "annual_revenue_cny": None}) is None
    assert rules.size_class(std, {**soft, "headcount": 50, "annual_revenue_cny": 5e6}) == "small"
    assert rules.size_class(std, {**soft, "headcount": 150, "annual_revenue_cny": 5e7}) == "medium"
    assert rules.size_class(std, {**soft, "headcount": 400, "annual_revenue_cny": 2e8}) == "large"
    retail = {"industry_gbt4754": "5211", "industry_section": "F"}
    assert rules.size_class(std, {**retail, "headcount": 60, "annual_revenue_cny": 6e6}) == "medium"


# -- the world -----------------------------------------------------------------------------------


@pytest.fixture
def svc(tree, make_user, departments):
    world = build_economy(tree)
    ents = world["enterprises"]
    today = dt.date.today()
    last = dt.date(today.year, today.month, 1)
    lease = Lease.objects.create(
        contract_number="L-1",
        enterprise=ents["soft"],
        building=world["east_tower"],
        area_m2=Decimal("200"),
        start_date=today - dt.timedelta(days=400),
        end_date=today + dt.timedelta(days=400),
    )
    lease.units.set([world["units"]["e201"]])
    for i in range(1, 14):
        month = (last.replace(day=1) - dt.timedelta(days=31 * i)).replace(day=1)
        HeadcountRecord.objects.create(
            enterprise=ents["soft"], month=month, headcount=20, insured=18
        )
        HeadcountRecord.objects.create(
            enterprise=ents["trade"], month=month, headcount=4, insured=4
        )
        TaxRecord.objects.create(
            enterprise=ents["soft"],
            month=month,
            total_tax=Decimal("10000"),
            local_tax=Decimal("4000"),
        )
    EnterpriseFacts.objects.create(enterprise=ents["soft"], annual_revenue_cny=Decimal("3000000"))
    actions.import_policy_file(DEMO_POLICY, "demo.yaml", Source.DEMO)
    from streetbrain.core.models import Department

    Department.objects.create(code="jfb", name="经发办", kind="economy", org_unit=tree["street"])
    requests.ensure_classes()
    world["users"] = {
        "services": make_user("qf", role="services", unit=tree["street"]),
        "east": make_user("qf-east", role="services", unit=tree["east"]),
        "river": make_user("qf-river", role="services", unit=tree["river"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),
        "enterprise": make_user("ent", role="enterprise", unit=tree["street"]),
    }
    actions.link_account(world["users"]["enterprise"], ents["soft"].credit_code)
    return world


def verdict(world, key, clause_key):
    return Match.objects.get(enterprise=world["enterprises"][key], clause__key=clause_key)


def test_matching_stores_verdicts_reasons_and_amounts(svc):
    info = actions.recompute_matches()
    assert info["enterprises"] == 3 and info["clauses"] == 2 and info["matches"] == 6
    soft = verdict(svc, "soft", "稳岗奖励")
    assert soft.verdict == Verdict.AUTO and soft.amount == Decimal("20000.00")
    assert [r["actual"] for r in soft.reasons] == [20, True, "6513"]
    trade = verdict(svc, "trade", "稳岗奖励")
    assert trade.verdict == Verdict.INELIGIBLE
    failed = {r["field"]: r["actual"] for r in trade.reasons if r["status"] == "failed"}
    assert failed == {"headcount": 4, "in_tower": False, "industry_gbt4754": "5181"}
    assert verdict(svc, "soft", "营收奖励").verdict == Verdict.APPLY
    assert verdict(svc, "soft", "营收奖励").amount == Decimal("30000.00")
    unknown = verdict(svc, "trade", "营收奖励")
    assert unknown.verdict == Verdict.UNKNOWN and unknown.reasons[0]["why"] == "no_value"
    # idempotent: a second run replaces, it does not add
    actions.recompute_matches()
    assert Match.objects.count() == 6


def test_a_large_matching_run_renews_the_tables_statistics_on_postgresql(svc, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(actions, "ANALYZE_AFTER", 6)  # as if the 6 rows were 50,000
    with CaptureQueriesContext(connection) as queries:
        info = actions.recompute_matches()
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzed == (['ANALYZE "services_match"'] if connection.vendor == "postgresql" else [])
    assert info["matches"] == Match.objects.count() == 6
    monkeypatch.setattr(actions, "ANALYZE_AFTER", 7)  # a smaller run: not worth it
    with CaptureQueriesContext(connection) as queries:
        actions.recompute_matches()
    assert not [q for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]


def test_a_changed_clause_is_a_new_version_and_the_old_results_stay(svc):
    actions.recompute_matches()
    old = Clause.objects.get(key="稳岗奖励")
    counts = actions.import_policy_file(
        DEMO_POLICY.replace("value: 10}", "value: 30}"), "d.yaml", Source.DEMO
    )
    assert counts["clauses_versioned"] == 1 and counts["unchanged"] == 1
    new = Clause.objects.get(key="稳岗奖励", current=True)
    assert new.version == 2 and not Clause.objects.get(pk=old.pk).current
    actions.recompute_matches()
    assert Match.objects.get(clause=old, enterprise=svc["enterprises"]["soft"]).verdict == "auto"
    assert (
        Match.objects.get(clause=new, enterprise=svc["enterprises"]["soft"]).verdict == "ineligible"
    )


def test_reference_policies_load_with_their_sources():
    counts = actions.load_reference_policies()
    assert counts["policies"] == 11
    hnte = Policy.objects.get(key="CN-CIT-HNTE")
    assert hnte.source == Source.REFERENCE and hnte.sources[0]["url"].startswith("https://")
    assert Clause.objects.filter(current=True).count() >= 20
    wen = Clause.objects.get(policy__key="CN-EMP-2024-40")
    assert wen.path == "auto"  # 无感智办
    assert policyio.path_of({"path": None}) == "consult"


def test_notice_stages_with_events_and_grants_per_building(svc):
    actions.recompute_matches()
    clause = Clause.objects.get(key="稳岗奖励")
    officer = svc["users"]["services"]
    sent = actions.send_notices(clause, officer, message="请查收")
    assert [n.enterprise for n in sent] == [svc["enterprises"]["soft"]]
    assert actions.send_notices(clause, officer) == []  # not twice
    notice = sent[0]
    ent_user = svc["users"]["enterprise"]
    with pytest.raises(PermissionDenied):
        actions.advance_notice(notice, "grant", ent_user, amount=1)
    actions.advance_notice(notice, "read", ent_user)
    with pytest.raises(ValidationError):
        actions.advance_notice(notice, "read", officer)
    with pytest.raises(ValidationError):
        actions.advance_notice(notice, "grant", officer)  # no amount
    actions.advance_notice(notice, "grant", officer, amount="20000")
    notice.refresh_from_db()
    assert notice.state == "granted" and notice.building == svc["east_tower"]
    steps = list(NoticeEvent.objects.filter(notice=notice).values_list("from_state", "to_state"))
    assert steps == [("", "delivered"), ("delivered", "read"), ("read", "granted")]
    grants = actions.grants_by_building_year(officer)
    assert (
        grants[0]["total"] == Decimal("20000") and grants[0]["building_id"] == svc["east_tower"].pk
    )
    # the 东城 officer sees the grant of its enterprise; a 江城 officer does not
    assert actions.grants_by_building_year(svc["users"]["east"])[0]["total"] == Decimal("20000")
    river = svc["users"]["river"]
    assert actions.grants_by_building_year(river) == []
    other = svc["users"]["leader"]
    with pytest.raises(PermissionDenied):
        actions.advance_notice(notice, "refuse", other)


def test_api_policies_matches_and_notices_scoped(svc, client):
    actions.recompute_matches()
    actions.send_notices(Clause.objects.get(key="稳岗奖励"), svc["users"]["services"])
    client.force_login(svc["users"]["services"])
    data = client.get("/api/services/policies/").json()
    assert data["count"] == 1 and len(data["results"][0]["clauses"]) == 2
    soft = svc["enterprises"]["soft"]
    data = client.get(f"/api/services/matches/?enterprise={soft.pk}").json()
    assert data["count"] == 2
    assert {r["verdict"] for r in data["results"]} == {"auto", "apply"}
    assert all("reasons" in r and "amount" in r for r in data["results"])
    assert client.get("/api/services/notices/").json()["count"] == 1
    assert client.get("/api/services/matches/?enterprise=abc").status_code == 400
    # scope: the 东城 officer does not see the 江城 enterprise's matches
    client.force_login(svc["users"]["east"])
    trade = svc["enterprises"]["trade"]
    assert client.get(f"/api/services/matches/?enterprise={trade.pk}").json()["count"] == 0
    # an enterprise account reads no one's matches through the staff API
    client.force_login(svc["users"]["enterprise"])
    assert client.get("/api/services/matches/").status_code == 403


def test_pages_for_the_officer(svc, client):
    client.force_login(svc["users"]["services"])
    client.post(reverse("services:recompute"))
    assert Match.objects.count() == 6  # the task ran (eager in the tests)
    page = client.get(reverse("services:index"))
    assert page.status_code == 200 and "稳岗奖励" in page.content.decode()
    clause = Clause.objects.get(key="稳岗奖励")
    html = client.get(reverse("services:clause_detail", args=[clause.pk])).content.decode()
    assert "甲软件" in html and "乙贸易" in html and "5181" in html
    client.post(reverse("services:clause_send", args=[clause.pk]), {"message": "好政策"})
    notice = Notice.objects.get()
    csv = client.get(reverse("services:clause_export", args=[clause.pk, "csv"]))
    assert csv.status_code == 200 and soft_code(svc) in csv.content.decode("utf-8-sig")
    policy = clause.policy
    assert (
        "稳岗奖励"
        in client.get(reverse("services:policy_detail", args=[policy.pk])).content.decode()
    )
    assert client.get(reverse("services:notice_list")).status_code == 200
    detail = client.get(reverse("services:notice_detail", args=[notice.pk])).content.decode()
    assert 'data-step="read"' in detail and 'data-step="grant"' not in detail
    r = client.post(reverse("services:notice_step", args=[notice.pk, "grant"]), {"amount": "-5"})
    notice.refresh_from_db()
    assert notice.state == "delivered"
    client.get(reverse("economy:enterprise_detail", args=[svc["enterprises"]["soft"].pk]))
    html = client.get(
        reverse("economy:enterprise_detail", args=[svc["enterprises"]["soft"].pk])
    ).content.decode()
    assert 'id="services-panel"' in html
    assert r.status_code == 302
    # the follow-up per staff member and policy counts the notice under its sender
    html = client.get(reverse("services:index")).content.decode()
    follow = html[html.index('id="follow-up"') :]
    assert "qf" in follow and "示例：楼宇企业稳岗奖励" in follow


def soft_code(world) -> str:
    return world["enterprises"]["soft"].credit_code


def test_policy_import_page(svc, client, django_capture_on_commit_callbacks):
    client.force_login(svc["users"]["services"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("p.yaml", b"- id: X\n  clauses: []\n")
    r = client.post(reverse("services:policy_import"), {"file": bad})
    assert r.status_code == 400 and Policy.objects.count() == 1
    good = SimpleUploadedFile("p.yaml", DEMO_POLICY.replace("DEMO-HIRE", "DEMO-2").encode())
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("services:policy_import"), {"file": good})
    assert r.status_code == 302 and Policy.objects.count() == 2
    # the import started the matching: the new policy's clauses have their verdicts
    assert Match.objects.filter(clause__policy__key="DEMO-2").count() == 6
    client.force_login(svc["users"]["leader"])
    assert client.get(reverse("services:policy_import")).status_code == 403


def test_enterprise_page_reads_notices_and_raises_a_routed_case(svc, client):
    actions.recompute_matches()
    actions.send_notices(Clause.objects.get(key="稳岗奖励"), svc["users"]["services"])
    client.force_login(svc["users"]["enterprise"])
    html = client.get(reverse("services:me")).content.decode()
    assert "稳岗奖励" in html and "甲软件" in html and "乙贸易" not in html
    assert Notice.objects.get().state == "read"
    r = client.post(reverse("services:me"), {"kind": "90002", "text": "希望续租时协调租金"})
    assert r.status_code == 302
    req = EnterpriseRequest.objects.get()
    assert req.case.component_class.code == "90002"
    assert req.case.suggested_department.code == "jfb"
    html = client.get(reverse("services:me")).content.decode()
    assert req.case.number in html and f'data-case-state="{req.case.state}"' in html
    r = client.post(reverse("services:me"), {"kind": "90002", "text": ""})
    assert r.status_code == 400 and EnterpriseRequest.objects.count() == 1
    # staff users have no enterprise page; enterprise accounts no staff pages
    assert client.get(reverse("services:index")).status_code == 403
    client.force_login(svc["users"]["services"])
    assert client.get(reverse("services:me")).status_code == 403


def test_enterprise_facts_import_all_or_nothing_and_used_by_the_matching(svc):
    from streetbrain.core import dataio
    from streetbrain.services.dataio_specs import SPECS

    assert dataio.all_specs()["enterprise-facts"] is SPECS["enterprise-facts"]  # the CLI's
    officer = svc["users"]["services"]
    trade = svc["enterprises"]["trade"]
    bad = (
        "统一社会信用代码,营业收入（元）,高新技术企业\r\n"
        f"{trade.credit_code},2000000,是\r\n"
        f"{trade.credit_code[:-1]}X,abc,也许\r\n"
    ).encode("utf-8-sig")
    report = dataio.run_import(SPECS["enterprise-facts"], bad, officer, dry_run=False)
    assert report.errors and not EnterpriseFacts.objects.filter(enterprise=trade).exists()
    good = f"统一社会信用代码,营业收入（元）\r\n{trade.credit_code},2000000\r\n".encode()
    report = dataio.run_import(SPECS["enterprise-facts"], good, officer, dry_run=False)
    assert not report.errors
    actions.recompute_matches()
    assert verdict(svc, "trade", "营收奖励").verdict == Verdict.APPLY
    assert verdict(svc, "trade", "营收奖励").amount == Decimal("20000.00")


def test_menu_search_and_cockpit_through_the_extension_points(svc, client):
    actions.load_reference_policies()
    actions.recompute_matches()
    actions.send_notices(Clause.objects.get(key="稳岗奖励"), svc["users"]["services"])
    client.force_login(svc["users"]["services"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("services:index") in home and reverse("services:me") not in home
    found = client.get(reverse("search"), {"q": "高新技术企业"}).content.decode()
    assert (
        reverse("services:policy_detail", args=[Policy.objects.get(key="CN-CIT-HNTE").pk]) in found
    )
    cockpit = client.get(reverse("cockpit:index")).content.decode()
    assert 'id="h-services"' in cockpit
    client.force_login(svc["users"]["enterprise"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("services:me") in home and 'href="/services/"' not in home


def _xlsx(rows) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_HEADER = [
    "政策编号",
    "政策名称",
    "发文机关",
    "生效日期",
    "条款",
    "扶持内容",
    "条件",
    "兑现路径",
]


def test_excel_policy_import_one_row_per_clause(svc):
    rows = [
        XLSX_HEADER,
        [
            "XL-1",
            "表格政策",
            "福明街道",
            dt.date(2026, 1, 1),
            "开办补助",
            "{amount_cny: 10000}",
            '[{field: in_tower, op: "==", value: true}]',
            "免申即享",
        ],
        [
            "XL-1",
            "",
            "",
            None,
            "人才补助",
            "{amount_cny: 5000}",
            '[{field: headcount, op: ">=", value: 15}]',
            "申报",
        ],
    ]
    counts = actions.import_policy_file(_xlsx(rows), "p.xlsx")
    assert counts == {"policies": 1, "clauses_new": 2, "clauses_versioned": 0, "unchanged": 0}
    policy = Policy.objects.get(key="XL-1")
    assert policy.effective_from == dt.date(2026, 1, 1) and policy.source == Source.IMPORT
    assert sorted(policy.clauses.values_list("path", flat=True)) == ["apply", "auto"]
    actions.recompute_matches()
    assert verdict(svc, "soft", "人才补助").verdict == Verdict.APPLY
    bad = [XLSX_HEADER, ["XL-2", "坏", "", None, "c", "{amount_cny: 1", "[]", ""]]
    with pytest.raises(ValidationError) as info:
        actions.import_policy_file(_xlsx(bad), "bad.xlsx")
    assert "扶持内容" in str(info.value) and not Policy.objects.filter(key="XL-2").exists()
    with pytest.raises(ValidationError):
        actions.import_policy_file(b"not a workbook", "x.xlsx")


# -- policy and clause edit pages ------------------------------------------------------------------


def test_policy_and_clause_pages_validate_version_and_recompute(
    svc, client, django_capture_on_commit_callbacks
):
    from streetbrain.core.models import ChangeLogEntry

    actions.recompute_matches()
    client.force_login(svc["users"]["services"])
    # a new policy; a bad date range is refused in the user's language, nothing stored
    data = {"key": "NB-1", "title": "宁波测试政策", "effective_from": "2026-05-01"}
    r = client.post(reverse("services:policy_add"), {**data, "effective_to": "2026-01-01"})
    assert r.status_code == 400 and "政策不能早于生效日期终止" in r.content.decode()
    assert not Policy.objects.filter(key="NB-1").exists()
    r = client.post(reverse("services:policy_add"), data)
    policy = Policy.objects.get(key="NB-1")
    assert r.status_code == 302 and policy.source == Source.ENTERED
    assert ChangeLogEntry.objects.filter(object_id=str(policy.pk)).exists()  # audited
    # a clause with a malformed condition: the error names it, in Chinese; nothing stored
    add = reverse("services:clause_add", args=[policy.pk])
    bad = {"key": "k1", "path": "apply", "conditions": "- {field: headcount, op: '=~', value: 1}"}
    r = client.post(add, bad)
    assert r.status_code == 400 and "未知的运算符" in r.content.decode()
    r = client.post(add, {**bad, "conditions": "- {field: headcount"})
    assert r.status_code == 400 and "不是有效的 YAML" in r.content.decode()
    assert not Clause.objects.filter(policy=policy).exists()
    good = {
        "key": "k1",
        "path": "apply",
        "conditions": '- {field: headcount, op: ">=", value: 10}',
        "benefit": "{amount_cny: 5000}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(add, good)
    clause = Clause.objects.get(policy=policy, key="k1")
    assert r.status_code == 302 and clause.conditions[0]["value"] == 10
    # the save started the matching of that clause (eager in tests)
    assert verdict(svc, "soft", "k1").verdict == Verdict.APPLY
    assert verdict(svc, "soft", "k1").amount == Decimal("5000.00")
    assert verdict(svc, "trade", "k1").verdict == Verdict.INELIGIBLE
    # the edit page shows the rule as YAML; a matched clause's change is a new version
    page = client.get(reverse("services:clause_edit", args=[clause.pk])).content.decode()
    assert "headcount" in page and "&gt;=" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("services:clause_edit", args=[clause.pk]),
            {**good, "conditions": '- {field: headcount, op: ">=", value: 30}'},
        )
    new = Clause.objects.get(policy=policy, key="k1", current=True)
    assert new.version == 2 and not Clause.objects.get(pk=clause.pk).current
    soft = svc["enterprises"]["soft"]
    assert Match.objects.get(clause=clause, enterprise=soft).verdict == "apply"  # kept
    current = Match.objects.get(clause=new, enterprise=soft)
    assert current.verdict == Verdict.INELIGIBLE
    # an earlier version is not edited; the leader (view only) may not edit at all
    assert client.get(reverse("services:clause_edit", args=[clause.pk])).status_code == 404
    client.force_login(svc["users"]["leader"])
    assert client.post(reverse("services:clause_edit", args=[new.pk]), good).status_code == 403
    assert client.get(reverse("services:policy_add")).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.save_clause(svc["users"]["leader"], policy, good, clause=new)


def test_policy_sources_are_edited_on_the_page_and_only_http_links(svc, client):
    client.force_login(svc["users"]["services"])
    data = {"key": "NB-S", "title": "出处测试政策"}
    add = reverse("services:policy_add")
    # a javascript: link (the page would link it) and a source without url or publisher are
    # refused on the field, in Chinese; nothing stored
    r = client.post(add, {**data, "sources": "- {url: 'javascript:alert(1)', publisher: x}"})
    assert r.status_code == 400 and "网址必须是 http 或 https 地址" in r.content.decode()
    r = client.post(add, {**data, "sources": "- {date: 2026-01-01}"})
    assert r.status_code == 400 and "须有网址或发布者" in r.content.decode()
    r = client.post(add, {**data, "sources": "{url: https://example.org}"})
    assert r.status_code == 400 and "出处应为列表" in r.content.decode()
    assert not Policy.objects.filter(key="NB-S").exists()
    sources = (
        "- {url: 'https://www.ningbo.gov.cn/art/2026/1/5/x.html', publisher: 宁波市人民政府, "
        "date: 2026-01-05, kind: official}\n- {publisher: 街道经发办, note: 会议纪要}"
    )
    assert client.post(add, {**data, "sources": sources}).status_code == 302
    policy = Policy.objects.get(key="NB-S")
    assert policy.sources == [
        {
            "url": "https://www.ningbo.gov.cn/art/2026/1/5/x.html",
            "publisher": "宁波市人民政府",
            "date": "2026-01-05",
            "kind": "official",
        },
        {"publisher": "街道经发办", "note": "会议纪要"},
    ]
    page = client.get(policy.get_absolute_url()).content.decode()
    assert 'href="https://www.ningbo.gov.cn/art/2026/1/5/x.html"' in page and "街道经发办" in page
    # the edit page shows them as the YAML one types; saved unchanged, they stay the same
    edit = reverse("services:policy_edit", args=[policy.pk])
    form = client.get(edit).context["form"]
    text = form["sources"].value()
    assert text.startswith("- {url: ") and "https://www.ningbo.gov.cn/art/2026/1/5/x.html" in text
    initial = {k: form[k].value() or "" for k in ("key", "title", "sources")}
    assert client.post(edit, initial).status_code == 302
    policy.refresh_from_db()
    assert policy.sources[1] == {"publisher": "街道经发办", "note": "会议纪要"}
    # the action refuses them too; so does an imported file
    policy.sources = [{"url": "ftp://example.org/x"}]
    with pytest.raises(ValidationError) as exc:
        actions.save_policy(svc["users"]["services"], policy)
    assert "sources" in exc.value.message_dict
    bad = DEMO_POLICY.replace("DEMO-HIRE", "DEMO-3").replace(
        "  clauses:", "  sources: [{url: 'javascript:alert(1)'}]\n  clauses:", 1
    )
    with pytest.raises(ValidationError, match=r"DEMO-3: .*http 或 https"):
        policyio.parse(policyio.load_text(bad, "p.yaml"))


# -- recompute when an enterprise's data change ----------------------------------------------------


def test_an_enterprises_changed_data_recompute_its_matches_once_on_commit(
    svc, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import transaction

    from streetbrain.core import dataio
    from streetbrain.services import tasks
    from streetbrain.services.dataio_specs import SPECS

    actions.recompute_matches()
    trade, soft = svc["enterprises"]["trade"], svc["enterprises"]["soft"]
    before = verdict(svc, "soft", "营收奖励").computed_at
    assert verdict(svc, "trade", "营收奖励").verdict == Verdict.UNKNOWN
    calls = []
    real = tasks.recompute.delay
    monkeypatch.setattr(
        tasks.recompute, "delay", lambda **kw: calls.append(kw) or real(**kw), raising=False
    )
    # facts saved on a page (one row) and a headcount record, in one transaction: one task
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            EnterpriseFacts.objects.create(enterprise=trade, annual_revenue_cny=Decimal("2000000"))
            HeadcountRecord.objects.create(
                enterprise=trade, month=dt.date(2020, 1, 1), headcount=4, insured=4
            )
    assert calls == [{"enterprise_ids": [trade.pk]}]
    assert verdict(svc, "trade", "营收奖励").verdict == Verdict.APPLY
    assert verdict(svc, "soft", "营收奖励").computed_at == before  # only that enterprise
    # a rolled-back change schedules nothing
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                TaxRecord.objects.create(
                    enterprise=soft, month=dt.date(2020, 1, 1), total_tax=1, local_tax=1
                )
                raise RuntimeError
        except RuntimeError:
            pass
    assert len(calls) == 1
    # an import (bulk writes, no model signals) recomputes the enterprises it changed
    sheet = f"统一社会信用代码,营业收入（元）\r\n{soft.credit_code},500000\r\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        report = dataio.run_import(SPECS["enterprise-facts"], sheet, None, dry_run=False)
    assert not report.errors and calls[-1] == {"enterprise_ids": [soft.pk]}
    assert verdict(svc, "soft", "营收奖励").verdict == Verdict.INELIGIBLE  # < 1,000,000 now
    # a dry run changes nothing and starts nothing
    with django_capture_on_commit_callbacks(execute=True):
        dataio.run_import(SPECS["enterprise-facts"], sheet, None, dry_run=True)
    assert len(calls) == 2


# -- the enterprises' request classes stay off the residents' channels -------------------------


def test_request_classes_are_not_offered_on_the_public_form_nor_in_open311(svc, client):
    from streetbrain.cases.channels.forms import PublicReportForm
    from streetbrain.cases.channels.open311 import keys

    choices = PublicReportForm().fields["category"].choices
    labels = [value for _group, options in choices[1:] for value, _name in options]
    assert "matter:06010" in labels  # a resident's class is there
    assert not [v for v in labels if v.startswith("matter:900")]
    form = PublicReportForm(data={"category": "matter:90002", "description": "租金"})
    assert not form.is_valid() and "category" in form.errors
    services = client.get("/open311/v2/services.json").json()
    codes = {s["service_code"] for s in services}
    assert "06010" in codes and not {c for c in codes if c.startswith("900")}
    assert client.get("/open311/v2/services/90002.json").status_code == 404
    _key, plain = keys.create_api_key("测试客户端")
    posted = client.post(
        "/open311/v2/requests.json",
        {"api_key": plain, "service_code": "90002", "description": "租金", "lat": 29.87},
    )
    assert posted.status_code == 404
    # the enterprise's own page still raises them as cases (see the test above)
    assert requests.class_for("90002") is not None


def test_the_enterprise_follows_its_cases_steps_and_only_its_own(svc, client, make_user):
    from django.utils import timezone

    from streetbrain.cases import timeline

    client.force_login(svc["users"]["enterprise"])
    client.post(reverse("services:me"), {"kind": "90003", "text": "营业执照变更咨询"})
    case = EnterpriseRequest.objects.get().case
    now = timezone.now()
    timeline.add_event(case, "dispatch", note="派给市场监管所", now=now)
    timeline.add_event(case, "note", note="内部备注：勿外传", now=now)
    timeline.add_event(case, "handled", note="已电话答复变更流程", now=now)
    html = client.get(reverse("services:me")).content.decode()
    steps = html[html.index(f'id="timeline-{case.number}"') :]
    assert 'data-action="report"' in steps and 'data-action="dispatch"' in steps
    assert "已电话答复变更流程" in steps  # what the department says it did
    assert "内部备注" not in html and "派给市场监管所" not in html  # the office's business
    # another enterprise's account sees none of it
    other = make_user("ent2", role="enterprise")
    actions.link_account(other, svc["enterprises"]["trade"].credit_code)
    client.force_login(other)
    html = client.get(reverse("services:me")).content.decode()
    assert case.number not in html and "营业执照变更咨询" not in html
