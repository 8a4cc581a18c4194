"""Forms of the building brain's pages: the edits of towers, enterprises and units (on the
generic ``ScopedModelForm``, with a required 变更原因), and the steps that call
``economy.actions``: the move-out warning's (指派, 走访, 备注, 办结), an enterprise's business
status, and the leases' (签约, 续签, 退租). The step forms only read the input; the actions
validate again and their errors land on these fields."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import ScopedModelForm
from streetbrain.core.identifiers import credit_code_problem
from streetbrain.core.scoping import ancestor_paths
from streetbrain.core.text import CheckedForm
from streetbrain.registry.models import IndustryClass

from .dataio_specs import normalise_credit_code
from .models import Enterprise, Lease, MoveOutWarning, OfficeBuilding, Unit

NOTE_WIDGET = forms.Textarea(attrs={"rows": 3})


def assignee_queryset(warning: MoveOutWarning):
    """Active users who may follow the warning up: the change permission on warnings (by a
    role or directly) and the enterprise inside their org unit. One query; the action checks
    each choice again."""
    User = get_user_model()
    perm = Permission.objects.filter(
        content_type__app_label="economy", codename="change_moveoutwarning"
    )
    path = warning.enterprise.org_unit.path
    return (
        User.objects.filter(is_active=True, org_unit__path__in=[path, *ancestor_paths(path)])
        .filter(
            Q(is_superuser=True) | Q(groups__permissions__in=perm) | Q(user_permissions__in=perm)
        )
        .select_related("org_unit")
        .distinct()
        .order_by("display_name", "username")
    )


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = getattr(obj, "display_name", "") or obj.get_username()
        unit = obj.org_unit.name if obj.org_unit_id else ""
        return f"{name}（{unit}）" if unit else name


class AssignForm(CheckedForm):
    assignee = AssigneeField(queryset=get_user_model().objects.none(), label=_("Assign to"))
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET)

    def __init__(self, *args, warning: MoveOutWarning, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = assignee_queryset(warning)
        if user is not None:
            # Offer only accounts the assigner may see: the action refuses the others.
            field.queryset = field.queryset.filter(
                pk__in=get_user_model().objects.restrict(user, "view").values("pk")
            )
        leader_id = warning.building.leader_id if warning.building_id else None
        if leader_id and not self.is_bound:
            field.initial = leader_id


class VisitForm(CheckedForm):
    visited_on = forms.DateField(
        label=_("Visited on"),
        # <input type="date"> takes ISO dates only, whatever the locale's input format.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("What was learnt"), widget=NOTE_WIDGET, required=False, max_length=4000
    )


class NoteForm(CheckedForm):
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)


class CloseForm(CheckedForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=MoveOutWarning.Outcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)


# --- edits of the building brain's data ------------------------------------------------------


DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class EconomyEditForm(ScopedModelForm):
    """An edit of what imports brought in: the specialist corrects a row by hand, so the
    变更原因 is required (the change log keeps it with the before and after)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields["_change_reason"]
        reason.required = True
        reason.help_text = _("Required; kept in the change log.")

    def __iter__(self):  # the reason comes last
        names = [n for n in self.fields if n != "_change_reason"] + ["_change_reason"]
        return iter([self[n] for n in names])


class LeaderField(AssigneeField):
    pass


