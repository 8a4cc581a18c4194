"""REST API of the key projects, under /api/projects/: the projects themselves at the root."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "projects"

router = Router()
router.include_root_view = False
router.register("indicators", views.StreetIndicatorViewSet, basename="indicator")
router.register("plots", views.PlotViewSet, basename="plot")
router.register("hard-cases", views.HardCaseViewSet, basename="hardcase")
router.register("", views.ProjectViewSet, basename="project")

urlpatterns = [path("", include(router.urls))]
