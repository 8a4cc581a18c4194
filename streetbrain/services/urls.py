"""Pages of AI企服 (namespace ``services``), under /services/."""

from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("me/", views.MeView.as_view(), name="me"),
    path("import/", views.PolicyImportView.as_view(), name="policy_import"),
    path("recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("policies/add/", views.PolicyEditView.as_view(), name="policy_add"),
    path("policies/<int:pk>/", views.PolicyDetailView.as_view(), name="policy_detail"),
    path("policies/<int:pk>/edit/", views.PolicyEditView.as_view(), name="policy_edit"),
    path("policies/<int:policy>/clauses/add/", views.ClauseEditView.as_view(), name="clause_add"),
    path("clauses/<int:pk>/", views.ClauseDetailView.as_view(), name="clause_detail"),
    path("clauses/<int:pk>/edit/", views.ClauseEditView.as_view(), name="clause_edit"),
    path("clauses/<int:pk>/send/", views.SendNoticesView.as_view(), name="clause_send"),
    path(
        "clauses/<int:pk>/export/<slug:gateway>/",
        views.ExportNoticesView.as_view(),
        name="clause_export",
    ),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/<slug:step>/", views.NoticeStepView.as_view(), name="notice_step"),
]
