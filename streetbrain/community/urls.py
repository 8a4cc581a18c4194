"""Pages of the community platform (namespace ``community``), under /community/."""

from django.urls import path

from streetbrain.core.generic import ObjectRevealView

from . import views
from .models import ResidentAccount

app_name = "community"

urlpatterns = [
    # the residents' site (mobile first)
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("household/", views.HouseholdView.as_view(), name="household"),
    path("spaces/", views.SpaceListView.as_view(), name="spaces"),
    path("spaces/<int:pk>/", views.SpaceBookView.as_view(), name="space_book"),
    path("bookings/", views.MyBookingsView.as_view(), name="my_bookings"),
    path("checkin/<str:code>/", views.DoorCheckInView.as_view(), name="door_checkin"),
    path("activities/", views.ActivitiesView.as_view(), name="activities"),
    path("points/", views.PointsView.as_view(), name="points"),
    path("consultations/", views.ConsultationsView.as_view(), name="consultations"),
    path("reports/", views.MyReportsView.as_view(), name="reports"),
    path("proposals/", views.ProposalsView.as_view(), name="proposals"),
    path("services/", views.ServicesView.as_view(), name="services"),
    # the staff's workbench
    path("manage/", views.WorkbenchView.as_view(), name="manage"),
    path("manage/accounts/", views.AccountListView.as_view(), name="residentaccount_list"),
    path(
        "manage/accounts/<int:pk>/",
        views.AccountDetailView.as_view(),
        name="residentaccount_detail",
    ),
    path(
        "manage/accounts/<int:pk>/reveal/",
        ObjectRevealView.as_view(model=ResidentAccount),
        name="residentaccount_reveal",
    ),
    path(
        "manage/accounts/<int:pk>/decide/",
        views.AccountDecideView.as_view(),
        name="residentaccount_decide",
    ),
    path("manage/spaces/", views.SpaceListStaffView.as_view(), name="space_list"),
    path("manage/spaces/<int:pk>/", views.SpaceDetailView.as_view(), name="space_detail"),
    path("manage/bookings/", views.BookingListView.as_view(), name="booking_list"),
    path("manage/bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking_detail"),
    path(
        "manage/bookings/<int:pk>/checkin/",
        views.BookingCheckInView.as_view(),
        name="booking_checkin",
    ),
    path("manage/usage/", views.UsageReportView.as_view(), name="usage"),
    path("manage/lifecircle/", views.LifeCircleView.as_view(), name="lifecircle"),
    path("manage/activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("manage/activities/add/", views.ActivityEditView.as_view(), name="activity_add"),
    path("manage/activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path(
        "manage/activities/<int:pk>/edit/", views.ActivityEditView.as_view(), name="activity_edit"
    ),
    path(
        "manage/activities/<int:pk>/attendance/",
        views.ActivityAttendanceView.as_view(),
        name="activity_attendance",
    ),
    path("manage/signups/<int:pk>/", views.SignupDetailView.as_view(), name="signup_detail"),
    path("manage/points/", views.PointEntryListView.as_view(), name="pointentry_list"),
    path("manage/points/spend/", views.SpendPointsView.as_view(), name="points_spend"),
    path("manage/points/<int:pk>/", views.PointEntryDetailView.as_view(), name="pointentry_detail"),
    path("manage/consultations/", views.ConsultationListView.as_view(), name="consultation_list"),
    path(
        "manage/consultations/add/", views.ConsultationEditView.as_view(), name="consultation_add"
    ),
    path(
        "manage/consultations/<int:pk>/",
        views.ConsultationDetailView.as_view(),
        name="consultation_detail",
    ),
    path(
        "manage/consultations/<int:pk>/edit/",
        views.ConsultationEditView.as_view(),
        name="consultation_edit",
    ),
    path("manage/proposals/", views.ProposalListView.as_view(), name="proposal_list"),
    path("manage/proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path(
        "manage/proposals/<int:pk>/review/",
        views.ProposalReviewView.as_view(),
        name="proposal_review",
    ),
    path("manage/votes/<int:pk>/", views.VoteDetailView.as_view(), name="vote_detail"),
    path(
        "manage/reports/<int:pk>/",
        views.ResidentReportDetailView.as_view(),
        name="residentreport_detail",
    ),
    path("manage/services/", views.ServiceListView.as_view(), name="service_list"),
    path("manage/services/add/", views.ServiceEditView.as_view(), name="service_add"),
    path("manage/services/<int:pk>/", views.ServiceDetailView.as_view(), name="service_detail"),
    path("manage/services/<int:pk>/edit/", views.ServiceEditView.as_view(), name="service_edit"),
    path("manage/requests/", views.ServiceRequestListView.as_view(), name="servicerequest_list"),
    path(
        "manage/requests/<int:pk>/",
        views.ServiceRequestDetailView.as_view(),
        name="servicerequest_detail",
    ),
    path(
        "manage/requests/<int:pk>/answer/",
        views.ServiceRequestAnswerView.as_view(),
        name="servicerequest_answer",
    ),
    path("manage/notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("manage/notices/add/", views.NoticeEditView.as_view(), name="notice_add"),
    path("manage/notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("manage/notices/<int:pk>/edit/", views.NoticeEditView.as_view(), name="notice_edit"),
    path("manage/residents/<int:pk>/qr/", views.ResidentQrView.as_view(), name="resident_qr"),
]
