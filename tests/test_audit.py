"""Every create, update and delete, through pages, API, admin, CLI and tasks, is recorded:
who, when, request id, channel, action, before/after values and an optional reason; and
nobody can change or delete the records."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from streetbrain.core.audit import audit_context
from streetbrain.core.models import ChangeLogEntry, Department, User

pytestmark = pytest.mark.django_db


def entries_for(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return ChangeLogEntry.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("pk")


@pytest.fixture
def admin_user(tree, make_user):
    return make_user("boss", superuser=True, unit=tree["street"])


@pytest.fixture
def street_admin(tree, make_user):
    return make_user("street_admin", role="dataadmin", unit=tree["street"])


def test_page_create_update_delete_are_logged(client, tree, street_admin):
    client.force_login(street_admin)
    response = client.post(
        reverse("core:department_add"),
        {
            "code": "hb",
            "name": "环保",
            "kind": "environment",
            "org_unit": tree["street"].pk,
            "sort_order": 1,
            "is_active": "on",
            "_change_reason": "新设部门",
        },
    )
    assert response.status_code == 302
    dept = Department.objects.get(code="hb")
    created = entries_for(dept).get()
    assert created.action == "create"
    assert created.source == "web"
    assert created.user == street_admin and created.user_name == "street_admin"
    assert created.reason == "新设部门"
    assert created.postchange["name"] == "环保" and created.prechange is None
    assert str(created.request_id) == response["X-Request-ID"]

    response = client.post(
        reverse("core:department_edit", args=[dept.pk]),
        {
            "code": "hb",
            "name": "生态环境分局",
            "kind": "environment",
            "org_unit": tree["street"].pk,
            "sort_order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    updated = entries_for(dept).last()
    assert updated.action == "update"
    assert updated.changed_fields == ["name"]
    assert updated.prechange["name"] == "环保" and updated.postchange["name"] == "生态环境分局"
    assert updated.diff() == [("name", "环保", "生态环境分局")]


def test_page_delete_logged_with_reason(client, tree, departments, admin_user):
    client.force_login(admin_user)
    dept = departments["urban"]
    pk = dept.pk
    response = client.post(
        reverse("core:department_delete", args=[pk]), {"_change_reason": "机构调整"}
    )
    assert response.status_code == 302
    entry = ChangeLogEntry.objects.filter(object_id=str(pk), action="delete").get()
    assert entry.reason == "机构调整"
    assert entry.prechange["name"] == "城管" and entry.postchange is None


def test_api_change_logged_with_header_reason(api_client, tree, departments, street_admin):
    api_client.force_authenticate(street_admin)
    dept = departments["east"]
    response = api_client.patch(
        f"/api/core/departments/{dept.pk}/",
        {"phone": "0574-1234"},
        format="json",
        HTTP_X_CHANGE_REASON=quote("电话变更"),
    )
    assert response.status_code == 200
    entry = entries_for(dept).last()
    assert entry.source == "api"
    assert entry.user == street_admin
    assert entry.reason == "电话变更"
    assert entry.changed_fields == ["phone"]
    assert str(entry.request_id) == response["X-Request-ID"]


def test_api_token_authenticated_change_names_the_user(client, tree, departments, street_admin):
    from streetbrain.core.actions import create_api_token

    _token, key = create_api_token(street_admin, "sync")
    response = client.patch(
        f"/api/core/departments/{departments['east'].pk}/",
        data='{"phone": "1"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 200
    assert entries_for(departments["east"]).last().user == street_admin


def test_admin_changes_are_logged(client, tree, departments, admin_user):
    client.force_login(admin_user)
    dept = departments["east"]
    url = reverse("admin:core_department_change", args=[dept.pk])
    response = client.post(
        url,
        {
            "code": dept.code,
            "name": "东城社区居民委员会",
            "kind": dept.kind,
            "org_unit": dept.org_unit_id,
            "phone": "",
            "is_active": "on",
            "sort_order": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = entries_for(dept).last()
    assert entry.source == "admin" and entry.user == admin_user
    assert entry.postchange["name"] == "东城社区居民委员会"


def test_cli_changes_are_logged(tree, monkeypatch):
    from django.db import connections

    from streetbrain.cli import main

    # run_from_argv closes the connections when a command ends, which would end the test's
    # transaction on PostgreSQL; the behaviour under test is the audit context.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    main(
        [
            "streetbrain",
            "createsuperuser",
            "--noinput",
            "--username",
            "root2",
            "--email",
            "r@example.org",
        ]
    )
    user = User.objects.get(username="root2")
    entry = entries_for(user).first()
    assert entry.action == "create"
    assert entry.source == "cli"
    assert entry.user is None and entry.user_name.startswith("cli:")


def test_task_changes_are_logged(tree):
    from streetbrain.core.tasks import refresh_key_figures

    with audit_context(source="task"):
        tree["east"].name = "东城"
        tree["east"].save()
    assert entries_for(tree["east"]).last().source == "task"
    assert refresh_key_figures.delay().get() > 0


def test_password_change_is_logged_but_never_its_value(tree, make_user):
    user = make_user("p", unit=tree["street"])
    old_hash = user.password
    user.set_password("another-long-password")
    user.save()
    entry = entries_for(user).last()
    assert entry.changed_fields == ["password"]
    assert entry.prechange["password"].startswith("******#")
    assert entry.prechange["password"] != entry.postchange["password"]
    assert old_hash not in str(entry.prechange) and user.password not in str(entry.postchange)


def test_last_login_alone_is_not_a_change(client, tree, make_user):
    user = make_user("login_only", role="leader", unit=tree["street"])
    before = entries_for(user).count()
    response = client.post(
        reverse("login"), {"username": "login_only", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert entries_for(user).count() == before


def test_role_membership_changes_are_logged(tree, make_user):
    from django.contrib.auth.models import Group

    user = make_user("r", unit=tree["street"])
    with audit_context(source="system", reason="岗位调整"):
        user.groups.add(Group.objects.get(name="dispatcher"))
    entry = entries_for(user).last()
    assert entry.changed_fields == ["groups"]
    assert entry.reason == "岗位调整"
    assert entry.postchange["groups"] == [Group.objects.get(name="dispatcher").pk]


def test_child_change_shows_on_parent(tree):
    """A grid's change is linked to nothing by default; models that declare ``audit_parent``
    show on their parent's log (the generic detail page reads both)."""
    from streetbrain.core.generic import object_changelog

    with audit_context(source="system"):
        tree["east"].name = "东城社区X"
        tree["east"].save()
    assert object_changelog(tree["east"]).filter(action="update").count() == 1


