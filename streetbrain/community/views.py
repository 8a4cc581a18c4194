"""Pages of the community platform (namespace ``community``): the residents' mobile site at
/community/ and the staff's workbench at /community/manage/. Views only gather and call
``actions``; every read goes through ``restrict`` (residents: their household's rows)."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from streetbrain.cases.channels.views import state_text
from streetbrain.core.generic import Column, ObjectDetailView, ObjectEditView, ObjectListView
from streetbrain.core.months import add_months, month_start, parse_month
from streetbrain.registry.models import House, Resident

from . import actions, indicators, lifecircle, rules, sms, usage
from .forms import (
    ActivityForm,
    AnswerForm,
    AttendanceForm,
    BookForm,
    ClaimForm,
    ConsultationForm,
    DecideForm,
    LoginForm,
    NoticeForm,
    PhoneForm,
    ProposalForm,
    QrClaimForm,
    ResidentReportForm,
    ReviewForm,
    ServiceForm,
    ServiceRequestForm,
    SignUpForm,
    SpendForm,
)
from .models import (
    Activity,
    Booking,
    Consultation,
    Notice,
    PointEntry,
    Proposal,
    ResidentAccount,
    ResidentReport,
    Service,
    ServiceRequest,
    Signup,
    Space,
    Vote,
    account_of,
)
from .site import home_community

SESSION_PHONE = "community_signup_phone"


def _errors_onto(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def own_account(user) -> ResidentAccount | None:
    """The user's resident account in any state (the verified one is ``account_of``)."""
    if not user.is_authenticated:
        return None
    return ResidentAccount.objects.filter(user=user).select_related("community").first()


class ResidentMixin(LoginRequiredMixin):
    """A page of a verified resident; others are sent where they stand in the sign-up."""

    login_url = "community:login"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.account = account_of(request.user)
            if self.account is None:
                return redirect("community:home")
        return super().dispatch(request, *args, **kwargs)


# --- the residents' site ------------------------------------------------------------------


def home(request):
    account = own_account(request.user)
    ctx = {"account": account, "community": home_community()}
    if account is not None and account.state == ResidentAccount.State.VERIFIED:
        now = timezone.now()
        ctx["upcoming"] = (
            Booking.objects.restrict(request.user)
            .filter(end__gt=now, state=Booking.State.BOOKED)
            .select_related("space")
            .order_by("start")[:5]
        )
        ctx["notices"] = Notice.objects.restrict(request.user).filter(published__lte=now)[:3]
        ctx["balance"] = actions.balance(account.household_id)
    return render(request, "community/home.html", ctx)


