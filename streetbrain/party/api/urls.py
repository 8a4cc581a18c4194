"""REST API of party building, under /api/party/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "party"

router = Router()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("coverage", views.CoverageViewSet, basename="coverage")

urlpatterns = [path("", include(router.urls))]