def test_log_entries_cannot_be_changed_or_deleted(tree):
    entry = ChangeLogEntry.objects.first()
    entry.reason = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ChangeLogEntry.objects.all().update(reason="x")
    with pytest.raises(PermissionError):
        ChangeLogEntry.objects.all().delete()


def test_log_is_read_only_in_api_and_admin(api_client, client, tree, admin_user):
    entry = ChangeLogEntry.objects.first()
    api_client.force_authenticate(admin_user)
    assert api_client.get(f"/api/core/changelog/{entry.pk}/").status_code == 200
    assert api_client.delete(f"/api/core/changelog/{entry.pk}/").status_code == 405
    assert api_client.patch(f"/api/core/changelog/{entry.pk}/", {}).status_code == 405
    client.force_login(admin_user)
    change = client.get(reverse("admin:core_changelogentry_change", args=[entry.pk]))
    assert change.status_code == 200 and "保存" not in change.content.decode()
    delete = client.post(
        reverse("admin:core_changelogentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert ChangeLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_to_change_the_log_on_postgresql(tree):
    from django.db import DatabaseError, transaction

    entry = ChangeLogEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_changelogentry SET reason = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_changelogentry WHERE id = %s", [entry.pk])


def test_object_page_shows_its_change_log(client, tree, departments, street_admin):
    with audit_context(source="system", reason="更新电话"):
        departments["east"].phone = "0574-999"
        departments["east"].save()
    client.force_login(street_admin)
    html = client.get(departments["east"].get_absolute_url()).content.decode()
    assert "变更记录" in html and "更新电话" in html


def test_object_log_page_needs_only_view_of_the_object(client, tree, departments, make_user):
    worker = make_user("gw", role="gridworker", unit=tree["east_grid"])
    client.force_login(worker)
    url = reverse("core:changelog_list")
    assert client.get(url).status_code == 403  # the global log needs its permission
    dept = departments["urban"]
    ok = client.get(url, {"object_type": "core.department", "object_id": dept.pk})
    assert ok.status_code == 200
    hidden = departments["river"]
    denied = client.get(url, {"object_type": "core.department", "object_id": hidden.pk})
    assert denied.status_code == 403


def test_cli_command_line_changes_carry_os_user(tree, capsys):
    with audit_context(source="cli", actor_name="cli:tester"):
        call_command(
            "createsuperuser", "--noinput", "--username", "root3", "--email", "x@example.org"
        )
    entry = entries_for(User.objects.get(username="root3")).first()
    assert entry.user_name == "cli:tester"


def test_entry_detail_open_to_viewers_of_the_object(client, tree, departments, make_user):
    with audit_context(source="system"):
        departments["urban"].phone = "1"
        departments["urban"].save()
        departments["river"].phone = "2"
        departments["river"].save()
    worker = make_user("gw2", role="gridworker", unit=tree["east_grid"])
    client.force_login(worker)
    seen = entries_for(departments["urban"]).last()
    hidden = entries_for(departments["river"]).last()
    assert client.get(seen.get_absolute_url()).status_code == 200
    assert client.get(hidden.get_absolute_url()).status_code == 404
