"""Pages of the building brain (namespace ``economy``), under /economy/."""

from django.urls import path

from streetbrain.core.dataio_views import ObjectExportView

from . import filtersets, views

app_name = "economy"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("buildings/", views.OfficeBuildingListView.as_view(), name="officebuilding_list"),
    path(
        "buildings/export/",
        ObjectExportView.as_view(
            spec_key="office-buildings", filterset_class=filtersets.OfficeBuildingFilterSet
        ),
        name="officebuilding_export",
    ),
    path(
        "buildings/<int:pk>/",
        views.OfficeBuildingDetailView.as_view(),
        name="officebuilding_detail",
    ),
    path(
        "buildings/<int:pk>/edit/",
        views.OfficeBuildingEditView.as_view(),
        name="officebuilding_edit",
    ),
    path("buildings/<int:pk>/sign/", views.SignLeaseView.as_view(), name="officebuilding_sign"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path(
        "units/export/",
        ObjectExportView.as_view(spec_key="units", filterset_class=filtersets.UnitFilterSet),
        name="unit_export",
    ),
    path("leases/", views.LeaseListView.as_view(), name="lease_list"),
    path(
        "leases/export/",
        ObjectExportView.as_view(spec_key="leases", filterset_class=filtersets.LeaseListFilterSet),
        name="lease_export",
    ),
    path("leases/<int:pk>/<slug:name>/", views.LeaseActView.as_view(), name="lease_act"),
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path(
        "enterprises/export/",
        ObjectExportView.as_view(
            spec_key="enterprises", filterset_class=filtersets.EnterpriseFilterSet
        ),
        name="enterprise_export",
    ),
    path("enterprises/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path(
        "enterprises/<int:pk>/status/",
        views.EnterpriseStatusView.as_view(),
        name="enterprise_status",
    ),
    path("warnings/", views.MoveOutWarningListView.as_view(), name="moveoutwarning_list"),
    path(
        "warnings/<int:pk>/", views.MoveOutWarningDetailView.as_view(), name="moveoutwarning_detail"
    ),
    path(
        "warnings/<int:pk>/act/<slug:name>/",
        views.MoveOutWarningActView.as_view(),
        name="moveoutwarning_act",
    ),
]
