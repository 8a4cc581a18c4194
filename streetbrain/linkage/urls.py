"""Pages of the record linkage (namespace ``linkage``), under /linkage/."""

from django.urls import path

from . import views

app_name = "linkage"

urlpatterns = [
    path("", views.SourceListView.as_view(), name="source_list"),
    path("sources/new/", views.SourceLoadView.as_view(), name="source_add"),
    path("sources/<int:pk>/", views.SourceDetailView.as_view(), name="source_detail"),
    path("review/", views.ReviewQueueView.as_view(), name="review"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record_detail"),
    path("records/<int:pk>/reveal/", views.RecordRevealView.as_view(), name="stagedrecord_reveal"),
    path("records/<int:pk>/decide/", views.DecideView.as_view(), name="record_decide"),
    path("conflicts/", views.ConflictListView.as_view(), name="conflict_list"),
    path("conflicts/<int:pk>/", views.ConflictDetailView.as_view(), name="conflict_detail"),
    path("conflicts/<int:pk>/resolve/", views.ResolveView.as_view(), name="conflict_resolve"),
    path("residents/<int:pk>/", views.ResidentLineageView.as_view(), name="resident_lineage"),
    path("outboxes/", views.OutboxListView.as_view(), name="outbox_list"),
    path("outboxes/<str:department>/", views.OutboxDetailView.as_view(), name="outbox_detail"),
    path(
        "outboxes/<str:department>/export/",
        views.OutboxExportView.as_view(),
        name="outbox_export",
    ),
]
