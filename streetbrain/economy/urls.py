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
    path("units/", views.UnitListView.as_view(), name="unit_list"),
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
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path(
        "enterprises/export/",
        ObjectExportView.as_view(
            spec_key="enterprises", filterset_class=filtersets.EnterpriseFilterSet
        ),
        name="enterprise_export",
    ),
    path("enterprises/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
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
