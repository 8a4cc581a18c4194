"""Sensor and AI-camera alarms over MQTT (视频/传感器发现).

A device publishes each alarm on ``streetbrain/sensors/<device_id>/alarm`` (QoS 1) as JSON::

    {"alarm_id": "A-20260302-0001", "time": "2026-03-02T09:00:00+08:00",
     "type": "垃圾满溢", "class": "matter:06010", "lon": 121.61, "lat": 29.865,
     "text": "垃圾桶满溢", "image_url": "https://…/snapshot.jpg"}

Only ``alarm_id`` is required. ``class`` overrides the sensor's class; ``lon``/``lat`` its
place; ``time`` defaults to the arrival (a naive time is local time). Each alarm becomes a
report through the ordinary intake (``intake.actions.submit_report``) with the idempotency key
``mqtt:<device>:<alarm_id>``, so a redelivered message is stored once; repeated alarms of one
device within its ``merge_window_minutes`` join the device's open case.

``handle_message`` handles one message (testable without a broker); ``listen`` is the loop of
``streetbrain cases listen-mqtt``: it subscribes, handles each message inside an audit
context naming the device, drops (and logs) what it cannot use, and reconnects with
exponential backoff when the broker goes away.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core.audit import audit_context
from streetbrain.core.text import MESSAGE, fields_with_control_characters

from ..intake import pipeline
from ..intake.actions import submit_report
from ..intake.pipeline import ReportInput
from ..intake.store import IntakeResult
from ..models import Channel, Sensor

log = logging.getLogger(__name__)

TOPIC = "streetbrain/sensors/+/alarm"
MAX_PAYLOAD = 64 * 1024
MAX_ALARM_ID = 64
# A device clock ahead of ours by more than this is not believed: the alarm gets our time.
CLOCK_SKEW = dt.timedelta(minutes=5)


class AlarmError(ValueError):
    """The message cannot become a report: the reason, and the payload field at fault
    ("payload" for the message as a whole)."""

    def __init__(self, message: str, field: str = "payload"):
        super().__init__(message)
        self.field = field


@dataclass
class Alarm:
    alarm_id: str
    time: dt.datetime
    type: str = ""
    class_label: str = ""
    lon: float | None = None
    lat: float | None = None
    text: str = ""
    image_url: str = ""


@dataclass
class Outcome:
    """What became of one message: the intake result, or why it was dropped (and the field
    at fault: a payload key, "payload", "device", or an intake field such as "location")."""

    topic: str
    device: str = ""
    alarm_id: str = ""
    result: IntakeResult | None = None
    dropped: str = ""
    field: str = ""

    def line(self) -> str:
        who = f"{self.device or self.topic} {self.alarm_id}".strip()
        if self.result is None:
            return _("%(who)s: dropped: %(reason)s") % {"who": who, "reason": self.dropped}
        case = self.result.case
        if not self.result.created:
            return _("%(who)s: already received (case %(number)s)") % {
                "who": who,
                "number": case.number,
            }
        if self.result.new_case:
            return _("%(who)s: new case %(number)s") % {"who": who, "number": case.number}
        return _("%(who)s: merged into case %(number)s (%(n)d reports)") % {
            "who": who,
            "number": case.number,
            "n": case.report_count,
        }


def device_of(topic: str) -> str:
    """``…/<device_id>/alarm`` → the device id ("" if the topic has another shape)."""
    parts = topic.split("/")
    if len(parts) < 2 or parts[-1] != "alarm":
        return ""
    return parts[-2]


def _text(payload: dict, key: str, limit: int) -> str:
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AlarmError(_("“%(key)s” must be text.") % {"key": key}, key)
    return value.strip()[:limit]


def _coordinate(payload: dict, key: str) -> float | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    message = _("“%(key)s” must be a number.") % {"key": key}
    if isinstance(value, bool):
        raise AlarmError(message, key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AlarmError(message, key) from None
    if not math.isfinite(number):
        raise AlarmError(message, key)
    return number


def parse_payload(payload: bytes, now: dt.datetime | None = None) -> Alarm:
    """The alarm in a message's payload; ``AlarmError`` if it is unusable."""
    now = now or timezone.now()
    if len(payload) > MAX_PAYLOAD:
        raise AlarmError(_("The message is larger than %(n)d bytes.") % {"n": MAX_PAYLOAD})
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AlarmError(_("The message is not JSON (UTF-8).")) from None
    if not isinstance(data, dict):
        raise AlarmError(_("The message is not a JSON object."))
    bad = fields_with_control_characters(data)
    if bad:  # core.text: a NUL or an escape sequence is never part of an alarm
        raise AlarmError(_("“%(key)s”: %(problem)s") % {"key": bad[0], "problem": MESSAGE}, bad[0])
    alarm_id = data.get("alarm_id")
    if isinstance(alarm_id, int) and not isinstance(alarm_id, bool):
        alarm_id = str(alarm_id)
    if not isinstance(alarm_id, str) or not alarm_id.strip():
        raise AlarmError(_("The alarm has no “alarm_id”."), "alarm_id")
    alarm_id = alarm_id.strip()
    if len(alarm_id) > MAX_ALARM_ID or not alarm_id.isprintable():
        raise AlarmError(
            _("“alarm_id” may have at most %(n)d printable characters.") % {"n": MAX_ALARM_ID},
            "alarm_id",
        )
    when = now
    raw_time = data.get("time")
    if raw_time not in (None, ""):
        message = _("“time” must be an ISO 8601 date and time.")
        if not isinstance(raw_time, str):
            raise AlarmError(message, "time")
        try:
            when = dt.datetime.fromisoformat(raw_time.strip())
        except ValueError:
            raise AlarmError(message, "time") from None
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        if when > now + CLOCK_SKEW:
            log.warning("alarm %s: device time %s lies in the future; using ours", alarm_id, when)
            when = now
    lon, lat = _coordinate(data, "lon"), _coordinate(data, "lat")
    if (lon is None) != (lat is None):
        raise AlarmError(
            _("Give both “lon” and “lat”, or neither."), "lat" if lat is None else "lon"
        )
    text = _text(data, "text", pipeline.MAX_DESCRIPTION) or _text(
        data, "description", pipeline.MAX_DESCRIPTION
    )
    image_url = _text(data, "image_url", 2000)
    if image_url:
        try:
            if len(image_url) > 500:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(image_url)
        except ValidationError:
            log.warning("alarm %s: ignoring the image URL %r", alarm_id, image_url[:100])
            image_url = ""
    return Alarm(
        alarm_id=alarm_id,
        time=when,
        type=_text(data, "type", 100),
        class_label=_text(data, "class", 30),
        lon=lon,
        lat=lat,
        text=text,
        image_url=image_url,
    )


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def process(topic: str, payload: bytes, *, now: dt.datetime | None = None) -> Outcome:
    """Handle one message and say what became of it. Never raises for bad input."""
    device = device_of(topic)
    outcome = Outcome(topic=topic, device=device)
    if not device:
        outcome.dropped, outcome.field = _("The topic does not name a device."), "device"
        log.warning("MQTT %s: %s", topic, outcome.dropped)
        return outcome
    with audit_context(
        user=None, source="system", actor_name=f"sensor:{device}", request_id=uuid.uuid4()
    ):
        sensor = (
            Sensor.objects.select_related("component_class", "org_unit")
            .filter(device_id=device)
            .first()
        )
        if sensor is None or not sensor.is_active:
            outcome.dropped = (
                _("Unknown device.") if sensor is None else _("The device is switched off.")
            )
            outcome.field = "device"
            log.warning("MQTT %s: %s", topic, outcome.dropped)
            return outcome
        try:
            alarm = parse_payload(payload, now)
        except AlarmError as exc:
            outcome.dropped, outcome.field = str(exc), exc.field
            log.warning("MQTT %s: %s", topic, outcome.dropped)
            return outcome
        outcome.alarm_id = alarm.alarm_id
        requested = None
        if alarm.class_label:
            requested = pipeline.class_for_label(alarm.class_label)
            if requested is None:
                log.warning(
                    "MQTT %s alarm %s: unknown class %r; using the sensor's",
                    topic,
                    alarm.alarm_id,
                    alarm.class_label,
                )
        title = alarm.type or (_("Alarm: %(sensor)s") % {"sensor": sensor.name})
        data = ReportInput(
            channel=Channel.SENSOR,
            title=title,
            description=alarm.text,
            lon=alarm.lon,
            lat=alarm.lat,
            requested_class=requested,
            attributes={"alarm_type": alarm.type} if alarm.type else {},
            media_url=alarm.image_url,
            reporter_name=sensor.name,
            device_id=device,
            external_id=alarm.alarm_id,
            idempotency_key=f"mqtt:{device}:{alarm.alarm_id}",
            sensor=sensor,
            received_at=alarm.time,
        )
        try:
            outcome.result = submit_report(data)
        except ValidationError as exc:
            outcome.dropped = _messages(exc)
            outcome.field = next(iter(exc.message_dict), "") if hasattr(exc, "error_dict") else ""
            log.warning("MQTT %s alarm %s: %s", topic, alarm.alarm_id, outcome.dropped)
    return outcome


