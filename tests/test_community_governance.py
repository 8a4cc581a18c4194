"""未来治理: one vote per verified household while voting is open, the result and what the
community did; a resident reports a broken street lamp from their account, the case engine
takes it, a grid worker of the grid sees it, and the account follows its state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from streetbrain.community import actions
from streetbrain.community.models import Consultation, ConsultationOption, ResidentReport

from .community_helpers import (
    jiangcheng_fixture,  # noqa: F401
    verified_account,
)

pytestmark = pytest.mark.django_db


def make_consultation(world, *, open_now=True):
    now = timezone.now()
    opens = now - dt.timedelta(days=1) if open_now else now - dt.timedelta(days=10)
    c = Consultation.objects.create(
        question="小区是否增设电动自行车充电棚？",
        opens=opens,
        closes=now + dt.timedelta(days=7) if open_now else now - dt.timedelta(days=2),
        org_unit=world["river_grid"],
        outcome="" if open_now else "已在3幢东侧建成充电棚",
    )
    yes = ConsultationOption.objects.create(consultation=c, text="赞成", position=0)
    no = ConsultationOption.objects.create(consultation=c, text="反对", position=1)
    return c, yes, no


def test_one_vote_per_household_while_open(jiangcheng):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000051")
    c, yes, no = make_consultation(jiangcheng)
    actions.vote(c, yes, zhang.user)
    with pytest.raises(ValidationError):
        actions.vote(c, no, zhang.user)
    closed, cyes, _cno = make_consultation(jiangcheng, open_now=False)
    with pytest.raises(ValidationError):
        actions.vote(closed, cyes, zhang.user)
    with pytest.raises(ValidationError):  # another question's option
        actions.vote(c, cyes, zhang.user)
    assert [(o.text, n) for o, n in actions.results(c)] == [("赞成", 1), ("反对", 0)]


def test_the_consultations_page_votes_and_shows_results(jiangcheng, client):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000052")
    c, yes, _no = make_consultation(jiangcheng)
    make_consultation(jiangcheng, open_now=False)
    client.force_login(zhang.user)
    page = client.get("/community/consultations/").content.decode()
    assert "vote-form" in page and "已在3幢东侧建成充电棚" in page
    client.post("/community/consultations/", {"consultation": c.pk, "option": yes.pk})
    page = client.get("/community/consultations/").content.decode()
    assert 'class="tag voted"' in page
    client.force_login(jiangcheng["staff"])
    detail = client.get(f"/community/manage/consultations/{c.pk}/").content.decode()
    assert 'id="results"' in detail
    made = client.post(
        "/community/manage/consultations/add/",
        {
            "question": "是否开设四点半课堂？",
            "opens": "2026-12-01T09:00",
            "closes": "2026-12-20T09:00",
            "org_unit": jiangcheng["river_grid"].pk,
            "options_text": "开设\n不开设\n",
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    new = Consultation.objects.get(question="是否开设四点半课堂？")
    assert list(new.options.values_list("text", flat=True)) == ["开设", "不开设"]


def test_a_resident_reports_a_broken_street_lamp_that_reaches_the_grid_worker(
    case_world, jiangcheng, client
):
    from streetbrain.cases.models import Case

    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000053")
    client.force_login(zhang.user)
    sent = client.post(
        "/community/reports/", {"description": "3幢楼下路灯不亮了，晚上很黑", "category": ""}
    )
    assert sent.status_code == 302, sent.content.decode()[:3000]
    link = ResidentReport.objects.get()
    case = link.report.case
    assert case.org_unit == jiangcheng["river_grid"]  # placed at the resident's building
    page = client.get("/community/reports/").content.decode()
    assert case.number in page and str(link.report.token) in page
    river_worker = jiangcheng["grid_worker"]
    assert Case.objects.restrict(river_worker).filter(pk=case.pk).exists()
