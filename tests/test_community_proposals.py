"""未来治理: a resident proposes a question; the community's staff put it to the vote (a
consultation with the proposed options) or decline it with a reason; audited; the resident's
page follows it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from streetbrain.community import actions
from streetbrain.community.models import Consultation, Proposal
from streetbrain.core.models import ChangeLogEntry

from .community_helpers import (
    jiangcheng_fixture,  # noqa: F401
    verified_account,
)

pytestmark = pytest.mark.django_db


def test_a_proposal_is_put_to_the_vote(jiangcheng):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000081")
    with pytest.raises(ValidationError) as bad:
        actions.propose(zhang.user, "增设充电棚？", "赞成")
    assert "options" in bad.value.message_dict
    with pytest.raises(PermissionDenied):  # staff are no residents
        actions.propose(jiangcheng["staff"], "问题", "甲\n乙")
    proposal = actions.propose(
        zhang.user, "小区增设电动自行车充电棚？", "赞成\n\n反对\n", "楼道充电危险"
    )
    assert proposal.state == "proposed" and proposal.option_lines() == ["赞成", "反对"]
    with pytest.raises(PermissionDenied):  # a resident cannot review
        actions.review_proposal(proposal, zhang.user, accept=True)
    actions.review_proposal(proposal, jiangcheng["staff"], accept=True)
    proposal.refresh_from_db()
    c = proposal.consultation
    assert proposal.state == "accepted" and c.question == proposal.question
    assert list(c.options.values_list("text", flat=True)) == ["赞成", "反对"]
    assert c.org_unit == proposal.org_unit and c.opens < c.closes
    # the household votes on it like any consultation
    actions.vote(c, c.options.first(), zhang.user)
    with pytest.raises(ValidationError):  # reviewed once
        actions.review_proposal(proposal, jiangcheng["staff"], accept=False, reason="x")
    assert ChangeLogEntry.objects.filter(
        content_type__model="proposal", object_id=str(proposal.pk), action="update"
    ).exists()


def test_a_declined_proposal_says_why_and_changes_nothing(jiangcheng, client):
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000082")
    proposal = actions.propose(li.user, "把篮球场改成停车场？", "改\n不改")
    with pytest.raises(ValidationError) as no_reason:
        actions.review_proposal(proposal, jiangcheng["staff"], accept=False)
    assert "reason" in no_reason.value.message_dict
    proposal.refresh_from_db()
    assert proposal.state == "proposed"
    client.force_login(jiangcheng["staff"])
    page = client.get(f"/community/manage/proposals/{proposal.pk}/").content.decode()
    assert 'id="review"' in page
    client.post(
        f"/community/manage/proposals/{proposal.pk}/review/",
        {"decision": "decline", "reason": "篮球场属于城市综合服务体，不在社区议事范围"},
    )
    proposal.refresh_from_db()
    assert proposal.state == "declined" and proposal.consultation is None
    assert not Consultation.objects.exists()
    change = ChangeLogEntry.objects.filter(
        content_type__model="proposal", object_id=str(proposal.pk), action="update"
    ).latest("pk")
    assert "不在社区议事范围" in (change.reason or "")
    client.force_login(li.user)
    page = client.get("/community/proposals/").content.decode()
    assert "不在社区议事范围" in page and "proposal-declined" in page


def test_the_proposals_page_and_scope(jiangcheng, client):
    zhang = verified_account(jiangcheng, jiangcheng["zhang"], "13700000083")
    li = verified_account(jiangcheng, jiangcheng["li"], "13700000084")
    client.force_login(zhang.user)
    assert (
        client.post("/community/proposals/", {"question": "", "options": "甲"}).status_code == 400
    )
    sent = client.post(
        "/community/proposals/", {"question": "社区食堂延长营业？", "options": "是\n否"}
    )
    assert sent.status_code == 302
    assert "社区食堂延长营业" in client.get("/community/proposals/").content.decode()
    # another household does not see it; the staff's queue does
    assert not Proposal.objects.restrict(li.user).exists()
    assert Proposal.objects.restrict(jiangcheng["staff"]).count() == 1
    client.force_login(jiangcheng["staff"])
    assert (
        "社区食堂延长营业"
        in client.get("/community/manage/proposals/?state=proposed").content.decode()
    )
