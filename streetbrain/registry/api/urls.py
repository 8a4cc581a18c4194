from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "registry"

router = Router()
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("houses", views.HouseViewSet, basename="house")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("residents", views.ResidentViewSet, basename="resident")
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("shops", views.ShopViewSet, basename="shop")

urlpatterns = [path("", include(router.urls))]
