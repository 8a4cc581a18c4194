from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "streetbrain.investment"
    label = "investment"
    verbose_name = _("Investment promotion (招商)")
