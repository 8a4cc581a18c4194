"""Every list, detail and API endpoint is scoped through one mechanism, and a write that would
leave the user's scope rolls back. Each object type is tested with a user who holds the
permission but has a narrower scope (one community)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from streetbrain.core.audit import audit_context
from streetbrain.core.figures import refresh_key_figures
from streetbrain.core.models import ChangeLogEntry, Department, KeyFigure, OrgUnit, User
from streetbrain.core.scoping import ancestor_paths, scope_q

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_admin(tree, make_user):
    """A data administrator of 东城社区: may view and change org units, departments, users and
    read the change log, but only within 东城社区."""
    return make_user("east_admin", role="dataadmin", unit=tree["east"])


@pytest.fixture
def street_admin(tree, make_user):
    return make_user("street_admin", role="dataadmin", unit=tree["street"])


def test_ancestor_paths():
    assert ancestor_paths("3302/330212/330212014/") == ["3302/", "3302/330212/"]
    assert ancestor_paths("3302/") == []


def test_scope_units_names_a_narrow_scope_by_its_units(tree, departments, make_user):
    """``scope_units``: the units whose rows make a scope, only where that is the whole truth
    (rows on their own unit, a unit's scope, not too many units)."""
    from streetbrain.cases.models import Case, CaseEvent, Report
    from streetbrain.core.scoping import scope_units
    from streetbrain.registry.models import Resident

    leader = make_user("l", role="leader", unit=tree["street"])
    street = set(
        OrgUnit.objects.filter(path__startswith=tree["street"].path).values_list("pk", flat=True)
    )
    assert (
        set(scope_units(Case, leader, 400))
        == street
        == {
            tree["street"].pk,
            tree["east"].pk,
            tree["river"].pk,
            *(g.pk for g in tree["grids"].values()),
        }
    )
    assert scope_units(
        Resident, make_user("g", role="gridworker", unit=tree["east_grid"]), 400
    ) == [tree["east_grid"].pk]
    assert scope_units(Case, leader, len(street) - 1) is None  # wider than the limit
    # scoped through its case, keeping a copy of the case's unit (``scope_unit_copy``)
    assert set(scope_units(Report, leader, 400)) == street
    assert scope_units(CaseEvent, leader, 400) is None  # through its case, no copy
    handler = make_user("h", role="handler", unit=tree["street"], department=departments["urban"])
    assert scope_units(Case, handler, 400) is None  # a department's scope is not by unit
    assert scope_units(Case, make_user("root", superuser=True), 400) is None
    assert scope_units(Case, make_user("nobody", role="leader"), 400) is None


def test_org_units_restricted_to_subtree(tree, east_admin):
    visible = set(OrgUnit.objects.restrict(east_admin).values_list("code", flat=True))
    # its subtree, plus its ancestors as read-only context; never a sibling
    assert visible == {
        "3302",
        "330212",
        "330212014",
        "330212014001",
        "33021201400101",
        "33021201400102",
    }
    writable = set(OrgUnit.objects.restrict(east_admin, "change").values_list("code", flat=True))
    assert writable == {"330212014001", "33021201400101", "33021201400102"}


def test_street_scope_sees_whole_street_but_not_neighbour(tree, street_admin):
    visible = set(OrgUnit.objects.restrict(street_admin).values_list("code", flat=True))
    assert "330212014" in visible and "33021201400201" in visible
    assert "330212001" not in visible  # the neighbouring street


def test_grid_worker_sees_only_their_grid(tree, make_user):
    worker = make_user("gw", role="gridworker", unit=tree["east_grid"])
    grids = OrgUnit.objects.restrict(worker).filter(level="grid")
    assert list(grids.values_list("code", flat=True)) == ["33021201400101"]
    communities = OrgUnit.objects.restrict(worker).filter(level="community")
    assert list(communities.values_list("code", flat=True)) == ["330212014001"]


def test_permission_required_even_within_scope(tree, make_user):
    nobody = make_user("noperm", unit=tree["street"])
    assert OrgUnit.objects.restrict(nobody).count() == 0
    assert OrgUnit.objects.restrict(nobody, "change").count() == 0


def test_anonymous_and_inactive_see_nothing(tree, make_user):
    from django.contrib.auth.models import AnonymousUser

    assert OrgUnit.objects.restrict(AnonymousUser()).count() == 0
    user = make_user("gone", role="leader", unit=tree["street"])
    user.is_active = False
    assert OrgUnit.objects.restrict(user).count() == 0


def test_unscoped_user_without_unit_sees_nothing(tree, make_user):
    floating = make_user("floating", role="leader", unit=None)
    assert OrgUnit.objects.restrict(floating).count() == 0


def test_departments_include_those_of_ancestor_units(departments, east_admin):
    visible = set(Department.objects.restrict(east_admin).values_list("code", flat=True))
    # the street's 城管 serves 东城 too; 江城's committee and another street's 城管 do not
    assert visible == {"cg", "sq-001"}


def test_department_user_sees_what_is_dispatched_to_their_department(tree, departments, make_user):
    handler = make_user("h", role="handler", unit=tree["street"], department=departments["urban"])

    class Dispatched:  # a model that is dispatched to departments (cases declare this)
        scope_department_lookup = "department"
        scope_lookup = "grid__path"

    q = scope_q(Dispatched, handler)
    assert q.children == [("department", departments["urban"].pk)]


def test_users_restricted(tree, east_admin, make_user):
    make_user("in_east", role="gridworker", unit=tree["east_grid"])
    make_user("in_river", role="gridworker", unit=tree["river_grid"])
    visible = set(User.objects.restrict(east_admin).values_list("username", flat=True))
    assert visible == {"east_admin", "in_east"}


def test_changelog_restricted(tree, east_admin):
    with audit_context(source="system"):
        tree["east"].name = "东城社区（新）"
        tree["east"].save()
        tree["river"].name = "江城社区（新）"
        tree["river"].save()
    visible = set(ChangeLogEntry.objects.restrict(east_admin).values_list("object_repr", flat=True))
    assert "东城社区（新）" in visible
    assert "江城社区（新）" not in visible


def test_key_figures_restricted(tree, make_user):
    refresh_key_figures()
    viewer = make_user("kf", perms=["core.view_keyfigure"], unit=tree["river"])
    units = set(KeyFigure.objects.restrict(viewer).values_list("org_unit__code", flat=True))
    assert units == {"330212014002", "33021201400201", "33021201400202"}


# --- pages -----------------------------------------------------------------------------------

PAGES = [
    ("core:orgunit_list", "东城社区第1网格", "江城社区第1网格"),
    ("core:grid_list", "东城社区第1网格", "江城社区第1网格"),
    ("core:community_list", "东城社区", "江城社区"),
]


@pytest.mark.parametrize(("url_name", "inside", "outside"), PAGES)
def test_list_pages_scoped(client, tree, east_admin, url_name, inside, outside):
    client.force_login(east_admin)
    html = client.get(reverse(url_name)).content.decode()
    assert inside in html
    assert outside not in html


def test_department_list_page_scoped(client, departments, east_admin):
    client.force_login(east_admin)
    html = client.get(reverse("core:department_list")).content.decode()
    assert "东城社区居委会" in html and "江城社区居委会" not in html and "百丈城管" not in html


def test_detail_pages_out_of_scope_are_404(client, tree, departments, east_admin, make_user):
    other = make_user("other", role="gridworker", unit=tree["river_grid"])
    client.force_login(east_admin)
    assert client.get(tree["east"].get_absolute_url()).status_code == 200
    assert client.get(tree["street"].get_absolute_url()).status_code == 200  # ancestor: context
    assert client.get(tree["river"].get_absolute_url()).status_code == 404
    assert client.get(tree["river_grid"].get_absolute_url()).status_code == 404
    assert client.get(departments["river"].get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404


def test_page_edit_leaving_scope_rolls_back(client, tree, departments, east_admin):
    client.force_login(east_admin)
    dept = departments["east"]
    response = client.post(
        reverse("core:department_edit", args=[dept.pk]),
        {
            "code": dept.code,
            "name": dept.name,
            "kind": dept.kind,
            "org_unit": tree["river"].pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    # 江城社区 is not even offered as a choice: the form refuses it in Chinese
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    dept.refresh_from_db()
    assert dept.org_unit == tree["east"]


def test_page_create_outside_scope_rolls_back(client, tree, east_admin):
    client.force_login(east_admin)
    before = OrgUnit.objects.count()
    logs = ChangeLogEntry.objects.count()
    response = client.post(
        reverse("core:orgunit_add"),
        {
            "code": "33021201400203",
            "name": "越界网格",
            "level": "grid",
            "parent": tree["river"].pk,
            "sort_order": 0,
        },
    )
    assert response.status_code == 400
    assert OrgUnit.objects.count() == before
    assert ChangeLogEntry.objects.count() == logs


def test_page_create_within_scope(client, tree, east_admin):
    client.force_login(east_admin)
    response = client.post(
        reverse("core:orgunit_add"),
        {
            "code": "33021201400103",
            "name": "东城社区第3网格",
            "level": "grid",
            "parent": tree["east"].pk,
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="33021201400103")
    assert unit.path == "3302/330212/330212014/330212014001/33021201400103/"


# --- API -------------------------------------------------------------------------------------


def test_api_lists_scoped(api_client, tree, departments, east_admin):
    api_client.force_authenticate(east_admin)
    grids = api_client.get("/api/core/grids/").json()
    assert grids["count"] == 2
    assert {g["code"] for g in grids["results"]} == {"33021201400101", "33021201400102"}
    communities = api_client.get("/api/core/communities/").json()
    assert [c["name"] for c in communities["results"]] == ["东城社区"]
    depts = api_client.get("/api/core/departments/").json()
    assert {d["code"] for d in depts["results"]} == {"cg", "sq-001"}


def test_api_detail_out_of_scope_is_404(api_client, tree, east_admin):
    api_client.force_authenticate(east_admin)
    assert api_client.get(f"/api/core/org-units/{tree['east'].pk}/").status_code == 200
    assert api_client.get(f"/api/core/org-units/{tree['river'].pk}/").status_code == 404


def test_api_write_leaving_scope_rolls_back(api_client, tree, departments, east_admin):
    """The caller may change departments and may *see* the street's 城管 (an ancestor's
    department), but changing it is outside their scope: refused, nothing written."""
    api_client.force_authenticate(east_admin)
    dept = departments["east"]
    logs = ChangeLogEntry.objects.count()
    response = api_client.patch(
        f"/api/core/departments/{dept.pk}/", {"org_unit": tree["river"].pk}, format="json"
    )
    assert response.status_code == 403
    dept.refresh_from_db()
    assert dept.org_unit == tree["east"]
    assert ChangeLogEntry.objects.count() == logs
    # a department it can see (the street's, serving it) is still not one it may change
    assert api_client.get(f"/api/core/departments/{departments['urban'].pk}/").status_code == 200
    response = api_client.patch(
        f"/api/core/departments/{departments['urban'].pk}/", {"name": "改名"}, format="json"
    )
    assert response.status_code == 404
    departments["urban"].refresh_from_db()
    assert departments["urban"].name == "城管"


def test_api_create_outside_scope_rolls_back(api_client, tree, east_admin):
    api_client.force_authenticate(east_admin)
    before = Department.objects.count()
    response = api_client.post(
        "/api/core/departments/",
        {"code": "x", "name": "越界", "kind": "other", "org_unit": tree["river"].pk},
        format="json",
    )
    assert response.status_code == 403
    assert "责任区域" in response.json()["detail"] or "outside" in response.json()["detail"]
    assert Department.objects.count() == before


def test_api_requires_permission(api_client, tree, make_user):
    nobody = make_user("nobody", unit=tree["street"])
    api_client.force_authenticate(nobody)
    assert api_client.get("/api/core/grids/").status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get("/api/core/grids/").status_code in (401, 403)


def test_locate_respects_scope(api_client, tree, make_user):
    worker = make_user("gw", role="gridworker", unit=tree["east_grid"])
    api_client.force_authenticate(worker)
    own = api_client.get("/api/core/org-units/locate/", {"lon": 121.61, "lat": 29.865}).json()
    assert own["grid"]["code"] == "33021201400101"
    assert own["community"]["code"] == "330212014001"
    other = api_client.get("/api/core/org-units/locate/", {"lon": 121.63, "lat": 29.865}).json()
    assert other["grid"] is None
    bad = api_client.get("/api/core/org-units/locate/", {"lon": "x"})
    assert bad.status_code == 400


def test_home_figures_link_only_to_lists_the_user_may_open(client, tree, departments, make_user):
    from streetbrain.core.figures import refresh_key_figures

    refresh_key_figures()
    handler = make_user("h2", role="handler", unit=tree["street"], department=departments["urban"])
    client.force_login(handler)
    html = client.get("/").content.decode()
    assert reverse("core:department_list") in html
    assert f'href="{reverse("core:user_list")}"' not in html
    assert "Staff accounts" not in html and "人员账号" not in html  # no figure without the list
    leader = make_user("l2", role="leader", unit=tree["street"])
    client.force_login(leader)
    assert f'href="{reverse("core:user_list")}"' in client.get("/").content.decode()
