"""The workflow's staff pages (namespace ``cases``, mounted at ``/cases/``): the case list, a
case's page with its steps and corrections, notifications."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.CaseListView.as_view(), name="index"),
    path("export/", views.CaseExportView.as_view(), name="case_export"),
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
]
