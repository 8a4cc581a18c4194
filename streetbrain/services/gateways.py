"""Outside gateways for notices (SMS, 政务钉钉): pluggable adapters named in the setting
``SERVICES_NOTICE_GATEWAYS`` (key → dotted path of a class with ``label`` and
``export(notices) -> (body, content_type, filename)``). The built-in adapter writes the
batch file such gateways import (UTF-8 CSV with a BOM, so spreadsheet tools read the Chinese);
the in-app notice is always delivered by ``actions.send_notices`` itself."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class CsvBatchGateway:
    label = _("SMS / 政务钉钉 batch file (CSV)")
    columns = ["统一社会信用代码", "企业名称", "政策", "条款", "预计金额(元)", "消息", "状态"]

    def rows(self, notices):
        for n in notices:
            yield [
                n.enterprise.credit_code,
                n.enterprise.name,
                n.clause.policy.title,
                n.clause.title or n.clause.key,
                "" if n.estimated_amount is None else f"{n.estimated_amount:.2f}",
                n.message
                or f"您可能符合《{n.clause.policy.title}》{n.clause.title}，请登录企业服务页查看。",
                n.get_state_display(),
            ]

    def export(self, notices):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(self.columns)
        writer.writerows(self.rows(notices))
        return out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "notices.csv"


DEFAULT = {"csv": "streetbrain.services.gateways.CsvBatchGateway"}


def _registry() -> dict:
    return getattr(settings, "SERVICES_NOTICE_GATEWAYS", DEFAULT)


def get(key: str):
    path = _registry().get(key)
    return import_string(path)() if path else None


def choices() -> list[tuple[str, str]]:
    return [(key, str(import_string(path).label)) for key, path in _registry().items()]
