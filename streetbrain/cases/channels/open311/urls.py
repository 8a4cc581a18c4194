"""Open311 GeoReport v2 at /open311/v2/ (see ``views`` for the choices the spec leaves open)."""

from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_view, name="requests"),
    re_path(r"^requests/(?P<request_id>\d{1,18})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FMT, views.token_detail, name="token"),
    # Anything else here is answered as the spec answers a missing resource, not as a page.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
