from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "core"

router = DefaultRouter()
router.register("org-units", views.OrgUnitViewSet, basename="orgunit")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("grids", views.GridViewSet, basename="grid")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("users", views.UserViewSet, basename="user")
router.register("changelog", views.ChangeLogViewSet, basename="changelog")
router.register("tokens", views.ApiTokenViewSet, basename="apitoken")

urlpatterns = [path("", include(router.urls))]