def handle_message(topic: str, payload: bytes, *, now: dt.datetime | None = None):
    """One alarm message → ``IntakeResult`` (a new case, a merge, or the earlier result of a
    redelivered alarm), or ``None`` when the message was dropped (logged)."""
    return process(topic, payload, now=now).result


# -- the loop ---------------------------------------------------------------------------------


@dataclass
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None

    def __str__(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_url(url: str) -> BrokerAddress:
    """``mqtt://[user:password@]host[:1883]`` or ``mqtts://…[:8883]`` (TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ValueError(_("Give the broker as mqtt://host:port or mqtts://host:port."))
    tls = parts.scheme in ("mqtts", "ssl")
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise ValueError(_("The broker's port is not a number.")) from None
    return BrokerAddress(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _in_transaction() -> bool:
    # Inside an enclosing transaction (a test's) connections must be left alone.
    return any(conn.in_atomic_block for conn in connections.all(initialized_only=True))


def _tidy_connections() -> None:
    """What Django does around each request: drop connections that broke or grew too old,
    so a listener running for weeks survives database restarts."""
    if not _in_transaction():
        close_old_connections()


def _safely(topic: str, payload: bytes) -> Outcome:
    """``process`` with the database connection kept healthy in a long-running process: a
    lost connection is reopened and the message tried once more."""
    _tidy_connections()
    try:
        try:
            return process(topic, payload)
        except DatabaseError:
            if _in_transaction():
                raise
            log.warning("MQTT %s: database error; reconnecting and retrying once", topic)
            connections.close_all()
            return process(topic, payload)
    except Exception as exc:  # one bad message must not stop the listener
        log.exception("MQTT %s: the message could not be handled", topic)
        return Outcome(topic=topic, device=device_of(topic), dropped=str(exc) or type(exc).__name__)
    finally:
        _tidy_connections()


def listen(
    url: str | None = None,
    *,
    topic: str = TOPIC,
    once: int | None = None,
    timeout: float | None = None,
    client_id: str = "",
    echo: Callable[[str], None] | None = None,
    on_ready: Callable[[], None] | None = None,
    stop: threading.Event | None = None,
    keepalive: int = 30,
    max_backoff: float = 60.0,
) -> int:
    """Subscribe to ``topic`` and turn each message into a report until ``once`` messages
    were handled, ``timeout`` seconds passed or ``stop`` is set (else forever). Returns the
    number of messages handled. ``echo`` gets one line per message; ``on_ready`` is called
    each time the subscription is in place. A ``client_id`` asks the broker for a durable
    session: alarms published while the listener is down are delivered when it returns."""
    import paho.mqtt.client as mqtt

    address = parse_url(url or settings.MQTT_URL)
    echo = echo or (lambda line: None)
    stop = stop or threading.Event()
    counter = {"messages": 0}
    backoff = {"delay": 1.0}

    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=not client_id,
        protocol=mqtt.MQTTv311,
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set()

    def on_connect(client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT broker %s refused the connection: %s", address, reason_code)
            return
        client.subscribe(topic, qos=1)

    def on_subscribe(client, userdata, mid, reason_codes, properties):
        if any(code.is_failure for code in reason_codes):
            log.error("MQTT broker %s refused the subscription to %s", address, topic)
            return
        backoff["delay"] = 1.0
        log.info("MQTT: listening on %s %s", address, topic)
        if on_ready is not None:
            on_ready()

    def on_message(client, userdata, message):
        # Every delivered message is handled, even past ``once``: the broker counts it as
        # delivered once this returns.
        outcome = _safely(message.topic, message.payload)
        counter["messages"] += 1
        echo(outcome.line())
        if once is not None and counter["messages"] >= once:
            stop.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect_async(address.host, address.port, keepalive)

    deadline = time.monotonic() + timeout if timeout is not None else None

    def wait(seconds: float) -> None:
        if deadline is not None:
            seconds = min(seconds, max(0.0, deadline - time.monotonic()))
        stop.wait(seconds)

    need_connect = True
    try:
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            if need_connect:
                try:
                    client.reconnect()
                    need_connect = False
                except OSError as exc:
                    log.warning(
                        "MQTT broker %s unreachable (%s); retrying in %.0f s",
                        address,
                        exc,
                        backoff["delay"],
                    )
                    wait(backoff["delay"])
                    backoff["delay"] = min(backoff["delay"] * 2, max_backoff)
                    continue
            rc = client.loop(timeout=0.5)
            if rc != mqtt.MQTT_ERR_SUCCESS and not stop.is_set():
                log.warning(
                    "MQTT connection to %s lost (%s); reconnecting in %.0f s",
                    address,
                    mqtt.error_string(rc),
                    backoff["delay"],
                )
                need_connect = True
                wait(backoff["delay"])
                backoff["delay"] = min(backoff["delay"] * 2, max_backoff)
    finally:
        if not need_connect:
            client.disconnect()
            client.loop(timeout=0.2)  # send the DISCONNECT
    return counter["messages"]
