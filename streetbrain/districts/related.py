"""What the districts show on other apps' pages: on a registry shop's page and an
enterprise's page (企业影像), the district stores that are the same legal entity."""

from __future__ import annotations

from django.utils.translation import gettext as _

from streetbrain.core.generic import Column, table

from .models import Store

COLUMNS = [Column("name"), Column("code"), Column("complex"), Column("district")]


def _stores(user, **link):
    stores = Store.objects.restrict(user).filter(**link).select_related("complex", "district")
    return table(_("In the business districts"), Store, COLUMNS, stores) if stores else None


def stores_of_shop(shop, user) -> dict | None:
    return _stores(user, shop=shop)


def stores_of_enterprise(enterprise, user) -> dict | None:
    return _stores(user, enterprise=enterprise)
