"""What the community platform (社区提亮增色) contributes through the extension points: the
江城社区 staff's role and its workbench in the menu, the grid worker's verification QR code on
a resident's page, the no-show task, and the URL mounts of the residents' site, the workbench
and the API. Residents hold no role: ``models.CommunityQuerySet`` scopes them to their
household."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import (
    Grant,
    MenuEntry,
    MenuItem,
    PeriodicTask,
    RelatedPanel,
    Role,
    UrlMount,
)
from streetbrain.core.roles import VIEW_ORG
from streetbrain.registry.permissions import CODE_TABLES, PEOPLE, THINGS

COMMUNITY_VIEW = tuple(
    f"community.view_{m}"
    for m in (
        "residentaccount",
        "space",
        "booking",
        "activity",
        "signup",
        "pointentry",
        "notice",
        "consultation",
        "consultationoption",
        "vote",
        "residentreport",
        "service",
        "servicerequest",
        "proposal",
    )
)
COMMUNITY_KEEP = (
    "community.verify_residentaccount",
    "community.review_proposal",
    *(
        f"community.{a}_{m}"
        for m in (
            "booking",
            "space",
            "activity",
            "signup",
            "pointentry",
            "notice",
            "consultation",
            "service",
            "servicerequest",
            "proposal",
        )
        for a in ("add", "change")
    ),
)


def resident_qr(resident, user) -> dict | None:
    """On a resident's page: the link to the QR code a grid worker shows at the door."""
    return {"url": reverse("community:resident_qr", args=[resident.pk])}


related_panels = [
    RelatedPanel(
        "community.resident_qr",
        "registry.resident",
        "community.view_residentaccount",
        resident_qr,
        template="community/_resident_qr_panel.html",
        order=80,
    ),
]

menu = [
    MenuEntry(
        "community",
        _("Community platform"),
        "community:manage",
        _("Residents' accounts, bookings of the 城市综合服务体, indicators (社区提亮增色)"),
        "community.view_space",
        order=60,
        children=(
            MenuItem(_("Verification queue"), "community:residentaccount_list"),
            MenuItem(_("Bookings"), "community:booking_list"),
            MenuItem(_("Bookable spaces"), "community:space_list"),
            MenuItem(_("Usage report"), "community:usage"),
            MenuItem(_("15-minute life circle"), "community:lifecircle"),
            MenuItem(_("Activities"), "community:activity_list"),
            MenuItem(_("Neighbourhood points"), "community:pointentry_list"),
            MenuItem(_("Notices"), "community:notice_list"),
            MenuItem(_("Consultations"), "community:consultation_list"),
            MenuItem(_("Residents' proposals"), "community:proposal_list"),
            MenuItem(_("Services"), "community:service_list"),
            MenuItem(_("Service requests"), "community:servicerequest_list"),
        ),
    ),
]

roles = [
    Role(
        "community",
        _("Community staff"),
        _("Runs the community platform: confirms residents, bookings, activities (社区工作者)."),
        (
            *VIEW_ORG,
            *CODE_TABLES,
            *THINGS,
            *PEOPLE,
            *COMMUNITY_VIEW,
            *COMMUNITY_KEEP,
        ),
        order=80,
    ),
]

grants = [
    Grant("community.leader", "leader", COMMUNITY_VIEW),
    # The grid worker shows the verification QR code and sees the claims of their grid.
    Grant("community.gridworker", "gridworker", COMMUNITY_VIEW),
]

periodic_tasks = [
    PeriodicTask("community-no-shows", "streetbrain.community.tasks.mark_no_shows", 300),
]

url_mounts = [
    UrlMount("community", "community/", "streetbrain.community.urls", order=60),
    UrlMount("community.api", "community/", "streetbrain.community.api.urls", api=True, order=60),
]
