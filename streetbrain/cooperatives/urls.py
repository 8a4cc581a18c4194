from django.urls import path

from streetbrain.core.dataio_views import ImportJobView, ObjectImportView

from . import views

app_name = "cooperatives"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("list/", views.CooperativeListView.as_view(), name="cooperative_list"),
    path("<int:pk>/", views.CooperativeDetailView.as_view(), name="cooperative_detail"),
    path("<int:pk>/grade/", views.GradeView.as_view(), name="cooperative_grade"),
    path("<int:pk>/override/", views.OverrideView.as_view(), name="cooperative_override"),
    path("<int:pk>/exit/", views.OpenExitView.as_view(), name="cooperative_open_exit"),
    path("exits/<int:pk>/<str:name>/", views.ExitStepView.as_view(), name="exit_step"),
    path("measures/<int:pk>/done/", views.MeasureDoneView.as_view(), name="measure_done"),
    path("<int:pk>/plans/add/", views.PlanAddView.as_view(), name="plan_add"),
    path("plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/measures/add/", views.MeasureAddView.as_view(), name="measure_add"),
    path("measures/<int:pk>/edit/", views.MeasureEditView.as_view(), name="measure_edit"),
    path("<int:pk>/disputes/add/", views.DisputeFileView.as_view(), name="dispute_file"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("indicators/<int:pk>/edit/", views.IndicatorEditView.as_view(), name="indicator_edit"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path(
        "members/import/",
        ObjectImportView.as_view(spec_key="cooperative-members"),
        name="member_import",
    ),
    path(
        "members/import/jobs/<int:pk>/",
        ImportJobView.as_view(spec_key="cooperative-members"),
        name="member_import_job",
    ),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/reveal/", views.MemberRevealView.as_view(), name="member_reveal"),
]
