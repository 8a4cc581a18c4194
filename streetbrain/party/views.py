"""The party-building pages: the dashboard (coverage of the towers, the gaps, alliances, the
year's activities and stars), the organisations and their page (members masked, activities with
attendance, stars with their indicators), members with reveal, alliances; the edit pages of
organisations, members and alliances, and the two steps on an organisation: record an
activity with its attendance, rate the year (each calls its action)."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from streetbrain.core.generic import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectRevealView,
    ScopedObjectMixin,
    StepView,
)

from . import actions, coverage, forms
from .filtersets import OrganisationFilterSet
from .models import Activity, Alliance, Organisation, PartyMember, StarRating


class DashboardView(ScopedObjectMixin, TemplateView):
    model = Organisation
    template_name = "party/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        towers = coverage.towers(user, today)
        year = today.year
        orgs = Organisation.objects.restrict(user)
        ctx.update(
            title=_("Party building"),
            towers=towers,
            rate=coverage.rate(towers),
            gaps=coverage.gaps(user, today),
            enterprises=coverage.enterprises(user, today)[:30],
            alliances=list(Alliance.objects.restrict(user).annotate(n=Count("organisations"))),
            organisations=orgs.count(),
            members=PartyMember.objects.restrict(user).count(),
            transient=PartyMember.objects.restrict(user).filter(transient=True).count(),
            activities=Activity.objects.restrict(user).filter(date__year=year).count(),
            stars=list(
                StarRating.objects.restrict(user)
                .filter(year=year - 1)
                .values_list("stars")
                .annotate(n=Count("pk"))
                .order_by("-stars")
            ),
            rating_year=year - 1,
        )
        return ctx


class OrganisationListView(ObjectListView):
    model = Organisation
    filterset_class = OrganisationFilterSet
    select_related = ("org_unit", "building__building")
    columns = [
        Column("name", link=True, order_by="name"),
        Column("level"),
        Column("form"),
        Column("attached_to"),
        Column("building"),
        Column("place"),
        Column("secretary"),
        Column("org_unit"),
    ]


class OrganisationDetailView(ObjectDetailView):
    model = Organisation
    template_name = "party/organisation_detail.html"
    select_related = ("org_unit", "building__building", "parent")
    fields = [
        Column("level"),
        Column("form"),
        Column("attached_to"),
        Column("building"),
        Column("place"),
        Column("parent"),
        Column("secretary"),
        Column("founded_on"),
        Column("org_unit"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = ctx["object"]
        members = list(org.members.select_related("employer"))
        ctx.update(
            members=members,
            enterprises=list(org.enterprises.all()),
            activities=list(org.activities.annotate(n=Count("attendees"))[:40]),
            member_count=len(members),
            ratings=list(org.ratings.order_by("-year")),
            alliances=list(org.alliances.all()),
            can_record=self.request.user.has_perm(actions.ACTIVITY_PERMISSION),
            can_rate=self.request.user.has_perm(actions.RATE_PERMISSION),
        )
        return ctx


class PartyMemberListView(ObjectListView):
    model = PartyMember
    select_related = ("organisation", "employer")
    columns = [
        Column("name", link=True),
        Column("id_number_masked"),
        Column("organisation"),
        Column("transient"),
        Column("employer"),
    ]


class PartyMemberDetailView(ObjectDetailView):
    model = PartyMember
    select_related = ("organisation", "employer", "org_unit")
    fields = [
        Column("organisation"),
        Column("transient"),
        Column("employer"),
        Column("joined_on"),
        Column("org_unit"),
    ]


class PartyMemberRevealView(ObjectRevealView):
    model = PartyMember


class AllianceListView(ObjectListView):
    model = Alliance
    columns = [Column("name", link=True), Column("theme"), Column("founded_on")]


class AllianceDetailView(ObjectDetailView):
    model = Alliance
    fields = [Column("theme"), Column("founded_on"), Column("org_unit")]

    def related_tables(self, obj):
        from streetbrain.core.generic import table

        return [
            table(
                _("Member organisations"),
                Organisation,
                [Column("name"), Column("level"), Column("form"), Column("building")],
                obj.organisations.restrict(self.request.user).select_related("building__building"),
            )
        ]


# --- editing -----------------------------------------------------------------------------------


class OrganisationEditView(ObjectEditView):
    model = Organisation
    form_class = forms.OrganisationForm


class PartyMemberEditView(ObjectEditView):
    model = PartyMember
    form_class = forms.PartyMemberForm


class AllianceEditView(ObjectEditView):
    model = Alliance
    form_class = forms.AllianceForm


class OrganisationStepView(StepView):
    fragment = "party/_action_form.html"
    page = "party/action.html"
    model = Organisation
    scope_action = "view"  # the organisation is not changed: a row of its own is written
    select_related = ("org_unit",)


class ActivityRecordView(OrganisationStepView):
    """三会一课, 主题党日 …: the activity with the members who attended."""

    step = "activity"
    label = gettext_lazy("Record an activity")
    permission = actions.ACTIVITY_PERMISSION
    form_class = forms.ActivityForm

    def form_kwargs(self):
        return {"organisation": self.object, "user": self.request.user}

    def get_initial(self, request):
        return {"date": timezone.localdate()}

    def action_url(self):
        return reverse("party:organisation_activity", args=[self.object.pk])

    def perform(self, form, user):
        data = form.cleaned_data
        actions.record_activity(
            self.object, data["kind"], data["title"], data["date"], data["attendees"], user
        )


class RateView(OrganisationStepView):
    """The year's star rating from the indicators (the year's rating is replaced)."""

    step = "rate"
    label = gettext_lazy("Rate the year")
    permission = actions.RATE_PERMISSION
    form_class = forms.RateForm

    def get_initial(self, request):
        return {"year": timezone.localdate().year - 1}

    def action_url(self):
        return reverse("party:organisation_rate", args=[self.object.pk])

    def perform(self, form, user):
        actions.rate(self.object, form.cleaned_data["year"], user)
