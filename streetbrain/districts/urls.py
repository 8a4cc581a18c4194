"""Pages of the business districts (namespace ``districts``), under /districts/."""

from django.urls import path

from streetbrain.core.dataio_views import ImportJobView, ObjectExportView, ObjectImportView

from . import filtersets, views

app_name = "districts"


def dataio(prefix, name, spec_key, filterset, importer=ObjectImportView, job=ImportJobView):
    return [
        path(f"{prefix}/import/", importer.as_view(spec_key=spec_key), name=f"{name}_import"),
        path(
            f"{prefix}/import/jobs/<int:pk>/",
            job.as_view(spec_key=spec_key),
            name=f"{name}_import_job",
        ),
        path(
            f"{prefix}/export/",
            ObjectExportView.as_view(spec_key=spec_key, filterset_class=filterset),
            name=f"{name}_export",
        ),
    ]


urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("districts/", views.BusinessDistrictListView.as_view(), name="businessdistrict_list"),
    path(
        "districts/<int:pk>/",
        views.BusinessDistrictDetailView.as_view(),
        name="businessdistrict_detail",
    ),
    path(
        "districts/<int:pk>/edit/",
        views.BusinessDistrictEditView.as_view(),
        name="businessdistrict_edit",
    ),
    path("malls/", views.ComplexListView.as_view(), name="complex_list"),
    path("malls/add/", views.ComplexEditView.as_view(), name="complex_add"),
    path("malls/<int:pk>/", views.ComplexDetailView.as_view(), name="complex_detail"),
    path("malls/<int:pk>/edit/", views.ComplexEditView.as_view(), name="complex_edit"),
    *dataio("stores", "store", "district-stores", filtersets.StoreFilterSet),
    path("stores/", views.StoreListView.as_view(), name="store_list"),
    path("stores/add/", views.StoreEditView.as_view(), name="store_add"),
    path("stores/<int:pk>/", views.StoreDetailView.as_view(), name="store_detail"),
    path("stores/<int:pk>/edit/", views.StoreEditView.as_view(), name="store_edit"),
    *dataio("first-stores", "firststore", "first-stores", filtersets.FirstStoreFilterSet),
    path("first-stores/", views.FirstStoreListView.as_view(), name="firststore_list"),
    path("first-stores/add/", views.FirstStoreEditView.as_view(), name="firststore_add"),
    path("first-stores/<int:pk>/", views.FirstStoreDetailView.as_view(), name="firststore_detail"),
    path("first-stores/<int:pk>/edit/", views.FirstStoreEditView.as_view(), name="firststore_edit"),
    *dataio("sales", "salesrecord", "store-sales", filtersets.StoreSalesFilterSet),
    *dataio(
        "sales/malls",
        "mallsales",
        "mall-sales",
        filtersets.MallSalesFilterSet,
        views.MallSalesImportView,
        views.MallSalesImportJobView,
    ),
    path("sales/", views.SalesRecordListView.as_view(), name="salesrecord_list"),
    path("sales/<int:pk>/", views.SalesRecordDetailView.as_view(), name="salesrecord_detail"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/add/", views.CampaignEditView.as_view(), name="campaign_add"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign_edit"),
]
