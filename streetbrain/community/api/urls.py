"""REST API of the community platform, under /api/community/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "community"

router = Router()
router.register("facilities", views.SpaceViewSet, basename="facility")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("points", views.PointEntryViewSet, basename="point")
router.register("consultations", views.ConsultationViewSet, basename="consultation")
router.register("services", views.ServiceViewSet, basename="service")
router.register("service-requests", views.ServiceRequestViewSet, basename="servicerequest")
router.register("signups", views.SignupViewSet, basename="signup")
router.register("proposals", views.ProposalViewSet, basename="proposal")

urlpatterns = [path("", include(router.urls))]