class OfficeBuildingForm(EconomyEditForm):
    """What the building brain adds to the registry's building (its name, address and storeys
    are edited in the registry). The 楼长 is someone of the building's grid or above."""

    class Meta:
        model = OfficeBuilding
        fields = [
            "grade", "owner", "manager", "leader", "chain", "signature_industry",
            "signature_share", "leasable_area_m2",
        ]  # fmt: skip
        field_classes = {"leader": LeaderField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["leader"]
        path = self.instance.org_unit.path if self.instance.org_unit_id else ""
        keep = Q(pk=self.instance.leader_id) if self.instance.leader_id else Q(pk__in=[])
        field.queryset = (
            field.queryset.filter(
                Q(is_active=True, org_unit__path__in=[path, *ancestor_paths(path)]) | keep
            )
            .select_related("org_unit")
            .order_by("display_name", "username")
        )


class EnterpriseForm(EconomyEditForm):
    """An enterprise's identity. Its business status is changed by its own step (the
    timeline records it); its org unit follows its leases (``relocate_enterprise``)."""

    class Meta:
        model = Enterprise
        fields = [
            "credit_code", "name", "industry", "founded_on", "registered_capital",
            "locally_registered", "registered_address",
        ]  # fmt: skip
        widgets = {"founded_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        industry = self.fields["industry"]
        industry.queryset = IndustryClass.objects.order_by("code")
        industry.label_from_instance = lambda c: f"{c.code} {c.name}"

    def clean_credit_code(self):
        # As the import reads it: full-width characters, spaces and lower case made plain.
        value = normalise_credit_code(self.cleaned_data.get("credit_code", ""))
        problem = credit_code_problem(value)
        if problem:
            raise ValidationError(problem, code="invalid_credit_code")
        clash = Enterprise.objects.filter(credit_code=value).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(
                _("An enterprise with this credit code is already registered."), code="unique"
            )
        return value

    def clean_founded_on(self):
        value = self.cleaned_data.get("founded_on")
        if value and value > timezone.localdate():
            raise ValidationError(_("An enterprise cannot be founded in the future."))
        return value

    def validate_unique(self):
        # clean_credit_code checked the credit code (with a message of our own).
        exclude = {*self._get_validation_exclusions(), "credit_code"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class UnitForm(EconomyEditForm):
    """A unit's area, letting status and asking rent. Leases decide who holds a unit: a unit
    a lease holds today stays let, a free one cannot be marked let (sign a lease instead)."""

    class Meta:
        model = Unit
        fields = ["area_m2", "status", "asking_rent"]

    def clean_status(self):
        status = self.cleaned_data.get("status")
        if not self.instance.pk or status == self.instance.status:
            return status
        held = self.instance.leases.held_on(timezone.localdate()).exists()
        if held and status not in Unit.LET:
            raise ValidationError(_("A lease holds this unit today: end the lease to free it."))
        if not held and status in Unit.LET:
            raise ValidationError(_("No lease holds this unit today: sign a lease to let it."))
        return status


# --- lease and status steps: they read the input, economy.actions checks it --------------------


class EnterpriseStatusForm(CheckedForm):
    status = forms.ChoiceField(label=_("New business status"), choices=Enterprise.Status.choices)
    on = forms.DateField(label=_("Since"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label)
            for value, label in Enterprise.Status.choices
            if value != enterprise.status
        ]
        self.fields["on"].initial = timezone.localdate()


class EnterpriseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.credit_code}）"


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        area = f"{obj.area_m2.normalize():f} m²"
        return f"{obj.floor.display_label} {obj.code} · {area} · {obj.get_status_display()}"


ENTERPRISE_CHOICES = 50  # how many matches of a search the select offers


class SignLeaseForm(CheckedForm):
    """签约 on units of one building. The enterprise is chosen from a search (name or credit
    code): the select offers the first matches, any enterprise in scope is accepted."""

    q = forms.CharField(
        label=_("Find the enterprise"),
        required=False,
        max_length=100,
        help_text=_("Part of the name or the credit code, then “Search”."),
    )
    enterprise = EnterpriseChoiceField(queryset=Enterprise.objects.none(), label=_("enterprise"))
    units = UnitChoiceField(
        queryset=Unit.objects.none(), label=_("units"), widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(label=_("lease start"), widget=DATE_WIDGET)
    end_date = forms.DateField(
        label=_("lease end"), widget=DATE_WIDGET, help_text=_("The contract's last day.")
    )
    rent_free_months = forms.DecimalField(
        label=_("rent-free months"), min_value=0, max_digits=4, decimal_places=1, initial=0
    )
    contract_rent = forms.DecimalField(
        label=_("contract rent (CNY/m²/day)"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        required=False,
    )
    signed_on = forms.DateField(label=_("signed on"), widget=DATE_WIDGET, required=False)
    contract_number = forms.CharField(
        label=_("contract number"),
        max_length=40,
        required=False,
        help_text=_("Empty: numbered by the building code and the start date."),
    )
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)

    def __init__(self, *args, building: OfficeBuilding, user, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        enterprises = Enterprise.objects.restrict(user, "view").exclude(
            status=Enterprise.Status.DEREGISTERED
        )
        field = self.fields["enterprise"]
        field.queryset = enterprises
        search = search.strip()
        shown = enterprises.order_by("name", "pk")
        if search:
            shown = shown.filter(Q(name__icontains=search) | Q(credit_code__iexact=search))
        shown = list(shown[:ENTERPRISE_CHOICES])
        chosen = self.data.get("enterprise") or self.initial.get("enterprise")
        if chosen and str(chosen).isdigit() and all(str(e.pk) != str(chosen) for e in shown):
            shown = [*enterprises.filter(pk=chosen), *shown]
        # Rendered: the matches only; validated: any enterprise in scope.
        field.widget.choices = [("", "---------")] + [
            (e.pk, field.label_from_instance(e)) for e in shown
        ]
        picked = (
            set(map(str, self.data.getlist("units"))) if hasattr(self.data, "getlist") else set()
        )
        picked |= {str(u) for u in self.initial.get("units", ())}
        units = self.fields["units"]
        units.queryset = (
            Unit.objects.restrict(user, "change")
            .filter(building=building)
            .filter(~Q(status=Unit.Status.OCCUPIED) | Q(pk__in=[p for p in picked if p.isdigit()]))
            .select_related("floor")
            .order_by("-floor__number", "code")
        )


class RenewLeaseForm(CheckedForm):
    """续签: the same space, from the day after the lease ends unless said otherwise."""

    start_date = forms.DateField(
        label=_("renewal starts"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Empty: the day after the current lease ends."),
    )
    end_date = forms.DateField(
        label=_("lease end"), widget=DATE_WIDGET, help_text=_("The contract's last day.")
    )
    rent_free_months = forms.DecimalField(
        label=_("rent-free months"), min_value=0, max_digits=4, decimal_places=1, initial=0
    )
    contract_rent = forms.DecimalField(
        label=_("contract rent (CNY/m²/day)"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the current rent."),
    )
    signed_on = forms.DateField(label=_("signed on"), widget=DATE_WIDGET, required=False)
    contract_number = forms.CharField(
        label=_("contract number"),
        max_length=40,
        required=False,
        help_text=_("Empty: numbered by the building code and the start date."),
    )
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)

    def __init__(self, *args, lease: Lease, **kwargs):
        super().__init__(*args, **kwargs)


class EndLeaseForm(CheckedForm):
    """退租: the last day the space was held (before the contract's end: terminated early)."""

    on = forms.DateField(label=_("Last day held"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)

    def __init__(self, *args, lease: Lease, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = min(timezone.localdate(), lease.end_date)
