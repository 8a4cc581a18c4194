"""REST API of the cases app, under /api/cases/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "cases"

router = DefaultRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("reports", views.ReportViewSet, basename="report")
router.register("routing-rules", views.RoutingRuleViewSet, basename="routingrule")
router.register("time-limits", views.TimeLimitViewSet, basename="timelimit")
router.register("sensors", views.SensorViewSet, basename="sensor")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [path("", include(router.urls))]
