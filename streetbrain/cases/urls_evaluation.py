"""The evaluation (综合评价) page and its Excel bulletin, in the ``cases`` namespace."""

from django.urls import path

from . import views_evaluation

urlpatterns = [
    path("evaluation/", views_evaluation.EvaluationView.as_view(), name="evaluation"),
    path(
        "evaluation/export/",
        views_evaluation.EvaluationExportView.as_view(),
        name="evaluation_export",
    ),
]
