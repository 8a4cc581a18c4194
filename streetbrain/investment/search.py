"""招商's kinds in the one search: leads by company name or credit code, and the parks."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider

PROVIDERS = [
    SearchProvider(
        "investment.leads",
        _("Investment leads"),
        "investment.Lead",
        codes=("credit_code",),
        describe=lambda lead: f"{lead.get_stage_display()} · {lead.industry.name}",
        select_related=("industry",),
        order=47,
    ),
    SearchProvider(
        "investment.parks",
        _("Parks"),
        "investment.Park",
        describe=lambda park: park.kind,
        order=36,
    ),
]
