"""REST API of the cooperatives, under /api/cooperatives/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "cooperatives"

router = Router()
router.register("accounts", views.AnnualAccountViewSet, basename="account")
router.register("", views.CooperativeViewSet, basename="cooperative")

urlpatterns = [path("", include(router.urls))]
