"""The platform's domains as the home page and the menu show them. A domain whose app is not
installed yet is shown as planned, without a link, so that nothing leads to a missing page."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Domain:
    key: str
    label: str
    description: str
    app_label: str
    url_name: str
    permission: str = ""

    @property
    def available(self) -> bool:
        return apps.is_installed(f"streetbrain.{self.app_label}")

    @property
    def url(self) -> str | None:
        if not self.available:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


DOMAINS = [
    Domain(
        "org",
        _("Org tree and grids"),
        _("Street, communities, unit grid cells (块)"),
        "core",
        "core:orgunit_list",
        "core.view_orgunit",
    ),
    Domain(
        "departments",
        _("Departments"),
        _("Functional departments (条) that handle cases"),
        "core",
        "core:department_list",
        "core.view_department",
    ),
    Domain(
        "registry",
        _("People, houses, things"),
        _("Residents, houses, buildings, facilities, street shops (人房物, 一表通查)"),
        "registry",
        "registry:index",
    ),
    Domain(
        "cases",
        _("Cases"),
        _("Reports, dispatch, handling, verification, evaluation (一键通达, 一网通管)"),
        "cases",
        "cases:index",
    ),
    Domain(
        "economy",
        _("Building brain"),
        _("Towers, space, enterprises, tax, move-out warnings (楼宇大脑)"),
        "economy",
        "economy:index",
    ),
    Domain("map", _("One map"), _("人房物图事 on one map (一图通览)"), "cockpit", "cockpit:map"),
    Domain(
        "cockpit",
        _("Cockpit"),
        _("The leaders' dashboard and wall screen (驾驶舱)"),
        "cockpit",
        "cockpit:index",
    ),
]
