from django.urls import path

from streetbrain.core.dataio_views import ImportJobView, ObjectExportView, ObjectImportView

from . import filtersets, views

app_name = "registry"

# type → (import/export spec key, the list's filterset: exports follow the list's filters)
DATAIO = {
    "building": ("buildings", filtersets.BuildingFilterSet),
    "house": ("houses", filtersets.HouseFilterSet),
    "household": ("households", filtersets.HouseholdFilterSet),
    "resident": ("residents", filtersets.ResidentFilterSet),
    "facility": ("facilities", filtersets.FacilityFilterSet),
    "shop": ("shops", filtersets.ShopFilterSet),
}


def crud(prefix: str, name: str, list_view, detail, edit, delete, reveal=None):
    spec_key, filterset = DATAIO[name]
    patterns = [
        path(
            f"{prefix}/import/", ObjectImportView.as_view(spec_key=spec_key), name=f"{name}_import"
        ),
        path(
            f"{prefix}/import/jobs/<int:pk>/",
            ImportJobView.as_view(spec_key=spec_key),
            name=f"{name}_import_job",
        ),
        path(
            f"{prefix}/export/",
            ObjectExportView.as_view(spec_key=spec_key, filterset_class=filterset),
            name=f"{name}_export",
        ),
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]
    if reveal is not None:
        patterns.append(path(f"{prefix}/<int:pk>/reveal/", reveal.as_view(), name=f"{name}_reveal"))
    return patterns


urlpatterns = [
    path("", views.RegistryIndexView.as_view(), name="index"),
    path("places/", views.PlaceListView.as_view(), name="place_list"),
    path("places/<int:pk>/", views.PlaceDetailView.as_view(), name="place_detail"),
    path("codes/components/", views.ComponentClassListView.as_view(), name="componentclass_list"),
    path("codes/industries/", views.IndustryClassListView.as_view(), name="industryclass_list"),
    *crud(
        "buildings",
        "building",
        views.BuildingListView,
        views.BuildingDetailView,
        views.BuildingEditView,
        views.BuildingDeleteView,
    ),
    *crud(
        "houses",
        "house",
        views.HouseListView,
        views.HouseDetailView,
        views.HouseEditView,
        views.HouseDeleteView,
    ),
    *crud(
        "households",
        "household",
        views.HouseholdListView,
        views.HouseholdDetailView,
        views.HouseholdEditView,
        views.HouseholdDeleteView,
    ),
    *crud(
        "residents",
        "resident",
        views.ResidentListView,
        views.ResidentDetailView,
        views.ResidentEditView,
        views.ResidentDeleteView,
        views.ResidentRevealView,
    ),
    *crud(
        "facilities",
        "facility",
        views.FacilityListView,
        views.FacilityDetailView,
        views.FacilityEditView,
        views.FacilityDeleteView,
    ),
    *crud(
        "shops",
        "shop",
        views.ShopListView,
        views.ShopDetailView,
        views.ShopEditView,
        views.ShopDeleteView,
        views.ShopRevealView,
    ),
]
