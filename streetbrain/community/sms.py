"""The SMS gateway sign-up codes go through: pluggable (``COMMUNITY_SMS_GATEWAY``, a dotted path
to a class with ``send(phone, text) -> SmsResult``). The demo's and the tests' gateway sends
nothing and hands the code back so the page can show it — saying so on the screen; a
deployment names its carrier's gateway (阿里云短信, 腾讯云短信 …) in the setting."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsResult:
    sent: bool
    shown_code: str = ""  # only a gateway that sends nothing returns the code for the screen


class ScreenGateway:
    """Sends nothing: the code is shown on the page (demo and tests only)."""

    shows_code = True

    def send(self, phone: str, text: str, *, code: str = "") -> SmsResult:
        return SmsResult(sent=False, shown_code=code)


def gateway():
    path = getattr(settings, "COMMUNITY_SMS_GATEWAY", "streetbrain.community.sms.ScreenGateway")
    return import_string(path)()
