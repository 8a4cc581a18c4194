"""The intake's staff pages (namespace ``cases``, mounted at ``/cases/``): the 受理 desk and the
configuration the pipeline reads."""

from django.urls import path

from . import views


def config(prefix: str, name: str, list_view, edit, delete=None) -> list:
    """List, add and edit (and delete) pages of a configuration type, named ``<name>_…``."""
    patterns = [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
    ]
    if delete is not None:
        patterns.append(path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"))
    return patterns


urlpatterns = [
    path("new/", views.ReportNewView.as_view(), name="report_new"),
    *config(
        "config/routing",
        "routing",
        views.RoutingRuleListView,
        views.RoutingRuleEditView,
        views.RoutingRuleDeleteView,
    ),
    *config(
        "config/time-limits",
        "timelimit",
        views.TimeLimitListView,
        views.TimeLimitEditView,
        views.TimeLimitDeleteView,
    ),
    *config("config/sensors", "sensor", views.SensorListView, views.SensorEditView),
]
