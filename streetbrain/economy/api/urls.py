"""REST API of the building economy, under /api/economy/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "economy"

router = Router()
router.register("buildings", views.OfficeBuildingViewSet, basename="building")
router.register("units", views.UnitViewSet, basename="unit")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("leases", views.LeaseViewSet, basename="lease")
router.register("warnings", views.MoveOutWarningViewSet, basename="warning")
router.register("metrics", views.MonthlyFigureViewSet, basename="metric")

urlpatterns = [path("", include(router.urls))]
