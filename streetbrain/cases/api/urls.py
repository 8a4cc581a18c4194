"""REST API of the cases app, under /api/cases/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "cases"

router = Router()
router.register("cases", views.CaseViewSet, basename="case")
router.register("reports", views.ReportViewSet, basename="report")
router.register("routing-rules", views.RoutingRuleViewSet, basename="routingrule")
router.register("time-limits", views.TimeLimitViewSet, basename="timelimit")
router.register("sensors", views.SensorViewSet, basename="sensor")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [path("", include(router.urls))]
