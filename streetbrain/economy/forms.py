"""Forms of the move-out warning's workflow steps (指派, 走访, 备注, 办结). They only read the
input; ``economy.actions`` validates again and its errors land on these fields."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetbrain.core.scoping import ancestor_paths

from .models import MoveOutWarning

NOTE_WIDGET = forms.Textarea(attrs={"rows": 3})


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """An action's ``ValidationError`` on the form: messages keyed by an input on its field,
    the rest (e.g. ``warning``: "This warning is closed.") on the form itself."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


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


class AssignForm(forms.Form):
    assignee = AssigneeField(queryset=get_user_model().objects.none(), label=_("Assign to"))
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE_WIDGET)

    def __init__(self, *args, warning: MoveOutWarning, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = assignee_queryset(warning)
        leader_id = warning.building.leader_id if warning.building_id else None
        if leader_id and not self.is_bound:
            field.initial = leader_id


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Visited on"),
        # <input type="date"> takes ISO dates only, whatever the locale's input format.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("What was learnt"), widget=NOTE_WIDGET, required=False, max_length=4000
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=MoveOutWarning.Outcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=NOTE_WIDGET, required=False, max_length=4000)
