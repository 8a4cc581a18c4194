"""REST API of the record linkage, under /api/linkage/."""

from django.urls import include, path

from streetbrain.core.api.routers import Router

from . import views

app_name = "linkage"

router = Router()
router.register("sources", views.SourceViewSet, basename="source")
router.register("records", views.StagedRecordViewSet, basename="record")
router.register("conflicts", views.ConflictViewSet, basename="conflict")

urlpatterns = [path("", include(router.urls))]
