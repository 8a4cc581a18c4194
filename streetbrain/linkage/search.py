"""The linkage's kind in the one search: departments' staged records by name (a clerk finds
what the 派出所 or 民政 sheet says of a person, and where it links), never their numbers."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider


def _describe(record) -> str:
    return f"{record.source.name} · {record.row} · {record.get_state_display()}"


PROVIDERS = [
    SearchProvider(
        "linkage_records",
        _("Departments' records"),
        "linkage.StagedRecord",
        describe=_describe,
        select_related=("source",),
        permission="linkage.view_stagedrecord",
        order=90,
    ),
]
