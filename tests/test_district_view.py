"""The district's own view (issue 13): a district leader sees its streets side by side on the
district's page (cases, 结案率, 按期结案率, population, economy), every figure a link to its
rows, and the evaluation and the cockpit one level up — by street — through the same code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from streetbrain.cases import panels
from streetbrain.cases.evaluation import scores
from streetbrain.cases.figures import cases_year
from streetbrain.cases.models import CaseStat
from streetbrain.core.figures import refresh_key_figures
from streetbrain.core.models import KeyFigure, OrgUnit


@pytest.fixture
def stats(tree):
    """This month's evaluation counts: 福明 (two grids) closed 3 of 4, 2 on time; 百丈 (its
    own grid) closed 1 of 2, on time."""
    month = timezone.localdate().replace(day=1)
    other = tree["other_street"]
    community = OrgUnit.objects.create(
        code="330212001001", name="百丈社区", level="community", parent=other
    )
    grid = OrgUnit.objects.create(
        code="33021200100101", name="百丈社区第1网格", level="grid", parent=community
    )
    rows = [
        (tree["east_grid"], 2, 2, 1),
        (tree["river_grid"], 2, 1, 1),
        (grid, 2, 1, 1),
    ]
    for unit, to_close, closed, on_time in rows:
        CaseStat.objects.create(
            month=month,
            org_unit=unit,
            unit_path=unit.path,
            registered=to_close,
            to_close=to_close,
            closed=closed,
            closed_on_time=on_time,
        )
    refresh_key_figures()
    return {"month": month, "baizhang_grid": grid}


def _figure(unit, key):
    return KeyFigure.objects.get(org_unit=unit, key=key).value


def test_year_figures_sum_the_subtree(tree, stats):
    assert _figure(tree["street"], "cases_year") == 4
    assert _figure(tree["district"], "cases_year") == 6
    assert _figure(tree["street"], "closing_rate_year") == 75.0
    assert _figure(tree["street"], "closed_on_time_rate_year") == 50.0
    assert _figure(tree["other_street"], "closing_rate_year") == 50.0
    assert _figure(tree["district"], "closing_rate_year") == pytest.approx(66.7)
    # Months older than the last twelve are left out.
    CaseStat.objects.create(
        month=stats["month"] - dt.timedelta(days=400),
        org_unit=tree["east_grid"],
        unit_path=tree["east_grid"].path,
        registered=50,
    )
    assert cases_year([tree["street"]])[tree["street"].pk] == 4


def test_district_page_compares_its_streets(tree, stats, client, make_user):
    leader = make_user("qu", role="leader", unit=tree["district"])
    client.force_login(leader)
    page = client.get(tree["district"].get_absolute_url()).content.decode()
    for street in (tree["street"], tree["other_street"]):
        assert f'href="{street.get_absolute_url()}"' in page  # drills down
        assert f'href="/cases/?org_unit={street.pk}">' in page  # its cases
    assert "近12个月结案率" in page and "75" in page
    assert "在营企业" in page and f'href="/economy/enterprises/?unit={tree["street"].pk}"' in page
    assert f'href="/registry/residents/?unit={tree["street"].pk}"' in page
    # The street's page compares its communities the same way.
    street_page = client.get(tree["street"].get_absolute_url()).content.decode()
    assert f'href="/cases/?org_unit={tree["east"].pk}">' in street_page


def test_a_street_leader_sees_no_figures_of_the_street_beside(tree, stats, client, make_user):
    client.force_login(make_user("jd", role="leader", unit=tree["street"]))
    assert client.get(tree["district"].get_absolute_url()).status_code in (200, 404)
    page = client.get(tree["district"].get_absolute_url()).content.decode()
    assert f"/cases/?org_unit={tree['other_street'].pk}" not in page


def test_every_figure_link_opens_its_rows(tree, stats, client, make_user):
    client.force_login(make_user("qu", role="leader", unit=tree["district"]))
    street = tree["street"].pk
    for url in (
        f"/cases/?org_unit={street}",
        f"/registry/residents/?unit={street}",
        f"/registry/households/?unit={street}",
        f"/economy/enterprises/?unit={street}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.context["filterset"].errors, url


def test_evaluation_one_level_up(tree, stats, client, make_user):
    month = stats["month"]
    district_leader = make_user("qu", role="leader", unit=tree["district"])
    street_leader = make_user("jd", role="leader", unit=tree["street"])
    assert scores.dimensions_for(district_leader)[0] == "street"
    assert "street" not in scores.dimensions_for(street_leader)
    (table,) = scores.indicators(month, month, "street", district_leader)
    rows = {r.name: r for r in table.rows}
    assert rows["福明街道"].counts["closed"] == 3
    assert rows["百丈街道"].counts["closed"] == 1
    assert rows["福明街道"].url == f"/cases/?org_unit={tree['street'].pk}"
    assert table.total.counts["closed"] == 4
    client.force_login(district_leader)
    page = client.get(f"/cases/evaluation/?period=month&month={month:%Y-%m}")
    assert page.context["dimension"] == "street"
    assert "百丈街道" in page.content.decode()
    client.force_login(street_leader)
    page = client.get(f"/cases/evaluation/?period=month&month={month:%Y-%m}&dim=street")
    assert page.context["dimension"] == "community"  # no street tab below a district


def test_cockpit_panel_by_street_for_a_district(tree, stats, make_user):
    district_leader = make_user("qu", role="leader", unit=tree["district"])
    today = timezone.localdate()
    context = panels.by_community(district_leader, tree["district"], today)
    assert context["by_street"] is True
    assert {r["name"] for r in context["rows"]} == {"福明街道", "百丈街道"}
    street_leader = make_user("jd", role="leader", unit=tree["street"])
    context = panels.by_community(street_leader, tree["street"], today)
    assert context["by_street"] is False
    assert {r["name"] for r in context["rows"]} == {"东城社区", "江城社区"}


# -- at a district's scale: streamed exports, estimated counts ---------------------------------


def test_streamed_csv_is_the_written_csv(tree):
    from streetbrain.core import dataio

    rows = [["名称", "编码"], ["=1+1", 1], *([f"第{i}行", i] for i in range(1234))]
    pieces = list(dataio.stream_csv(iter(rows), rows_per_piece=100))
    assert len(pieces) > 10  # in pieces, not one body
    assert b"".join(pieces) == dataio.write_csv(rows)


def test_case_export_streams_csv(tree, stats, client, make_user):
    import csv
    import io

    from streetbrain.cases.models import Case

    now = timezone.now()
    Case.objects.create(number="C1", title="井盖缺失", org_unit=tree["east_grid"], reported_at=now)
    Case.objects.create(number="C2", title="别处", org_unit=stats["baizhang_grid"], reported_at=now)
    client.force_login(make_user("jd", role="leader", unit=tree["street"]))
    response = client.get("/cases/export/", {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0][0] == "案件编号"
    assert [r[0] for r in table[1:]] == ["C1"]  # scoped to the street


def test_a_long_list_shows_an_estimate_marked_as_such(tree, client, make_user, monkeypatch):
    from streetbrain.core import estimates as generic

    client.force_login(make_user("qu", role="leader", unit=tree["district"]))
    page = client.get("/core/grids/")
    assert not page.context["total_estimated"] and page.context["total"] == 4
    monkeypatch.setattr(generic, "planned_rows", lambda qs: 2_000_000)
    page = client.get("/core/grids/")
    assert page.context["total_estimated"] and page.context["total"] == 2_000_000
    assert "约 2,000,000（估算）" in page.content.decode()  # grouped, as every figure
    monkeypatch.setattr(generic, "planned_rows", lambda qs: 40)  # below the bar: counted
    assert client.get("/core/grids/").context["total"] == 4


def test_an_api_list_past_the_bar_gives_the_estimate_marked_and_counts_on_request(
    tree, client, make_user, monkeypatch
):
    """The API's numbered pages do what the screens do: past ``ESTIMATE_FROM`` planned rows
    ``count`` is the planner's estimate with ``count_estimated``; ``?count=exact`` counts;
    any other value of ``count`` is refused in the user's language."""
    from streetbrain.core import estimates

    client.force_login(make_user("qu", role="leader", unit=tree["district"]))
    body = client.get("/api/core/grids/").json()
    assert body["count"] == 4 and body["count_estimated"] is False
    monkeypatch.setattr(estimates, "planned_rows", lambda qs: 2_000_000)
    body = client.get("/api/core/grids/").json()
    assert body["count"] == 2_000_000 and body["count_estimated"] is True
    assert len(body["results"]) == 4  # the rows themselves are real
    body = client.get("/api/core/grids/", {"count": "exact"}).json()
    assert body["count"] == 4 and body["count_estimated"] is False
    refused = client.get("/api/core/grids/", {"count": "roughly"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400 and "count" in refused.json()


def test_a_short_search_is_counted_up_to_a_bar_and_says_more(tree, client, make_user, monkeypatch):
    """A list's search of fewer than three characters counts its matches up to
    ``COUNT_TO`` and says "more than" past it (no index serves the count); a longer search
    and a search under the bar are counted exactly; every page up to the bar still opens."""
    from streetbrain.cases.models import Case
    from streetbrain.core import generic

    now = timezone.now()
    for i in range(5):
        Case.objects.create(
            number=f"C{i}", title=f"垃圾满溢{i}", org_unit=tree["east_grid"], reported_at=now
        )
    Case.objects.create(number="C9", title="井盖缺失", org_unit=tree["east_grid"], reported_at=now)
    client.force_login(make_user("qc", role="leader", unit=tree["street"]))
    monkeypatch.setattr(generic, "COUNT_TO", 3)
    page = client.get("/cases/", {"q": "垃圾"})
    assert page.context["total_at_least"] and page.context["total"] == 3
    assert "超过 3" in page.content.decode()
    assert client.get("/cases/", {"q": "垃圾", "per_page": 10}).status_code == 200
    page = client.get("/cases/", {"q": "垃圾满"})  # three characters: counted
    assert not page.context["total_at_least"] and page.context["total"] == 5
    monkeypatch.setattr(generic, "COUNT_TO", 10)
    page = client.get("/cases/", {"q": "垃圾"})
    assert not page.context["total_at_least"] and page.context["total"] == 5


def test_an_empty_query_is_estimated_empty(tree):
    # Django knows before asking the database (the bench found the 待我处理 tab's 500).
    from streetbrain.core.estimates import planned_rows

    assert planned_rows(OrgUnit.objects.none()) == 0
    assert planned_rows(OrgUnit.objects.filter(pk__in=[])) == 0


def test_the_state_filter_needs_no_distinct(tree, make_user):
    from django.test import RequestFactory

    from streetbrain.cases.filtersets import CaseFilterSet
    from streetbrain.cases.models import Case

    request = RequestFactory().get("/")
    request.user = make_user("jd", role="leader", unit=tree["street"])
    params = {"state": ["closed", "handling"]}
    qs = CaseFilterSet(params, queryset=Case.objects.all(), request=request).qs
    assert not qs.query.distinct  # no sort of every matching row on all its columns


def test_quick_selects_draw_what_django_draws():
    from django import forms
    from django.test.html import parse_html

    from streetbrain.core.filtersets import QuickSelect, QuickSelectMultiple

    choices = [("", "---------"), ("a", "甲<&>"), ("组", [("g1", "G1"), ("g2", "G2")]), (3, "三")]
    for plain, quick, value in (
        (forms.Select, QuickSelect, "a"),
        (forms.SelectMultiple, QuickSelectMultiple, ["a", "3"]),
    ):
        attrs = {"id": "id_f", "class": "c"}
        expected = plain(choices=choices, attrs=attrs).render("f", value)
        assert parse_html(quick(choices=choices, attrs=attrs).render("f", value)) == parse_html(
            expected
        )


def test_a_filter_with_too_many_choices_is_a_search_box(tree, client, make_user, monkeypatch):
    """Above ``LARGE_CHOICES`` a filter's select holds only the chosen row, and a search box
    asks the scoped endpoint for the rest; the parameter, its values and its check stay."""
    import re

    from streetbrain.core import filtersets

    east_grid = tree["east_grid"]
    district_leader = make_user("qu", role="leader", unit=tree["district"])
    client.force_login(district_leader)

    def org_unit_select(page):
        return re.search(r'<select name="org_unit"[^>]*>(.*?)</select>', page, re.S).group(1)

    # Few choices: the plain select with every unit.
    page = client.get("/cases/").content.decode()
    assert "东城社区第1网格" in org_unit_select(page)
    monkeypatch.setattr(filtersets, "LARGE_CHOICES", 3)
    page = client.get("/cases/").content.decode()
    options = org_unit_select(page)
    assert options.count("<option") == 1 and "东城社区" not in options
    url = re.search(r'hx-get="([^"]*/org_unit/)"', page).group(1)
    # The chosen unit is kept (and the list filtered by it, as before).
    response = client.get("/cases/", {"org_unit": east_grid.pk})
    assert response.status_code == 200
    chosen = org_unit_select(response.content.decode())
    assert f'value="{east_grid.pk}" selected' in chosen and options.count("<option") == 1
    assert client.get("/cases/", {"org_unit": 999999}).status_code == 400
    # The endpoint: the matching units the user may see.
    answer = client.get(url, {"term": "东城"}).content.decode()
    assert "东城社区第1网格" in answer and "江城" not in answer
    assert f'value="{east_grid.pk}"' in client.get(url, {"term": east_grid.code}).content.decode()
    # Scoped as the form is: a grid worker is offered their own grid only.
    client.force_login(make_user("gw", role="gridworker", unit=east_grid))
    answer = client.get(url, {"term": "网格"}).content.decode()
    assert answer.count("<option") == 2 and "东城社区第1网格" in answer
    assert client.get(url.replace("/org_unit/", "/q/")).status_code == 404
    assert client.get("/core/filter-choices/nothing.Here/org_unit/").status_code == 404


def test_cases_sorted_by_deadline_from_a_day_read_by_parts_in_the_one_order(
    tree, client, make_user
):
    """Sorted by deadline with a first day of report, the case list reads three parts (the
    deadlines before their report, those from the day on, none); every page is the rows of
    the one ORDER BY, NULLs where the database puts them."""
    import datetime as dt

    from streetbrain.cases.models import Case

    day = timezone.make_aware(dt.datetime(2026, 3, 1))
    hour = dt.timedelta(hours=1)
    for i in range(27):
        reported = day + (i - 5) * 10 * hour  # five before the first day
        deadline = None if i % 7 == 3 else reported + (i % 4) * 30 * hour
        if i in (8, 20):
            deadline = day - (i + 1) * hour  # before its report (a clock set wrong)
        Case.objects.create(
            number=f"D{i:02d}", title="占道", org_unit=tree["east_grid"], reported_at=reported,
            deadline=deadline,
        )  # fmt: skip
    client.force_login(make_user("jd", role="leader", unit=tree["street"]))
    expected = list(
        Case.objects.filter(reported_at__gte=day)
        .order_by("deadline", "pk")
        .values_list("number", flat=True)
    )
    assert len(expected) == 22 and {"D08", "D20", "D10"} <= set(expected)
    got = []
    for page in (1, 2, 3):
        response = client.get(
            "/cases/", {"reported_at_after": "2026-03-01", "sort": "deadline", "per_page": 10,
                        "page": page},
        )  # fmt: skip
        assert response.status_code == 200
        got += [case.number for case, _cells in response.context["rows"]]
    assert got == expected
