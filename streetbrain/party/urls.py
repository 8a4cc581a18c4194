from django.urls import path

from . import views

app_name = "party"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/add/", views.OrganisationEditView.as_view(), name="organisation_add"),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisations/<int:pk>/edit/",
        views.OrganisationEditView.as_view(),
        name="organisation_edit",
    ),
    path(
        "organisations/<int:pk>/activity/",
        views.ActivityRecordView.as_view(),
        name="organisation_activity",
    ),
    path("organisations/<int:pk>/rate/", views.RateView.as_view(), name="organisation_rate"),
    path("members/", views.PartyMemberListView.as_view(), name="partymember_list"),
    path("members/add/", views.PartyMemberEditView.as_view(), name="partymember_add"),
    path("members/<int:pk>/", views.PartyMemberDetailView.as_view(), name="partymember_detail"),
    path("members/<int:pk>/edit/", views.PartyMemberEditView.as_view(), name="partymember_edit"),
    path(
        "members/<int:pk>/reveal/",
        views.PartyMemberRevealView.as_view(),
        name="partymember_reveal",
    ),
    path("alliances/", views.AllianceListView.as_view(), name="alliance_list"),
    path("alliances/add/", views.AllianceEditView.as_view(), name="alliance_add"),
    path("alliances/<int:pk>/", views.AllianceDetailView.as_view(), name="alliance_detail"),
    path("alliances/<int:pk>/edit/", views.AllianceEditView.as_view(), name="alliance_edit"),
]
