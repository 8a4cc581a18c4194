"""REST API of 招商, under /api/investment/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "investment"

router = Router()
router.register("whitelist", views.WhitelistViewSet, basename="whitelist")
router.register("leads", views.LeadViewSet, basename="lead")
router.register("parks", views.ParkViewSet, basename="park")

urlpatterns = [path("", include(router.urls))]
