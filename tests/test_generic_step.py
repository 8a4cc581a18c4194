"""``core.generic.StepView``, the one view behind every HTMX step on an object (the economy's
now; the cases' transitions are to follow): the permission before the object, the scope, the
uploads, the action's errors on the form's fields, the note as the change log's reason, and a
``next`` that must stay on the site."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from streetbrain.core.audit import audit_context, current
from streetbrain.core.generic import StepView
from streetbrain.economy.models import Enterprise
from tests.test_economy_models import build_economy

pytestmark = pytest.mark.django_db


class PhotoForm(forms.Form):
    note = forms.CharField(required=False)
    photos = forms.FileField(required=False)


class RenameView(StepView):
    """A test step on an enterprise: records what it was given; ``fail`` makes the action
    refuse the way the cases' actions do (``photo`` for the form's ``photos``)."""

    model = Enterprise
    steps = {"look": ("Look", PhotoForm, "economy.change_enterprise")}
    fragment = page = "economy/_action_form.html"
    error_aliases = {"photo": "photos"}
    done: list = []

    def action_url(self):
        return f"/step/{self.object.pk}/"

    def perform(self, form, user):
        if form.cleaned_data["note"] == "fail":
            raise ValidationError({"photo": "不是照片"})
        photo = form.cleaned_data["photos"]
        RenameView.done.append((self.object, user, photo.name if photo else None, current().reason))


@pytest.fixture
def world(tree, make_user):
    RenameView.done = []
    eco = build_economy(tree)
    return {
        **eco,
        "east_specialist": make_user("dc", role="building", unit=tree["east"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),  # views only
    }


def call(user, method, pk, name="look", data=None, htmx=False, host="testserver"):
    factory = RequestFactory(HTTP_HOST=host)
    if method == "get":
        request = factory.get(f"/step/{pk}/", data or {})
    else:
        request = factory.post(f"/step/{pk}/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.htmx = HtmxDetails(request)
    if htmx:
        request.META["HTTP_HX_REQUEST"] = "true"
    with audit_context(source="test"):
        response = RenameView.as_view()(request, pk=pk, name=name)
    if hasattr(response, "render"):
        response.render()
    return response


def test_a_role_without_the_permission_is_refused_before_the_object_is_looked_up(world):
    out_of_scope = world["enterprises"]["trade"].pk  # 江城
    with pytest.raises(PermissionDenied):
        call(world["leader"], "get", out_of_scope)
    with pytest.raises(PermissionDenied):
        call(world["leader"], "get", 987654)  # no such object: the same answer
    with pytest.raises(Http404):
        call(world["east_specialist"], "get", out_of_scope)
    with pytest.raises(Http404):
        call(world["east_specialist"], "get", world["enterprises"]["soft"].pk, name="nonsense")


def test_the_upload_reaches_the_action_and_the_note_is_the_reason(world):
    soft = world["enterprises"]["soft"]
    photo = SimpleUploadedFile("shop.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = call(
        world["east_specialist"], "post", soft.pk, data={"note": "看过了", "photos": photo}
    )
    assert response.status_code == 302 and response["Location"] == soft.get_absolute_url()
    assert RenameView.done == [(soft, world["east_specialist"], "shop.jpg", "看过了")]


def test_the_actions_error_lands_on_its_field_and_htmx_gets_the_form_again(world):
    soft = world["enterprises"]["soft"]
    response = call(world["east_specialist"], "post", soft.pk, data={"note": "fail"}, htmx=True)
    assert response.status_code == 200 and "HX-Redirect" not in response
    body = response.content.decode()
    assert "不是照片" in body and "field-photos has-error" in body
    assert RenameView.done == []
    without_htmx = call(world["east_specialist"], "post", soft.pk, data={"note": "fail"})
    assert without_htmx.status_code == 400


def test_next_is_followed_only_on_this_site(world):
    soft = world["enterprises"]["soft"]
    user = world["east_specialist"]
    here = call(user, "post", soft.pk, data={"next": "/economy/leases/"}, htmx=True)
    assert here["HX-Redirect"] == "/economy/leases/"
    away = call(user, "post", soft.pk, data={"next": "https://evil.example/"}, htmx=True)
    assert away["HX-Redirect"] == soft.get_absolute_url()
