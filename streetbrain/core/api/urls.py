from django.urls import include, path

from . import views
from .routers import Router

app_name = "core"

router = Router()
router.register("org-units", views.OrgUnitViewSet, basename="orgunit")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("grids", views.GridViewSet, basename="grid")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("users", views.UserViewSet, basename="user")
router.register("changelog", views.ChangeLogViewSet, basename="changelog")
router.register("tokens", views.ApiTokenViewSet, basename="apitoken")

urlpatterns = [path("", include(router.urls))]
