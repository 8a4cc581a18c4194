"""Staff pages of the cases app (namespace ``cases``, mounted at ``/cases/``)."""

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
    path("", views.CaseListView.as_view(), name="index"),
    path("export/", views.CaseExportView.as_view(), name="case_export"),
    path("new/", views.ReportNewView.as_view(), name="report_new"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/act/<slug:name>/", views.CaseActView.as_view(), name="case_act"),
    path("<int:pk>/reclassify/", views.CaseReclassifyView.as_view(), name="case_reclassify"),
    path("<int:pk>/place/", views.CasePlaceView.as_view(), name="case_place"),
    path("reports/<int:report>/split/", views.ReportSplitView.as_view(), name="report_split"),
    path("reports/<int:pk>/reveal/", views.ReportRevealView.as_view(), name="report_reveal"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        views.NotificationOpenView.as_view(),
        name="notification_open",
    ),
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
