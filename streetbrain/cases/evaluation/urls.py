"""The evaluation (综合评价) page and its Excel bulletin, in the ``cases`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path(
        "evaluation/export/",
        views.EvaluationExportView.as_view(),
        name="evaluation_export",
    ),
]
