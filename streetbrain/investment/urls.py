"""Pages of 招商 (namespace ``investment``), under /investment/."""

from django.urls import path

from streetbrain.core.dataio_views import ImportJobView, ObjectExportView, ObjectImportView

from . import views
from .filtersets import LeadFilterSet

app_name = "investment"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("whitelist/", views.WhitelistView.as_view(), name="whitelist"),
    path("whitelist/runs/<int:pk>/", views.WhitelistView.as_view(), name="whitelistrun_detail"),
    path(
        "whitelist/runs/<int:pk>/export/",
        views.WhitelistExportView.as_view(),
        name="whitelistrun_export",
    ),
    path(
        "whitelist/entries/<int:pk>/",
        views.WhitelistEntryView.as_view(),
        name="whitelistentry_detail",
    ),
    path(
        "whitelist/factors/<int:pk>/edit/",
        views.WeightEditView.as_view(),
        name="whitelistfactor_edit",
    ),
    path("whitelist/chains/<int:pk>/edit/", views.ChainEditView.as_view(), name="chain_edit"),
    path("whitelist/<slug:name>/", views.WhitelistActionView.as_view(), name="whitelist_act"),
    path(
        "whitelist/<slug:name>/<int:pk>/",
        views.WhitelistActionView.as_view(),
        name="whitelist_act_on",
    ),
    path("leads/", views.LeadListView.as_view(), name="lead_list"),
    path("leads/new/", views.LeadEditView.as_view(), name="lead_add"),
    path(
        "leads/import/",
        ObjectImportView.as_view(spec_key="investment-leads"),
        name="lead_import",
    ),
    path(
        "leads/import/jobs/<int:pk>/",
        ImportJobView.as_view(spec_key="investment-leads"),
        name="lead_import_job",
    ),
    path(
        "leads/export/",
        ObjectExportView.as_view(spec_key="investment-leads", filterset_class=LeadFilterSet),
        name="lead_export",
    ),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", views.LeadEditView.as_view(), name="lead_edit"),
    path("leads/<int:pk>/shortlist/", views.ShortlistExportView.as_view(), name="lead_shortlist"),
    path(
        "leads/<int:pk>/shortlist/pdf/",
        views.ShortlistExportView.as_view(file_format="pdf"),
        name="lead_shortlist_pdf",
    ),
    path("leads/<int:pk>/add/<slug:kind>/", views.LeadVisitView.as_view(), name="lead_add_event"),
    path("leads/<int:pk>/<slug:name>/", views.LeadStepView.as_view(), name="lead_step"),
    path("space/", views.VacantSpaceListView.as_view(), name="space_list"),
    path("space/<int:pk>/", views.SpaceMatchView.as_view(), name="space_match"),
    path("parks/", views.ParkListView.as_view(), name="park_list"),
    *[
        p
        for prefix, spec_key, name in (
            ("ecommerce/profiles", "ecommerce-profiles", "ecommerceprofile"),
            ("ecommerce/turnover", "ecommerce-turnover", "ecommerceturnover"),
        )
        for p in (
            path(
                f"{prefix}/import/",
                ObjectImportView.as_view(spec_key=spec_key),
                name=f"{name}_import",
            ),
            path(
                f"{prefix}/import/jobs/<int:pk>/",
                ImportJobView.as_view(spec_key=spec_key),
                name=f"{name}_import_job",
            ),
            path(
                f"{prefix}/export/",
                ObjectExportView.as_view(spec_key=spec_key),
                name=f"{name}_export",
            ),
        )
    ],
    path("parks/<int:pk>/", views.ParkDetailView.as_view(), name="park_detail"),
]