def signup(request):
    """Step 1: the phone number (a code is sent); step 2: the code and a password."""
    phone_form = PhoneForm(prefix="p")
    form = SignUpForm(initial={"phone": request.session.get(SESSION_PHONE, "")})
    shown_code = ""
    status = 200
    if request.method == "POST" and "send" in request.POST:
        phone_form = PhoneForm(request.POST, prefix="p")
        if phone_form.is_valid():
            try:
                result = actions.send_code(phone_form.cleaned_data["phone"])
            except ValidationError as exc:
                _errors_onto(phone_form, exc)
                status = 400
            else:
                request.session[SESSION_PHONE] = phone_form.cleaned_data["phone"]
                form = SignUpForm(initial={"phone": phone_form.cleaned_data["phone"]})
                shown_code = result.shown_code
        else:
            status = 400
    elif request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            try:
                account = actions.sign_up(
                    form.cleaned_data["phone"],
                    form.cleaned_data["code"],
                    form.cleaned_data["password"],
                    home_community(),
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
                status = 400
            else:
                request.session.pop(SESSION_PHONE, None)
                login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your account is ready. Now tell us who you are."))
                return redirect("community:verify")
        else:
            status = 400
    ctx = {
        "phone_form": phone_form,
        "form": form,
        "shown_code": shown_code,
        "screen_gateway": getattr(sms.gateway(), "shows_code", False),
        "code_sent": bool(shown_code) or SESSION_PHONE in request.session,
    }
    return render(request, "community/signup.html", ctx, status=status)


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = actions.account_for_phone(form.cleaned_data["phone"])
        user = account and authenticate(
            request, username=account.user.username, password=form.cleaned_data["password"]
        )
        if user:
            login(request, user)
            return redirect("community:home")
        form.add_error(None, _("The number or the password is not right."))
    status = 400 if request.method == "POST" else 200
    return render(request, "community/login.html", {"form": form}, status=status)


class VerifyView(LoginRequiredMixin, View):
    login_url = "community:login"

    def get(self, request):
        return self.render(ClaimForm(community=home_community()), QrClaimForm())

    def post(self, request):
        account = own_account(request.user)
        if account is None:
            raise PermissionDenied(_("This page is for residents' accounts."))
        claim = ClaimForm(community=home_community())
        qr = QrClaimForm()
        if "token" in request.POST:
            qr = QrClaimForm(request.POST)
            if qr.is_valid():
                try:
                    actions.claim_by_qr(account, qr.cleaned_data["token"])
                    return redirect("community:home")
                except ValidationError as exc:
                    _errors_onto(qr, exc)
        else:
            claim = ClaimForm(request.POST, community=home_community())
            if claim.is_valid():
                data = claim.cleaned_data
                house = House.objects.filter(
                    building=data["building"], number=data["number"].strip()
                ).first()
                if house is None:
                    claim.add_error("number", _("No such flat in this building."))
                else:
                    try:
                        actions.claim_by_details(account, data["name"], data["id_tail"], house)
                        return redirect("community:home")
                    except ValidationError as exc:
                        _errors_onto(claim, exc)
        return self.render(claim, qr, status=400)

    def render(self, claim, qr, status=200):
        ctx = {"claim": claim, "qr": qr, "account": own_account(self.request.user)}
        return render(self.request, "community/verify.html", ctx, status=status)


class HouseholdView(ResidentMixin, View):
    """The verified resident's household and house: masked, with their own ID number
    revealed on request (logged)."""

    def get(self, request):
        return self.render()

    def post(self, request):
        return self.render(revealed=actions.reveal_own_id(self.account))

    def render(self, revealed=""):
        account = self.account
        members = Resident.objects.filter(household_id=account.household_id).order_by("pk")
        ctx = {"account": account, "members": members, "revealed": revealed}
        return render(self.request, "community/household.html", ctx)


class SpaceListView(ResidentMixin, View):
    def get(self, request):
        spaces = Space.objects.restrict(request.user).filter(active=True)
        return render(request, "community/spaces.html", {"spaces": spaces})


def _day(request) -> dt.date:
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today
    return min(max(day, today), today + dt.timedelta(days=rules.BOOK_AHEAD_DAYS))


class SpaceBookView(ResidentMixin, View):
    """A space's slots of one day, free, taken or the household's own; booking one."""

    def get(self, request, pk):
        return self.render(self.space(pk), _day(request))

    def post(self, request, pk):
        space = self.space(pk)
        form = BookForm(request.POST)
        status, taken = 400, None
        if form.is_valid():
            start = form.cleaned_data["start"]
            try:
                booking = actions.book(
                    space,
                    start,
                    request.user,
                    people=form.cleaned_data["people"],
                    purpose=form.cleaned_data["purpose"],
                )
            except actions.SlotTaken as exc:
                taken, status = exc.booking, 409
                form.add_error(None, exc.messages)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    form.add_error(None, str(exc))
                else:
                    _errors_onto(form, exc)
            else:
                messages.success(
                    request,
                    _("Booked: %(space)s, %(start)s.")
                    % {
                        "space": space.name,
                        "start": timezone.localtime(booking.start).strftime("%Y-%m-%d %H:%M"),
                    },
                )
                return redirect("community:my_bookings")
            day = timezone.localtime(start).date()
        else:
            day = _day(request)
        return self.render(space, day, form=form, taken=taken, status=status)

    def space(self, pk):
        return get_object_or_404(Space.objects.restrict(self.request.user), pk=pk, active=True)

    def render(self, space, day, *, form=None, taken=None, status=200):
        now = timezone.now()
        held = {
            b.start: b
            for b in Booking.objects.filter(space=space, start__date=day).exclude(
                state=Booking.State.CANCELLED
            )
        }
        mine = self.account.household_id
        rows = []
        for start, end in rules.slots(space, day):
            b = held.get(start)
            state = "past" if start < now else ("free" if b is None else "taken")
            if b is not None and b.household_id == mine:
                state = "mine"
            rows.append({"start": start, "end": end, "state": state})
        days = [
            timezone.localdate() + dt.timedelta(days=i) for i in range(rules.BOOK_AHEAD_DAYS + 1)
        ]
        ctx = {
            "space": space,
            "day": day,
            "slots": rows,
            "days": days,
            "form": form or BookForm(),
            "taken": taken,
            "open": rules.is_open_on(space, day),
        }
        return render(self.request, "community/space_book.html", ctx, status=status)


class MyBookingsView(ResidentMixin, View):
    def get(self, request):
        bookings = Booking.objects.restrict(request.user).select_related("space").order_by("-start")
        return render(request, "community/my_bookings.html", {"bookings": bookings[:50]})

    def post(self, request):
        booking = get_object_or_404(
            Booking.objects.restrict(request.user), pk=request.POST.get("booking")
        )
        try:
            if request.POST.get("do") == "cancel":
                actions.cancel(booking, request.user)
                messages.success(request, _("The booking is cancelled."))
            else:
                actions.check_in(booking, request.user)
                messages.success(request, _("Checked in. Enjoy!"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("community:my_bookings")


class DoorCheckInView(ResidentMixin, View):
    """The QR code at a space's door leads here: check in the resident's booking of now."""

    def get(self, request, code):
        return render(request, "community/checkin.html", {"code": code})

    def post(self, request, code):
        try:
            booking = actions.check_in_at_door(code, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(request, "community/checkin.html", {"code": code}, status=400)
        messages.success(request, _("Checked in: %(space)s.") % {"space": booking.space.name})
        return redirect("community:my_bookings")


# --- the staff's workbench ----------------------------------------------------------------


class StaffMixin(LoginRequiredMixin):
    permission = "community.view_space"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)


class WorkbenchView(StaffMixin, View):
    def get(self, request):
        user = request.user
        today = timezone.localdate()
        bookings = Booking.objects.restrict(user).select_related("space", "household")
        ctx = {
            "pending": ResidentAccount.objects.restrict(user)
            .filter(state=ResidentAccount.State.PENDING)
            .count(),
            "today": bookings.filter(start__date=today).order_by("start", "space__name"),
            "indicators": indicators.compute(user, today),
        }
        return render(request, "community/manage/index.html", ctx)


class AccountListView(ObjectListView):
    model = ResidentAccount
    columns = [
        Column("phone_masked", link=True),
        Column("state"),
        Column("method"),
        Column("house"),
        Column("claimed_at"),
    ]
    select_related = ("house__building",)
    default_order = ("-claimed_at", "pk")

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.GET.get("state")
        return qs.filter(state=state) if state in ResidentAccount.State.values else qs


class AccountDetailView(ObjectDetailView):
    model = ResidentAccount
    fields = [
        Column("phone_masked"),
        Column("state"),
        Column("method"),
        Column("resident"),
        Column("household"),
        Column("house"),
        Column("claimed_at"),
        Column("failed_attempts"),
        Column("decided_by"),
        Column("decided_at"),
        Column("note"),
    ]
    template_name = "community/manage/account_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["decide_form"] = DecideForm()
        ctx["can_decide"] = self.request.user.has_perm("community.verify_residentaccount")
        return ctx


class AccountDecideView(StaffMixin, View):
    permission = "community.verify_residentaccount"

    def post(self, request, pk):
        account = get_object_or_404(ResidentAccount.objects.restrict(request.user), pk=pk)
        form = DecideForm(request.POST)
        if form.is_valid():
            try:
                actions.decide(
                    account,
                    request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Decision recorded."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Choose a decision."))
        return redirect("community:residentaccount_detail", pk=pk)


class SpaceListStaffView(ObjectListView):
    model = Space
    columns = [
        Column("name", link=True),
        Column("kind"),
        Column("capacity"),
        Column("opens"),
        Column("closes"),
        Column("days"),
        Column("who"),
        Column("weekly_limit"),
    ]


class SpaceDetailView(ObjectDetailView):
    model = Space
    fields = [
        Column("name"),
        Column("kind"),
        Column("capacity"),
        Column("slot_minutes"),
        Column("opens"),
        Column("closes"),
        Column("days"),
        Column("who"),
        Column("weekly_limit"),
        Column("location"),
        Column("active"),
    ]
    template_name = "community/manage/space_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        url = self.request.build_absolute_uri(
            reverse("community:door_checkin", args=[ctx["object"].checkin_code])
        )
        ctx["checkin_url"] = url
        ctx["checkin_qr"] = segno.make(url, error="m").svg_inline(scale=4)
        return ctx


class BookingListView(ObjectListView):
    model = Booking
    columns = [
        Column("start", link=True),
        Column("space"),
        Column("household"),
        Column("people"),
        Column("state"),
    ]
    select_related = ("space", "household")
    default_order = ("-start",)


class BookingDetailView(ObjectDetailView):
    model = Booking
    fields = [
        Column("space"),
        Column("start"),
        Column("end"),
        Column("household"),
        Column("people"),
        Column("purpose"),
        Column("state"),
        Column("checked_in_at"),
        Column("booked_by"),
    ]
    template_name = "community/manage/booking_detail.html"


class BookingCheckInView(StaffMixin, View):
    permission = "community.change_booking"

    def post(self, request, pk):
        booking = get_object_or_404(Booking.objects.restrict(request.user, "change"), pk=pk)
        try:
            actions.check_in(booking, request.user)
            messages.success(request, _("Checked in."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("community:booking_detail", pk=pk)


class UsageReportView(StaffMixin, View):
    def get(self, request):
        last = parse_month(request.GET.get("month")) if request.GET.get("month") else None
        last = last or month_start(timezone.localdate())
        first = add_months(last, -5)
        spaces = Space.objects.restrict(request.user).order_by("kind", "name")
        rows = usage.report(spaces, Booking.objects.restrict(request.user), first, last)
        return render(
            request, "community/manage/usage.html", {"rows": rows, "first": first, "last": last}
        )


class ResidentQrView(StaffMixin, View):
    """A grid worker shows this QR code at the resident's door; the resident's phone reads
    the code (or types it) on the verification page."""

    permission = "registry.view_resident"

    def get(self, request, pk):
        resident = get_object_or_404(Resident.objects.restrict(request.user), pk=pk)
        token = actions.issue_qr(resident, request.user)
        ctx = {
            "resident": resident,
            "token": token,
            "qr": segno.make(token, error="m").svg_inline(scale=4),
            "minutes": actions.QR_MAX_AGE // 60,
        }
        return render(request, "community/manage/resident_qr.html", ctx)


# --- 未来邻里 ------------------------------------------------------------------------------


class ActivitiesView(ResidentMixin, View):
    """The community's activities: sign up, cancel, see the household's place or rank on the
    waiting list."""

    def get(self, request):
        now = timezone.now()
        activities = (
            Activity.objects.restrict(request.user)
            .filter(ends__gte=now - dt.timedelta(days=30))
            .order_by("starts")
        )
        mine = {
            s.activity_id: s
            for s in Signup.objects.restrict(request.user).filter(activity__in=activities)
        }
        taken = dict(
            Signup.objects.filter(activity__in=activities, state=Signup.State.CONFIRMED)
            .values("activity")
            .annotate(n=Count("pk"))
            .values_list("activity", "n")
        )
        rows = [
            {
                "activity": a,
                "mine": mine.get(a.pk),
                "taken": taken.get(a.pk, 0),
                "open": not a.cancelled and a.starts > now,
            }
            for a in activities
        ]
        return render(request, "community/activities.html", {"rows": rows})

    def post(self, request):
        activity = get_object_or_404(
            Activity.objects.restrict(request.user), pk=request.POST.get("activity")
        )
        try:
            if request.POST.get("do") == "leave":
                signup = get_object_or_404(Signup.objects.restrict(request.user), activity=activity)
                actions.leave_activity(signup, request.user)
                messages.success(request, _("Your sign-up is cancelled."))
            else:
                signup = actions.join_activity(activity, request.user)
                if signup.state == Signup.State.CONFIRMED:
                    messages.success(request, _("You have a place: %(t)s.") % {"t": activity.title})
                else:
                    messages.info(request, _("The activity is full: you are on the waiting list."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("community:activities")


class PointsView(ResidentMixin, View):
    """The household's 邻里积分: every entry with its reason, and the balance they add up to."""

    def get(self, request):
        entries = PointEntry.objects.restrict(request.user).select_related("activity")
        ctx = {
            "entries": entries[:200],
            "balance": actions.balance(self.account.household_id),
            "hours": sum((e.hours for e in entries), 0),
        }
        return render(request, "community/points.html", ctx)


class ActivityListView(ObjectListView):
    model = Activity
    columns = [
        Column("title", link=True),
        Column("kind"),
        Column("starts"),
        Column("place"),
        Column("capacity"),
        Column("points"),
        Column("volunteer_hours"),
    ]
    default_order = ("-starts",)


class ActivityDetailView(ObjectDetailView):
    model = Activity
    fields = [
        Column("title"),
        Column("kind"),
        Column("starts"),
        Column("ends"),
        Column("place"),
        Column("capacity"),
        Column("points"),
        Column("volunteer_hours"),
        Column("cancelled"),
        Column("description"),
    ]
    template_name = "community/manage/activity_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["signups"] = (
            Signup.objects.restrict(self.request.user)
            .filter(activity=ctx["object"])
            .select_related("household__house__building")
        )
        ctx["can_mark"] = self.request.user.has_perm("community.change_signup")
        return ctx


class ActivityEditView(ObjectEditView):
    model = Activity
    form_class = ActivityForm


class ActivityAttendanceView(StaffMixin, View):
    permission = "community.change_signup"

    def post(self, request, pk):
        activity = get_object_or_404(Activity.objects.restrict(request.user), pk=pk)
        form = AttendanceForm(request.POST)
        if form.is_valid():
            signup = get_object_or_404(
                Signup.objects.restrict(request.user, "change"),
                pk=form.cleaned_data["signup"],
                activity=activity,
            )
            try:
                actions.mark_attendance(
                    signup, request.user, attended=form.cleaned_data["attended"] == "yes"
                )
                messages.success(request, _("Attendance recorded."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("community:activity_detail", pk=pk)


class SignupDetailView(ObjectDetailView):
    model = Signup
    fields = [Column("activity"), Column("household"), Column("state"), Column("created_at")]


class PointEntryListView(ObjectListView):
    model = PointEntry
    columns = [
        Column("created_at", link=True),
        Column("household"),
        Column("kind"),
        Column("points"),
        Column("hours"),
        Column("reason"),
    ]
    select_related = ("household",)
    default_order = ("-created_at", "-pk")


class PointEntryDetailView(ObjectDetailView):
    model = PointEntry
    fields = [
        Column("household"),
        Column("kind"),
        Column("points"),
        Column("hours"),
        Column("reason"),
        Column("activity"),
        Column("created_at"),
        Column("created_by"),
    ]


class SpendPointsView(StaffMixin, View):
    permission = "community.add_pointentry"

    def get(self, request):
        return self.render(SpendForm(user=request.user))

    def post(self, request):
        form = SpendForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                entry = actions.spend_points(
                    form.cleaned_data["household"],
                    request.user,
                    form.cleaned_data["points"],
                    form.cleaned_data["reason"],
                )
                messages.success(request, _("Points redeemed."))
                return redirect(entry.get_absolute_url())
            except ValidationError as exc:
                _errors_onto(form, exc)
        return self.render(form, status=400)

    def render(self, form, status=200):
        return render(self.request, "community/manage/spend.html", {"form": form}, status=status)


class NoticeListView(ObjectListView):
    model = Notice
    columns = [Column("title", link=True), Column("published")]
    default_order = ("-published",)


class NoticeDetailView(ObjectDetailView):
    model = Notice
    fields = [Column("title"), Column("published"), Column("body")]


class NoticeEditView(ObjectEditView):
    model = Notice
    form_class = NoticeForm


# --- 未来治理 ------------------------------------------------------------------------------


class ConsultationsView(ResidentMixin, View):
    """议事: open questions with a vote per household, closed ones with their result and what
    the community did."""

    def get(self, request):
        now = timezone.now()
        consultations = Consultation.objects.restrict(request.user).prefetch_related("options")
        voted = dict(
            Vote.objects.restrict(request.user).values_list("consultation_id", "option__text")
        )
        rows = [
            {
                "c": c,
                "open": c.opens <= now < c.closes,
                "closed": c.closes <= now,
                "voted": voted.get(c.pk),
                "results": actions.results(c) if c.closes <= now or c.pk in voted else None,
            }
            for c in consultations
        ]
        return render(request, "community/consultations.html", {"rows": rows})

    def post(self, request):
        consultation = get_object_or_404(
            Consultation.objects.restrict(request.user), pk=request.POST.get("consultation")
        )
        option = consultation.options.filter(pk=request.POST.get("option") or 0).first()
        if option is None:
            messages.error(request, _("Choose one of the options."))
        else:
            try:
                actions.vote(consultation, option, request.user)
                messages.success(request, _("Thank you: your household's vote is counted."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("community:consultations")


class MyReportsView(ResidentMixin, View):
    """Report a problem from the account (the case engine takes it) and follow the
    household's reports: where each case stands, and its public tracking page."""

    def get(self, request):
        return self.render(ResidentReportForm())

    def post(self, request):
        form = ResidentReportForm(request.POST)
        if form.is_valid():
            try:
                link = actions.report_problem(request.user, form.report_input())
            except ValidationError as exc:
                form.add_intake_errors(exc)
            else:
                messages.success(
                    request,
                    _("Thank you. Your report %(number)s is with the street office.")
                    % {"number": link.report.case.number},
                )
                return redirect("community:reports")
        return self.render(form, status=400)

    def render(self, form, status=200):
        links = (
            ResidentReport.objects.restrict(self.request.user)
            .select_related("report__case")
            .order_by("-created_at")[:50]
        )
        rows = [{"link": x, "state": state_text(x.report.case)} for x in links]
        return render(
            self.request, "community/reports.html", {"form": form, "rows": rows}, status=status
        )


class ConsultationListView(ObjectListView):
    model = Consultation
    columns = [Column("question", link=True), Column("opens"), Column("closes")]
    default_order = ("-opens",)


class ConsultationDetailView(ObjectDetailView):
    model = Consultation
    fields = [
        Column("question"),
        Column("background"),
        Column("opens"),
        Column("closes"),
        Column("outcome"),
    ]
    template_name = "community/manage/consultation_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["results"] = actions.results(ctx["object"])
        ctx["total"] = sum(n for _o, n in ctx["results"])
        return ctx


class ConsultationEditView(ObjectEditView):
    model = Consultation
    form_class = ConsultationForm


class VoteDetailView(ObjectDetailView):
    model = Vote
    fields = [Column("consultation"), Column("option"), Column("household"), Column("created_at")]


class ProposalsView(ResidentMixin, View):
    """Residents propose questions for consultation (议题征集) and follow their review: put
    to the vote (a link to it) or declined with the reason."""

    def get(self, request):
        return self.render(ProposalForm())

    def post(self, request):
        form = ProposalForm(request.POST)
        if form.is_valid():
            try:
                actions.propose(
                    request.user,
                    form.cleaned_data["question"],
                    form.cleaned_data["options"],
                    form.cleaned_data["background"],
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, _("Thank you: the community will review your proposal."))
                return redirect("community:proposals")
        return self.render(form, status=400)

    def render(self, form, status=200):
        proposals = Proposal.objects.restrict(self.request.user).select_related("consultation")
        ctx = {"form": form, "proposals": proposals[:50]}
        return render(self.request, "community/proposals.html", ctx, status=status)


class ProposalListView(ObjectListView):
    model = Proposal
    columns = [
        Column("question", link=True),
        Column("household"),
        Column("state"),
        Column("created_at"),
        Column("consultation"),
    ]
    select_related = ("household", "consultation")
    default_order = ("-created_at",)

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.GET.get("state")
        return qs.filter(state=state) if state in Proposal.State.values else qs


class ProposalDetailView(ObjectDetailView):
    model = Proposal
    fields = [
        Column("question"),
        Column("background"),
        Column("options"),
        Column("household"),
        Column("proposed_by"),
        Column("created_at"),
        Column("state"),
        Column("reason"),
        Column("consultation"),
        Column("decided_by"),
        Column("decided_at"),
    ]
    template_name = "community/manage/proposal_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["review_form"] = ReviewForm()
        ctx["can_review"] = self.request.user.has_perm("community.review_proposal")
        return ctx


class ProposalReviewView(StaffMixin, View):
    permission = "community.review_proposal"

    def post(self, request, pk):
        proposal = get_object_or_404(Proposal.objects.restrict(request.user, "change"), pk=pk)
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.review_proposal(
                    proposal,
                    request.user,
                    accept=data["decision"] == "accept",
                    reason=data["reason"],
                    opens=data["opens"],
                    closes=data["closes"],
                )
                messages.success(request, _("Decision recorded."))
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.error(request, _("Choose a decision."))
        return redirect("community:proposal_detail", pk=pk)


class ResidentReportDetailView(ObjectDetailView):
    model = ResidentReport
    fields = [Column("report"), Column("household"), Column("created_at")]


# --- 未来服务 ------------------------------------------------------------------------------


class ServicesView(ResidentMixin, View):
    """The services catalogue with, for each member of the household, whether the registry
    says they may use it; a request for an eligible member — answered by the staff, filed as
    a case of the street, or booked in a space, as the service says; the household's
    requests with where each stands (the case's state and tracking page, the booking)."""

    def get(self, request):
        return self.render()

    def post(self, request):
        form = ServiceRequestForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for es in form.errors.values() for e in es))
            return self.render(status=400)
        data = form.cleaned_data
        service = get_object_or_404(Service.objects.restrict(request.user), pk=data["service"])
        member = get_object_or_404(
            Resident.objects.filter(household_id=self.account.household_id), pk=data["resident"]
        )
        try:
            req = actions.request_service(
                service, member, request.user, note=data["note"], start=data["start"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return self.render(status=400)
        if req.report_id:
            text = _("Filed with the street office as case %(number)s: %(s)s for %(n)s.") % {
                "number": req.report.case.number,
                "s": service.name,
                "n": member.name,
            }
        elif req.booking_id:
            text = _("Booked: %(s)s for %(n)s, %(start)s.") % {
                "s": service.name,
                "n": member.name,
                "start": timezone.localtime(req.booking.start).strftime("%Y-%m-%d %H:%M"),
            }
        else:
            text = _("Requested: %(s)s for %(n)s, answered by %(d)s.") % {
                "s": service.name,
                "n": member.name,
                "d": timezone.localtime(req.deadline).strftime("%Y-%m-%d %H:%M"),
            }
        messages.success(request, text)
        return redirect("community:services")

    def render(self, status=200):
        request = self.request
        services = Service.objects.restrict(request.user).select_related("space", "tag")
        members = list(
            Resident.objects.filter(household_id=self.account.household_id)
            .prefetch_related("tags")
            .order_by("pk")
        )
        rows = []
        for service in services:
            who = [(m, *actions.eligible(service, m)) for m in members]
            slots = []
            if service.handling == Service.Handling.BOOKING and service.space is not None:
                slots = actions.free_slots(service.space)
            rows.append({"service": service, "who": who, "slots": slots})
        requests = ServiceRequest.objects.restrict(request.user).select_related(
            "service", "resident", "report__case", "booking"
        )[:50]
        mine = [
            {"q": q, "case_state": state_text(q.report.case) if q.report_id else ""}
            for q in requests
        ]
        ctx = {"rows": rows, "requests": mine}
        return render(request, "community/services.html", ctx, status=status)


class ServiceListView(ObjectListView):
    model = Service
    columns = [
        Column("name", link=True),
        Column("category"),
        Column("min_age"),
        Column("max_age"),
        Column("tag"),
        Column("time_limit_days"),
    ]


class ServiceDetailView(ObjectDetailView):
    model = Service
    fields = [
        Column("name"),
        Column("category"),
        Column("description"),
        Column("min_age"),
        Column("max_age"),
        Column("tag"),
        Column("time_limit_days"),
    ]


class ServiceEditView(ObjectEditView):
    model = Service
    form_class = ServiceForm


class ServiceRequestListView(ObjectListView):
    model = ServiceRequest
    columns = [
        Column("created_at", link=True),
        Column("service"),
        Column("household"),
        Column("state"),
        Column("deadline"),
    ]
    select_related = ("service", "household")
    default_order = ("-created_at",)


class ServiceRequestDetailView(ObjectDetailView):
    model = ServiceRequest
    fields = [
        Column("service"),
        Column("household"),
        Column("resident"),
        Column("note"),
        Column("state"),
        Column("deadline"),
        Column("answer"),
        Column("report"),
        Column("booking"),
        Column("created_at"),
    ]
    template_name = "community/manage/servicerequest_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["answer_form"] = AnswerForm()
        return ctx


class ServiceRequestAnswerView(StaffMixin, View):
    permission = "community.change_servicerequest"

    def post(self, request, pk):
        req = get_object_or_404(ServiceRequest.objects.restrict(request.user, "change"), pk=pk)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                actions.answer_request(
                    req,
                    request.user,
                    state=form.cleaned_data["state"],
                    answer=form.cleaned_data["answer"],
                )
                messages.success(request, _("Saved."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("community:servicerequest_detail", pk=pk)


class LifeCircleView(StaffMixin, View):
    """15-minute life circle of every house of the community, and the gaps per category."""

    permission = "registry.view_building"

    def get(self, request):
        community = home_community()
        circle = lifecircle.compute(community)
        ctx = {
            "circle": circle,
            "map_data": lifecircle.map_data(community, circle),
            "coverage": circle.coverage(),
            "categories": lifecircle.CATEGORIES,
            "not_located": lifecircle.NOT_LOCATED,
            "circles": lifecircle.CIRCLES,
            "detour": lifecircle.DETOUR,
            "speed": lifecircle.WALK_M_PER_MIN,
        }
        return render(request, "community/manage/lifecircle.html", ctx)
