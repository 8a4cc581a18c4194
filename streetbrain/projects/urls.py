"""Pages of the key projects (namespace ``projects``), under /projects/."""

from django.urls import path

from streetbrain.core.dataio_views import ImportJobView, ObjectImportView

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.BoardView.as_view(), name="index"),
    path("new/", views.ProjectEditView.as_view(), name="project_add"),
    path("<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("<int:pk>/add/<slug:name>/", views.PartAddView.as_view(), name="part_add"),
    path("parts/<slug:name>/<int:pk>/", views.PartEditView.as_view(), name="part_edit"),
    path("members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path("plots/<int:pk>/hard-case/", views.HardCaseOpenView.as_view(), name="hardcase_open"),
    path(
        "indicators/<int:pk>/<slug:name>/",
        views.StreetIndicatorStepView.as_view(),
        name="indicator_step",
    ),
    path("notices/", views.NoticeListView.as_view(), name="notices"),
    path("notices/<int:pk>/", views.NoticeOpenView.as_view(), name="notice_open"),
    path("report.xlsx", views.ReportView.as_view(), name="monthly_report"),
    path("report.pdf", views.ReportView.as_view(fmt="pdf"), name="report_pdf"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/report/", views.ReportSubmitView.as_view(), name="report_submit"),
    path(
        "reports/<int:pk>/attachment/",
        views.ReportAttachmentView.as_view(),
        name="report_attachment",
    ),
    path("reports/<int:pk>/decide/", views.ReportDecideView.as_view(), name="report_decide"),
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path(
        "indicators/import/",
        ObjectImportView.as_view(spec_key="indicator-actuals"),
        name="indicatoractual_import",
    ),
    path(
        "indicators/import/jobs/<int:pk>/",
        ImportJobView.as_view(spec_key="indicator-actuals"),
        name="indicatoractual_import_job",
    ),
    path("plots/", views.PlotListView.as_view(), name="plot_list"),
    path(
        "households/import/",
        ObjectImportView.as_view(spec_key="expropriation-households"),
        name="household_import",
    ),
    path(
        "households/import/jobs/<int:pk>/",
        ImportJobView.as_view(spec_key="expropriation-households"),
        name="household_import_job",
    ),
    path("plots/<int:pk>/", views.PlotDetailView.as_view(), name="plot_detail"),
    path(
        "households/<int:pk>/<slug:name>/",
        views.HouseholdAdvanceView.as_view(),
        name="household_advance",
    ),
    path("hard-cases/", views.HardCaseListView.as_view(), name="hardcase_list"),
    path("hard-cases/mine/", views.HardCaseListView.as_view(mine=True), name="my_hardcases"),
    path("hard-cases/<int:pk>/", views.HardCaseDetailView.as_view(), name="hardcase_detail"),
    path("sites/<int:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("sites/<int:pk>/issue/", views.SiteIssueView.as_view(), name="site_issue"),
    path("<int:pk>/meeting/", views.MeetingView.as_view(), name="meeting_add"),
    path("milestones/<int:pk>/reach/", views.MilestoneReachView.as_view(), name="milestone_reach"),
    path("follow-ups/<int:pk>/done/", views.FollowUpDoneView.as_view(), name="followup_done"),
]
