"""REST API of the community platform, under /api/community/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "community"

router = Router()
router.register("facilities", views.SpaceViewSet, basename="facility")
router.register("bookings", views.BookingViewSet, basename="booking")

urlpatterns = [path("", include(router.urls))]
