"""REST API of AI企服, under /api/services/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "services"

router = Router()
router.register("policies", views.PolicyViewSet, basename="policy")
router.register("matches", views.MatchViewSet, basename="match")
router.register("notices", views.NoticeViewSet, basename="notice")

urlpatterns = [path("", include(router.urls))]
