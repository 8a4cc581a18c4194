"""Every change of the community platform: sign-up, verification, bookings, check-in and
no-shows. Pages, the API, tasks and the demo call these; each runs in one transaction and is
audited through the change log (the models are audited platform models)."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import Channel
from streetbrain.core.audit import audit_context, log_change
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import digest, normalise_phone, reveal_value
from streetbrain.core.scoping import ensure_in_scope
from streetbrain.registry.models import House, Household, Resident

from . import rules, sms
from .models import (
    Activity,
    Booking,
    Consultation,
    ConsultationOption,
    PhoneCode,
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

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CODE_TTL = dt.timedelta(minutes=10)
CODE_INTERVAL = dt.timedelta(seconds=60)
CODE_TRIES = 5
CLAIM_TRIES = 5
QR_SALT = "streetbrain.community.household-qr"
QR_MAX_AGE = 30 * 60  # a grid worker's QR code is good for half an hour


class SlotTaken(ValidationError):
    """The slot is booked already: carries the booking that holds it (the API's 409)."""

    def __init__(self, booking: Booking):
        self.booking = booking
        super().__init__(
            _("%(space)s is already booked from %(start)s to %(end)s. Please choose another slot.")
            % {
                "space": booking.space.name,
                "start": timezone.localtime(booking.start).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(booking.end).strftime("%H:%M"),
            },
            code="slot_taken",
        )


# --- sign-up ----------------------------------------------------------------------------------


def _phone(value: str) -> str:
    phone = normalise_phone(value)
    if not MOBILE.match(phone):
        raise ValidationError({"phone": _("Enter an 11-digit mobile number.")})
    return phone


def _code_digest(phone: str, code: str) -> str:
    return digest(f"community-code:{phone}:{code}")


def send_code(phone: str, *, now: dt.datetime | None = None) -> sms.SmsResult:
    """Send a 6-digit sign-up code to ``phone`` through the SMS gateway (one a minute)."""
    phone = _phone(phone)
    now = now or timezone.now()
    phone_digest = digest(phone)
    last = PhoneCode.objects.filter(phone_digest=phone_digest).order_by("-sent_at").first()
    if last and now - last.sent_at < CODE_INTERVAL:
        raise ValidationError({"phone": _("A code was sent less than a minute ago.")})
    if ResidentAccount.objects.filter(phone_digest=phone_digest).exists():
        raise ValidationError({"phone": _("This number has an account already: log in.")})
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.create(
        phone_digest=phone_digest, code_digest=_code_digest(phone, code), sent_at=now
    )
    text = _("Your StreetBrain community code is %(code)s (valid 10 minutes).") % {"code": code}
    return sms.gateway().send(phone, text, code=code)


def _check_code(phone: str, code: str, now: dt.datetime) -> None:
    entry = (
        PhoneCode.objects.select_for_update()
        .filter(phone_digest=digest(phone), used=False, sent_at__gte=now - CODE_TTL)
        .order_by("-sent_at")
        .first()
    )
    if entry is None or entry.tries >= CODE_TRIES:
        raise ValidationError({"code": _("The code has expired: ask for a new one.")})
    if entry.code_digest != _code_digest(phone, (code or "").strip()):
        entry.tries += 1
        entry.save(update_fields=["tries"])
        raise ValidationError({"code": _("The code is not right.")})
    entry.used = True
    entry.save(update_fields=["used"])


def sign_up(
    phone: str, code: str, password: str, community: OrgUnit, *, now=None
) -> ResidentAccount:
    """A new account for a confirmed phone: a user without any role, and its
    ``ResidentAccount`` waiting for verification. The username is no phone number."""
    phone = _phone(phone)
    now = now or timezone.now()
    if len(password or "") < 8:
        raise ValidationError({"password": _("Use at least 8 characters.")})
    with transaction.atomic():
        _check_code(phone, code, now)
        user_model = get_user_model()
        user = user_model(
            username=f"resident-{secrets.token_hex(6)}",
            display_name=_("Resident %(tail)s") % {"tail": phone[-4:]},
            org_unit=None,
        )
        user.set_password(password)
        user.save()
        account = ResidentAccount(user=user, community=community, org_unit=community)
        account.phone = phone
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            raise ValidationError(
                {"phone": _("This number has an account already: log in.")}
            ) from None
    return account


def account_for_phone(phone: str) -> ResidentAccount | None:
    try:
        phone = _phone(phone)
    except ValidationError:
        return None
    return ResidentAccount.objects.filter(phone_digest=digest(phone)).select_related("user").first()


# --- verification -------------------------------------------------------------------------------


def _mark_pending(account, resident: Resident, method: str, now) -> ResidentAccount:
    house = resident.house or (resident.household.house if resident.household_id else None)
    account.resident = resident
    account.household = resident.household
    account.house = house
    account.method = method
    account.state = ResidentAccount.State.PENDING
    account.claimed_at = now
    account.org_unit_id = resident.org_unit_id  # the house's grid: its staff see the claim
    account.save()
    return account


def claim_by_details(
    account: ResidentAccount, name: str, id_tail: str, house: House, *, now=None
) -> ResidentAccount:
    """Claim to be the registry's resident named ``name`` living in ``house`` whose ID number
    ends in ``id_tail`` (6 characters). The ID numbers are compared by the system only, never
    shown; five failures lock the claim (the staff can reopen it)."""
    now = now or timezone.now()
    id_tail = (id_tail or "").strip().upper()
    if not re.fullmatch(r"[0-9]{5}[0-9X]", id_tail):
        raise ValidationError({"id_tail": _("Enter the last 6 characters of your ID number.")})
    with transaction.atomic():
        account = ResidentAccount.objects.select_for_update().get(pk=account.pk)
        if account.state not in (ResidentAccount.State.REGISTERED, ResidentAccount.State.REJECTED):
            raise ValidationError(_("This account is verified or waiting for confirmation."))
        if account.failed_attempts >= CLAIM_TRIES:
            raise ValidationError(
                _("Too many attempts: please ask your grid worker or the community office.")
            )
        candidates = Resident.objects.filter(name=(name or "").strip()).filter(
            Q(house=house) | Q(household__house=house)
        )
        match = next(
            (r for r in candidates if reveal_value(r, "id_number")[-6:].upper() == id_tail), None
        )
        if match is None:
            account.failed_attempts += 1
            account.save(update_fields=["failed_attempts", "updated_at"])
    if match is None:
        raise ValidationError(
            _("These details do not match the registry. Check them, or ask your grid worker.")
        )
    with transaction.atomic():
        return _mark_pending(account, match, ResidentAccount.Method.DETAILS, now)


def issue_qr(resident: Resident, user) -> str:
    """The token a grid worker's QR code carries for ``resident`` (in the worker's scope)."""
    if not Resident.objects.restrict(user, "view").filter(pk=resident.pk).exists():
        raise PermissionDenied(_("This resident is outside your area of responsibility."))
    return signing.dumps({"r": resident.pk, "by": user.pk}, salt=QR_SALT, compress=True)


def claim_by_qr(account: ResidentAccount, token: str, *, now=None) -> ResidentAccount:
    now = now or timezone.now()
    try:
        data = signing.loads((token or "").strip(), salt=QR_SALT, max_age=QR_MAX_AGE)
        resident = Resident.objects.get(pk=data["r"])
    except (signing.BadSignature, Resident.DoesNotExist, KeyError, TypeError):
        raise ValidationError({"token": _("This QR code is not valid or has expired.")}) from None
    with transaction.atomic():
        account = ResidentAccount.objects.select_for_update().get(pk=account.pk)
        if account.state not in (ResidentAccount.State.REGISTERED, ResidentAccount.State.REJECTED):
            raise ValidationError(_("This account is verified or waiting for confirmation."))
        return _mark_pending(account, resident, ResidentAccount.Method.QR, now)


def decide(account: ResidentAccount, user, *, approve: bool, note: str = "", now=None):
    """The community's staff confirm (or reject) a claimed account: scope and permission."""
    if not user.has_perm("community.verify_residentaccount"):
        raise PermissionDenied(_("You may not confirm residents' accounts."))
    now = now or timezone.now()
    with transaction.atomic():
        account = ResidentAccount.objects.select_for_update().get(pk=account.pk)
        ensure_in_scope(account, user, "view")
        if account.state != ResidentAccount.State.PENDING:
            raise ValidationError(_("Only a claim waiting for confirmation can be decided."))
        account.state = (
            ResidentAccount.State.VERIFIED if approve else ResidentAccount.State.REJECTED
        )
        account.decided_by, account.decided_at, account.note = user, now, (note or "")[:200]
        if not approve:
            account.failed_attempts = 0
        with audit_context(reason=note or ""):
            account.save()
    return account


def reveal_own_id(account: ResidentAccount) -> str:
    """A verified resident sees their own full ID number: logged like a reveal in the registry
    (the change log's ``reveal`` on the resident, naming the field)."""
    if account.state != ResidentAccount.State.VERIFIED or account.resident is None:
        raise PermissionDenied(_("Only a verified account can see its own ID number."))
    value = reveal_value(account.resident, "id_number")
    with audit_context(reason=_("The resident's own account")):
        log_change(
            account.resident,
            "reveal",
            prechange=None,
            postchange=None,
            changed_fields=["id_number"],
        )
    return value


# --- bookings -----------------------------------------------------------------------------------


def _households_members(household_id):
    return Resident.objects.filter(household_id=household_id)


def may_book(space: Space, user) -> ResidentAccount | None:
    """The account a booking of ``space`` is for (None: staff booking), or PermissionDenied."""
    account = account_of(user)
    if account is None or user.has_perm("community.add_booking"):
        if (
            user.has_perm("community.add_booking")
            and Space.objects.restrict(user, "view").filter(pk=space.pk).exists()
        ):
            return None
        raise PermissionDenied(_("Only verified residents can book."))
    if not space.org_unit.path.startswith(account.community_path):
        raise PermissionDenied(_("This space belongs to another community."))
    if space.who == Space.Who.STAFF:
        raise PermissionDenied(_("This space is booked through the community office."))
    if space.who == Space.Who.ELDERLY:
        today = timezone.localdate()
        limit = today.replace(year=today.year - rules.ELDERLY_AGE)
        if not _households_members(account.household_id).filter(birth_date__lte=limit).exists():
            raise PermissionDenied(
                _("This space is for households with a member aged %(age)s or more.")
                % {"age": rules.ELDERLY_AGE}
            )
    return account


def book(
    space: Space, start: dt.datetime, user, *, people: int = 1, purpose: str = "", now=None
) -> Booking:
    """Book one fixed slot. The database's unique constraint decides a race: the loser gets
    ``SlotTaken`` naming the booking that holds the slot."""
    now = now or timezone.now()
    if not space.active:
        raise ValidationError(_("This space cannot be booked at the moment."))
    account = may_book(space, user)
    if start.tzinfo is None:
        raise ValidationError({"start": _("Give the slot's time with its time zone.")})
    if not rules.is_slot(space, start):
        raise ValidationError({"start": _("This is not one of the space's opening slots.")})
    if start < now:
        raise ValidationError({"start": _("This slot has already begun.")})
    if start > now + dt.timedelta(days=rules.BOOK_AHEAD_DAYS):
        raise ValidationError(
            {
                "start": _("Slots can be booked %(days)s days ahead.")
                % {"days": rules.BOOK_AHEAD_DAYS}
            }
        )
    if not 1 <= int(people) <= space.capacity:
        raise ValidationError(
            {"people": _("Up to %(n)s people fit in this space.") % {"n": space.capacity}}
        )
    household = account.household if account else None
    step = dt.timedelta(minutes=space.slot_minutes)
    booking = Booking(
        space=space,
        start=start,
        end=start + step,
        household=household,
        booked_by=user,
        people=people,
        purpose=(purpose or "")[:100],
    )
    with transaction.atomic():
        if household is not None:
            # The household's row is locked while its bookings are counted and the new one
            # written: two requests of one household for *different* slots (which the slot
            # constraint lets both through) take turns, so the weekly limit holds.
            Household.objects.select_for_update().filter(pk=household.pk).first()
            _check_household_rules(space, household, start, now)
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError:
            holder = (
                Booking.objects.select_related("space")
                .filter(space=space, start=start)
                .exclude(state=Booking.State.CANCELLED)
                .first()
            )
            if holder is None:  # cancelled meanwhile: the caller may simply try again
                raise ValidationError(_("The slot changed meanwhile: please try again.")) from None
            raise SlotTaken(holder) from None
    return booking


def _check_household_rules(space: Space, household, start, now) -> None:
    """The weekly limit per household and space, and the bar after repeated no-shows (the
    caller holds the household's row lock)."""
    mine = Booking.objects.filter(household=household).exclude(state=Booking.State.CANCELLED)
    first, last = rules.week_of(start)
    if mine.filter(space=space, start__gte=first, start__lt=last).count() >= space.weekly_limit:
        raise ValidationError(
            _("Your household has used its %(n)s bookings of this space this week.")
            % {"n": space.weekly_limit}
        )
    no_shows = mine.filter(
        state=Booking.State.NO_SHOW, start__gte=now - rules.NO_SHOW_WINDOW
    ).order_by("-start")
    if no_shows.count() >= rules.NO_SHOW_LIMIT:
        until = no_shows[0].start + rules.NO_SHOW_BAR
        if now < until:
            raise ValidationError(
                _("After %(n)s no-shows your household can book again from %(day)s.")
                % {"n": rules.NO_SHOW_LIMIT, "day": timezone.localtime(until).date()}
            )


def _own_or_staff(booking: Booking, user, action: str) -> None:
    account = account_of(user)
    if account is not None and booking.household_id == account.household_id:
        return
    ensure_in_scope(booking, user, action)


def cancel(booking: Booking, user, *, now=None) -> Booking:
    now = now or timezone.now()
    _own_or_staff(booking, user, "change")
    if booking.state != Booking.State.BOOKED or booking.start <= now:
        raise ValidationError(_("Only a booking that has not begun can be cancelled."))
    booking.state = Booking.State.CANCELLED
    booking.save()
    return booking


def check_in(booking: Booking, user, *, now=None) -> Booking:
    """Check in: the resident at the space (the QR code at its door) or the desk."""
    now = now or timezone.now()
    _own_or_staff(booking, user, "change")
    if booking.state != Booking.State.BOOKED:
        raise ValidationError(
            _("This booking cannot be checked in (%(state)s).")
            % {"state": booking.get_state_display()}
        )
    if not booking.start - rules.CHECKIN_EARLY <= now < booking.end:
        raise ValidationError(
            _("Check-in opens 15 minutes before the slot and closes when it ends.")
        )
    booking.state, booking.checked_in_at = Booking.State.CHECKED_IN, now
    booking.save()
    return booking


def check_in_at_door(checkin_code: str, user, *, now=None) -> Booking:
    """The QR code at a space's door: check in the scanning resident's booking of now."""
    now = now or timezone.now()
    space = Space.objects.filter(checkin_code=checkin_code).first()
    account = account_of(user)
    if space is None or account is None:
        raise ValidationError(_("This check-in code is not valid for your account."))
    booking = (
        Booking.objects.filter(
            space=space,
            household=account.household,
            state=Booking.State.BOOKED,
            start__lte=now + rules.CHECKIN_EARLY,
            end__gt=now,
        )
        .order_by("start")
        .first()
    )
    if booking is None:
        raise ValidationError(_("You have no booking of %(space)s now.") % {"space": space.name})
    return check_in(booking, user, now=now)


def mark_no_shows(*, now=None) -> int:
    """Bookings not checked in 15 minutes after their start become no-shows (periodic task)."""
    now = now or timezone.now()
    late = Booking.objects.filter(state=Booking.State.BOOKED, start__lt=now - rules.NO_SHOW_GRACE)
    count = 0
    with audit_context(reason="no-show"):
        for booking in late.select_related("space"):
            booking.state = Booking.State.NO_SHOW
            booking.save()
            count += 1
    return count


# --- 未来邻里: activities and points ------------------------------------------------------------


def _verified(user) -> ResidentAccount:
    account = account_of(user)
    if account is None:
        raise PermissionDenied(_("Only verified residents can do this."))
    return account


def join_activity(activity: Activity, user, *, now=None) -> Signup:
    """Sign the user's household up: a place while there is one, else the waiting list. The
    activity's row is locked while places are counted, so two last requests cannot both get
    the last place."""
    now = now or timezone.now()
    account = _verified(user)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if not activity.org_unit.path.startswith(account.community_path):
            raise PermissionDenied(_("This activity belongs to another community."))
        if activity.cancelled or activity.starts <= now:
            raise ValidationError(_("Sign-up for this activity is closed."))
        signup = Signup.objects.filter(activity=activity, household=account.household).first()
        if signup is not None and signup.state != Signup.State.CANCELLED:
            raise ValidationError(_("Your household has signed up already."))
        taken = Signup.objects.filter(activity=activity, state=Signup.State.CONFIRMED).count()
        state = Signup.State.CONFIRMED if taken < activity.capacity else Signup.State.WAITING
        if signup is None:
            signup = Signup(activity=activity, household=account.household)
        signup.user, signup.state = user, state
        signup.save()
    return signup


def leave_activity(signup: Signup, user, *, now=None) -> Signup:
    """Cancel a sign-up; a freed place goes to the first on the waiting list."""
    now = now or timezone.now()
    account = _verified(user)
    if signup.household_id != account.household_id:
        raise PermissionDenied(_("This is not your household's sign-up."))
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
        signup = Signup.objects.select_for_update().get(pk=signup.pk)
        if signup.state not in (Signup.State.CONFIRMED, Signup.State.WAITING):
            raise ValidationError(_("This sign-up cannot be cancelled."))
        if activity.starts <= now:
            raise ValidationError(_("The activity has begun."))
        was_confirmed = signup.state == Signup.State.CONFIRMED
        signup.state = Signup.State.CANCELLED
        signup.save()
        if was_confirmed:
            first = (
                Signup.objects.filter(activity=activity, state=Signup.State.WAITING)
                .order_by("created_at", "pk")
                .first()
            )
            if first is not None:
                first.state = Signup.State.CONFIRMED
                with audit_context(reason=_("A place freed up")):
                    first.save()
    return signup


def mark_attendance(signup: Signup, user, *, attended: bool, now=None) -> Signup:
    """The staff mark who came; taking part earns the activity's points and volunteer hours
    as ledger entries naming the activity (once per household and activity)."""
    now = now or timezone.now()
    if not user.has_perm("community.change_signup"):
        raise PermissionDenied(_("You may not record attendance."))
    with transaction.atomic():
        signup = Signup.objects.select_for_update().select_related("activity").get(pk=signup.pk)
        ensure_in_scope(signup, user, "change")
        activity = signup.activity
        if activity.starts > now:
            raise ValidationError(_("Attendance is recorded once the activity has begun."))
        if signup.state not in (Signup.State.CONFIRMED, Signup.State.ATTENDED, Signup.State.ABSENT):
            raise ValidationError(_("Only confirmed sign-ups are marked."))
        signup.state = Signup.State.ATTENDED if attended else Signup.State.ABSENT
        signup.save()
        if attended and (activity.points or activity.volunteer_hours):
            kind = (
                PointEntry.Kind.VOLUNTEER if activity.volunteer_hours else PointEntry.Kind.ACTIVITY
            )
            if not PointEntry.objects.filter(
                household_id=signup.household_id, activity=activity, kind=kind
            ).exists():
                PointEntry.objects.create(
                    household_id=signup.household_id,
                    activity=activity,
                    kind=kind,
                    points=activity.points,
                    hours=activity.volunteer_hours,
                    org_unit_id=activity.org_unit_id,
                    reason=_("%(title)s on %(day)s")
                    % {"title": activity.title, "day": timezone.localtime(activity.starts).date()},
                )
    return signup


def balance(household_id) -> int:
    return PointEntry.objects.filter(household_id=household_id).aggregate(n=Sum("points"))["n"] or 0


def spend_points(household, user, points: int, reason: str) -> PointEntry:
    """The community redeems points (a gift, a service): never below zero, always a reason."""
    if not user.has_perm("community.add_pointentry"):
        raise PermissionDenied(_("You may not redeem points."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the points are spent on.")})
    if int(points) <= 0:
        raise ValidationError({"points": _("Give a positive number of points.")})
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        if balance(household.pk) < int(points):
            raise ValidationError(
                {"points": _("The household has only %(n)s points.") % {"n": balance(household.pk)}}
            )
        entry = PointEntry(
            household=household,
            kind=PointEntry.Kind.SPENT,
            points=-int(points),
            reason=reason[:200],
            org_unit_id=household.org_unit_id,
        )
        entry.save()
        ensure_in_scope(entry, user, "add")
    return entry


# --- 未来治理: consultations and reports ----------------------------------------------------------


def vote(consultation: Consultation, option: ConsultationOption, user, *, now=None) -> Vote:
    """One vote per verified household while voting is open: the unique constraint decides
    between two members voting at once."""
    now = now or timezone.now()
    account = _verified(user)
    if not consultation.org_unit.path.startswith(account.community_path):
        raise PermissionDenied(_("This consultation belongs to another community."))
    if option.consultation_id != consultation.pk:
        raise ValidationError({"option": _("Choose one of this question's options.")})
    if not consultation.opens <= now < consultation.closes:
        raise ValidationError(_("Voting is not open."))
    ballot = Vote(
        consultation=consultation,
        option=option,
        household=account.household,
        org_unit_id=consultation.org_unit_id,
    )
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise ValidationError(_("Your household has voted already.")) from None
    return ballot


def results(consultation: Consultation) -> list[tuple[ConsultationOption, int]]:
    counts = dict(
        Vote.objects.filter(consultation=consultation)
        .values("option")
        .annotate(n=Count("pk"))
        .values_list("option", "n")
    )
    return [(o, counts.get(o.pk, 0)) for o in consultation.options.all()]


def report_problem(user, data) -> ResidentReport:
    """A verified resident reports a problem from their account: the case engine's intake
    (``cases.intake.actions.submit_report``) takes it like a citizen's report, with the
    resident's name and the place of their building when they mark none; the report is kept
    on the household's list for tracking."""
    return _file_report(_verified(user), data)


def _file_report(account: ResidentAccount, data) -> ResidentReport:
    """The case engine's intake takes ``data`` for ``account``'s household; the report joins
    the household's list (``ResidentReport``)."""
    building = account.house.building if account.house else None
    if data.lon is None and not data.address and building is not None:
        data.lon, data.lat = building.lon, building.lat
        data.address = building.address
    data.reporter_name = account.resident.name if account.resident else ""
    data.account_id = f"community:{account.pk}"
    result = submit_report(data)
    link, _created = ResidentReport.objects.get_or_create(
        report=result.report,
        defaults={"household": account.household, "org_unit_id": account.org_unit_id},
    )
    return link


# --- 未来服务: eligibility from the registry, requests with their time limit --------------


def eligible(service: Service, resident: Resident, *, today=None) -> tuple[bool, str]:
    """Whether ``resident`` may use ``service``, answered from the registry (age from the ID
    number's birth date, tags), and the reason when not."""
    today = today or timezone.localdate()
    b = resident.birth_date
    age = today.year - b.year - ((today.month, today.day) < (b.month, b.day))
    if service.min_age is not None and age < service.min_age:
        return False, _("from age %(n)s") % {"n": service.min_age}
    if service.max_age is not None and age > service.max_age:
        return False, _("up to age %(n)s") % {"n": service.max_age}
    if service.tag_id and not resident.tags.filter(pk=service.tag_id).exists():
        return False, _("for residents marked %(tag)s") % {"tag": service.tag.name}
    return True, ""


def request_service(
    service: Service, resident: Resident, user, *, note="", start=None, now=None
) -> ServiceRequest:
    """A verified resident requests ``service`` for an eligible member of their household.
    What the request becomes follows the service's ``handling``: a request the community's
    staff answer within the time limit (working days); a **case** of the street, filed
    through the case engine's intake like the resident's own reports (``note`` describes the
    matter; the resident follows the case); or a **booking** of the service's space at
    ``start`` (the booking rules apply: slot, weekly limit, who may book)."""
    now = now or timezone.now()
    account = _verified(user)
    if resident.household_id != account.household_id:
        raise PermissionDenied(_("Only for members of your household."))
    if not service.org_unit.path.startswith(account.community_path):
        raise PermissionDenied(_("This service belongs to another community."))
    ok, why = eligible(service, resident)
    if not ok:
        raise ValidationError(
            _("%(name)s is not eligible for this service (%(why)s).")
            % {"name": resident.name, "why": why}
        )
    note = (note or "").strip()
    req = ServiceRequest(
        service=service,
        household=account.household,
        resident=resident,
        note=note[:200],
        deadline=rules.calendar().add(now, service.time_limit_days, "work_day"),
        org_unit_id=account.org_unit_id,
    )
    Handling = Service.Handling
    if service.handling == Handling.CASE and not note:
        raise ValidationError({"note": _("Describe what needs doing, and where.")})
    if service.handling == Handling.BOOKING and start is None:
        raise ValidationError({"start": _("Choose a slot.")})
    with transaction.atomic():
        if service.handling == Handling.CASE:
            link = _file_report(
                account,
                ReportInput(
                    channel=Channel.CITIZEN,
                    title=service.name,
                    description=f"{service.name}（{resident.name}）：{note}",
                ),
            )
            req.report = link.report
            req.state = ServiceRequest.State.FILED
            case = link.report.case
            req.deadline = case.deadline or req.deadline
        elif service.handling == Handling.BOOKING:
            if service.space is None or not service.space.active:
                raise ValidationError(_("This service cannot be booked at the moment."))
            req.booking = book(service.space, start, user, purpose=service.name, now=now)
            req.state = ServiceRequest.State.BOOKED
            req.deadline = req.booking.start
        req.save()
    return req


def free_slots(space: Space, *, now=None, days: int = 7, limit: int = 12) -> list:
    """The next free slots of ``space`` (a service booked in it offers these)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    out = []
    held = set(
        Booking.objects.filter(space=space, start__gte=now, start__lt=now + dt.timedelta(days=days))
        .exclude(state=Booking.State.CANCELLED)
        .values_list("start", flat=True)
    )
    for i in range(days + 1):
        for slot_start, _end in rules.slots(space, today + dt.timedelta(days=i)):
            if slot_start > now and slot_start not in held:
                out.append(slot_start)
                if len(out) >= limit:
                    return out
    return out


def answer_request(req: ServiceRequest, user, *, state: str, answer: str = "") -> ServiceRequest:
    """The staff accept, finish or decline a request, with their answer to the household."""
    if not user.has_perm("community.change_servicerequest"):
        raise PermissionDenied(_("You may not answer service requests."))
    if state not in (
        ServiceRequest.State.ACCEPTED,
        ServiceRequest.State.DONE,
        ServiceRequest.State.DECLINED,
    ):
        raise ValidationError(_("Unknown step."))
    with transaction.atomic():
        req = ServiceRequest.objects.select_for_update().get(pk=req.pk)
        ensure_in_scope(req, user, "change")
        if req.state in (
            ServiceRequest.State.DONE,
            ServiceRequest.State.DECLINED,
            ServiceRequest.State.FILED,
            ServiceRequest.State.BOOKED,
        ):
            raise ValidationError(
                _("This request is closed.")
                if req.state in (ServiceRequest.State.DONE, ServiceRequest.State.DECLINED)
                else _("This request is handled as its case or booking.")
            )
        req.state, req.answer = state, (answer or "")[:200]
        req.save()
    return req


# --- 未来治理: residents' proposals ------------------------------------------------------------

PROPOSAL_VOTING_DAYS = 14


def _option_lines(text: str) -> list[str]:
    return [line.strip()[:100] for line in (text or "").splitlines() if line.strip()]


def propose(user, question: str, options: str, background: str = "") -> Proposal:
    """A verified resident proposes a question for consultation (议题) with at least two
    options; the community's staff review it."""
    account = _verified(user)
    question = (question or "").strip()
    errors = {}
    if not question:
        errors["question"] = _("Ask the question.")
    elif len(question) > 200:
        errors["question"] = _("Keep the question under 200 characters.")
    lines = _option_lines(options)
    if len(lines) < 2:
        errors["options"] = _("Give at least two options.")
    elif len(lines) > 10:
        errors["options"] = _("Give at most ten options.")
    if errors:
        raise ValidationError(errors)
    proposal = Proposal(
        household=account.household,
        proposed_by=user,
        question=question,
        background=(background or "").strip()[:4000],
        options="\n".join(lines),
        org_unit_id=account.org_unit_id,
    )
    proposal.save()
    return proposal


def review_proposal(
    proposal: Proposal,
    user,
    *,
    accept: bool,
    reason: str = "",
    opens=None,
    closes=None,
    now=None,
) -> Proposal:
    """The community's staff review a proposal: accepted, it becomes a consultation open for
    votes from ``opens`` (now) to ``closes`` (14 days on) with the proposed options; declined,
    with the reason the household reads. Audited with the reason."""
    if not user.has_perm("community.review_proposal"):
        raise PermissionDenied(_("You may not review residents' proposals."))
    now = now or timezone.now()
    reason = (reason or "").strip()[:200]
    if not accept and not reason:
        raise ValidationError({"reason": _("Say why the proposal is declined.")})
    opens = opens or now
    closes = closes or opens + dt.timedelta(days=PROPOSAL_VOTING_DAYS)
    if accept and closes <= opens:
        raise ValidationError({"closes": _("Voting closes after it opens.")})
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        ensure_in_scope(proposal, user, "change")
        if proposal.state != Proposal.State.PROPOSED:
            raise ValidationError(_("This proposal has been reviewed already."))
        with audit_context(reason=reason):
            if accept:
                consultation = Consultation(
                    question=proposal.question,
                    background=proposal.background,
                    opens=opens,
                    closes=closes,
                    org_unit_id=proposal.org_unit_id,
                )
                consultation.save()
                ensure_in_scope(consultation, user, "add")
                for i, text in enumerate(proposal.option_lines()):
                    ConsultationOption.objects.create(
                        consultation=consultation, text=text[:100], position=i
                    )
                proposal.consultation = consultation
            proposal.state = Proposal.State.ACCEPTED if accept else Proposal.State.DECLINED
            proposal.reason, proposal.decided_by, proposal.decided_at = reason, user, now
            proposal.save()
    return proposal
