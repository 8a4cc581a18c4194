"""REST API of the business districts, under /api/districts/: the districts at the root."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "districts"

router = Router()
router.include_root_view = False  # the districts themselves are the root list
router.register("malls", views.ComplexViewSet, basename="complex")
router.register("stores", views.StoreViewSet, basename="store")
router.register("first-stores", views.FirstStoreViewSet, basename="firststore")
router.register("sales", views.SalesRecordViewSet, basename="sale")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("", views.BusinessDistrictViewSet, basename="district")

urlpatterns = [path("", include(router.urls))]
