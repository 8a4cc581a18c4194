"""Sensor alarms over MQTT: one message → one report through the ordinary intake; repeated
alarms of a device merge within its window; redeliveries are stored once; bad messages are
dropped without stopping the listener. The second half publishes real messages to the
machine's Mosquitto and runs the listener (and the command) against it."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import socket
import threading
import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.cases.channels import mqtt
from streetbrain.cases.models import Case, CaseEvent, Report, Sensor
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.worktime import SHANGHAI
from streetbrain.registry.models import ComponentClass

from .conftest import require_service

EAST = (121.61, 29.865)  # 东城社区第1网格
FAR = (121.61, 29.874)  # 1 km north: 东城社区第2网格
RIVER = (121.63, 29.865)  # 江城社区第1网格
TOPIC = "streetbrain/sensors/CAM-001/alarm"
BROKER = ("127.0.0.1", 1883)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def alarm(alarm_id="A1", time=None, **fields) -> bytes:
    body = {"alarm_id": alarm_id, "type": "垃圾满溢", "text": "垃圾桶满溢，周边有散落垃圾"}
    if time is not None:
        body["time"] = time.isoformat() if isinstance(time, dt.datetime) else time
    body.update(fields)
    return json.dumps(body, ensure_ascii=False).encode()


def make_sensor(case_world, device_id="CAM-001", **kw) -> Sensor:
    fields = {
        "name": "东城路口摄像头",
        "kind": "camera",
        "component_class": ComponentClass.objects.get(kind="matter", code="06010"),
        "lon": EAST[0],
        "lat": EAST[1],
        "org_unit": case_world["east_grid"],
        "merge_window_minutes": 60,
        **kw,
    }
    return Sensor.objects.create(device_id=device_id, **fields)


@pytest.fixture
def sensor(case_world):
    return make_sensor(case_world)


# -- one message at a time (no broker) --------------------------------------------------------


def test_an_alarm_opens_a_case_as_the_device(sensor, case_world):
    result = mqtt.handle_message(
        TOPIC,
        alarm(time=at(2026, 3, 2, 9, 0), image_url="https://cam.example/snap/1.jpg"),
    )
    assert result is not None and result.new_case and result.created
    case = result.case
    assert case.channel == "sensor" and case.sensor == sensor
    assert case.component_class.code == "06010" and case.class_source == "sensor"
    assert case.org_unit == case_world["east_grid"] and (case.lon, case.lat) == EAST
    assert case.state == "verifying"  # a machine's alarm is verified on site first
    assert case.reported_at == at(2026, 3, 2, 9, 0)
    assert case.title == "垃圾满溢" and "满溢" in case.description
    report = result.report
    assert report.idempotency_key == "mqtt:CAM-001:A1" and report.external_id == "A1"
    assert report.device_id == "CAM-001" and report.media_url.endswith("1.jpg")
    assert report.attributes == {"alarm_type": "垃圾满溢"}
    assert case.events.get().actor_name == "东城路口摄像头"
    entry = ChangeLogEntry.objects.get(
        content_type__model="case", object_id=str(case.pk), action="create"
    )
    assert entry.user is None and entry.user_name == "sensor:CAM-001" and entry.source == "system"
    sensor.refresh_from_db()
    assert sensor.last_alarm_at == at(2026, 3, 2, 9, 0)


def test_repeated_alarms_merge_within_the_devices_window(sensor):
    first = mqtt.handle_message(TOPIC, alarm("A1", at(2026, 3, 2, 9, 0))).case
    # 30 minutes later, even 1 km away: the device's open case.
    again = mqtt.handle_message(
        TOPIC, alarm("A2", at(2026, 3, 2, 9, 30), lon=FAR[0], lat=FAR[1], text="满溢")
    )
    assert not again.new_case and again.case.pk == first.pk
    first.refresh_from_db()
    assert first.report_count == 2
    assert first.events.filter(action=CaseEvent.Action.MERGE).count() == 1
    # 90 minutes after the case opened, 1 km away: a new case.
    later = mqtt.handle_message(
        TOPIC, alarm("A3", at(2026, 3, 2, 10, 30), lon=FAR[0], lat=FAR[1], text="满溢")
    )
    assert later.new_case and later.case.pk != first.pk
    assert later.case.org_unit.code == "33021201400102"
    # A shorter window: the device's next alarm 20 minutes on opens its own case.
    Sensor.objects.filter(pk=sensor.pk).update(merge_window_minutes=10)
    far_again = mqtt.handle_message(
        TOPIC, alarm("A4", at(2026, 3, 2, 10, 50), lon=RIVER[0], lat=RIVER[1])
    )
    assert far_again.new_case


def test_a_redelivered_alarm_is_stored_once(sensor):
    first = mqtt.handle_message(TOPIC, alarm("A1", at(2026, 3, 2, 9, 0)))
    again = mqtt.handle_message(TOPIC, alarm("A1", at(2026, 3, 2, 9, 0)))
    assert first.created and not again.created and again.report.pk == first.report.pk
    assert Report.objects.count() == 1 and Case.objects.get().report_count == 1
    # The same alarm id from another device is another alarm.
    other = Sensor.objects.create(
        device_id="CAM-002", name="江城摄像头", lon=RIVER[0], lat=RIVER[1]
    )
    result = mqtt.handle_message("streetbrain/sensors/CAM-002/alarm", alarm("A1"))
    assert result.created and result.report.sensor == other


def test_the_alarm_may_name_its_class_and_place(sensor, case_world):
    result = mqtt.handle_message(
        TOPIC, alarm(**{"class": "matter:06036", "lon": RIVER[0], "lat": RIVER[1]})
    )
    case = result.case
    assert case.component_class.code == "06036" and case.class_source == "reporter"
    assert case.org_unit == case_world["river_grid"]
    assert case.suggested_department.code == "sq-002"  # 江城's rule for major class 06


def test_an_unknown_class_falls_back_to_the_sensors(sensor, caplog):
    with caplog.at_level(logging.WARNING, logger="streetbrain.cases.channels.mqtt"):
        result = mqtt.handle_message(TOPIC, alarm(**{"class": "matter:99999"}))
    assert result.case.component_class.code == "06010"
    assert "unknown class" in caplog.text


def test_times_naive_and_from_the_future(sensor):
    naive = mqtt.handle_message(TOPIC, alarm("N", "2026-03-02T09:00:00"))
    assert naive.case.reported_at == at(2026, 3, 2, 9, 0)  # local time (Asia/Shanghai)
    before = timezone.now()
    future = mqtt.handle_message(TOPIC, alarm("F", timezone.now() + dt.timedelta(days=2)))
    assert before <= future.report.received_at <= timezone.now()


def test_an_alarm_without_text_is_named_after_the_sensor(sensor):
    payload = json.dumps({"alarm_id": "Q"}).encode()
    case = mqtt.handle_message(TOPIC, payload).case
    assert "东城路口摄像头" in case.title


@pytest.mark.parametrize(
    "payload, field",
    [
        (b"not json", "payload"),
        (b"\xff\xfe", "payload"),
        (b"[1, 2]", "payload"),
        (b"{" + b" " * (65 * 1024) + b"}", "payload"),
        (json.dumps({"type": "x"}).encode(), "alarm_id"),
        (json.dumps({"alarm_id": True}).encode(), "alarm_id"),
        (json.dumps({"alarm_id": "x" * 65}).encode(), "alarm_id"),
        (json.dumps({"alarm_id": "a\nb"}).encode(), "alarm_id"),
        (alarm(time="yesterday"), "time"),
        (alarm(time=12), "time"),
        (alarm(lon=121.61), "lat"),
        (alarm(lon="east", lat=29.8), "lon"),
        (alarm(lon=116.39, lat=39.9), "location"),
        (alarm(text=["a"]), "text"),
    ],
)
def test_bad_payloads_are_dropped_and_logged(sensor, caplog, payload, field):
    with caplog.at_level(logging.WARNING, logger="streetbrain.cases.channels.mqtt"):
        outcome = mqtt.process(TOPIC, payload)
    assert outcome.result is None and outcome.field == field and outcome.dropped
    assert outcome.dropped in outcome.line()
    assert mqtt.handle_message(TOPIC, payload) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and outcome.dropped in warnings[0].getMessage()
    assert not Case.objects.exists() and not Report.objects.exists()


def test_unknown_and_switched_off_devices_are_dropped(sensor, caplog):
    with caplog.at_level(logging.WARNING, logger="streetbrain.cases.channels.mqtt"):
        unknown = mqtt.process("streetbrain/sensors/NOPE/alarm", alarm())
        status = mqtt.process("streetbrain/sensors/CAM-001/status", alarm())
        Sensor.objects.filter(pk=sensor.pk).update(is_active=False)
        off = mqtt.process(TOPIC, alarm())
    for outcome in (unknown, status, off):
        assert outcome.result is None and outcome.field == "device"
    assert len({unknown.dropped, status.dropped, off.dropped}) == 3  # three different reasons
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 3
    assert not Case.objects.exists()


def test_a_bad_image_url_is_ignored_not_fatal(sensor):
    result = mqtt.handle_message(TOPIC, alarm(image_url="javascript:alert(1)"))
    assert result.new_case and result.report.media_url == ""


def test_broker_urls():
    assert str(mqtt.parse_url("mqtt://127.0.0.1:1883")) == "mqtt://127.0.0.1:1883"
    secure = mqtt.parse_url("mqtts://user:p%40ss@broker.example")
    assert (secure.port, secure.tls, secure.username, secure.password) == (
        8883,
        True,
        "user",
        "p@ss",
    )
    for bad in ("http://x", "mqtt://", "mqtt://host:port"):
        with pytest.raises(ValueError):
            mqtt.parse_url(bad)


def test_an_unreachable_broker_is_retried_until_the_timeout(caplog):
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="streetbrain.cases.channels.mqtt"):
        handled = mqtt.listen("mqtt://127.0.0.1:1", timeout=2.5)
    assert handled == 0 and 2.4 <= time.monotonic() - start < 6
    retries = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(retries) >= 2  # 1 s, then 2 s later: backoff
    assert "retrying in 1 s" in retries[0].getMessage()
    assert "retrying in 2 s" in retries[1].getMessage()


def test_the_command_refuses_bad_options():
    for args in (
        ["--url", "http://x"],
        ["--once", "0"],
        ["--timeout", "-1"],
        ["--topic", "streetbrain/#"],
    ):
        with pytest.raises(CommandError):
            call_command("cases", "listen-mqtt", *args)


# -- with the machine's Mosquitto -------------------------------------------------------------
#
# The listener runs in the test's own thread (and so in its database transaction); a helper
# thread publishes real messages once the listener has subscribed, and touches no database.


def publish(topic: str, *payloads: bytes, port: int = BROKER[1]) -> None:
    from paho.mqtt import publish as mqtt_publish

    mqtt_publish.multiple(
        [{"topic": topic, "payload": p, "qos": 1} for p in payloads],
        hostname=BROKER[0],
        port=port,
        client_id=f"sbtest-pub-{uuid.uuid4().hex[:8]}",
    )


class Publisher(threading.Thread):
    """Runs ``script`` (which waits for the listener's signals and publishes) beside the
    listener; its failure is kept for the test to raise."""

    def __init__(self, script):
        super().__init__(daemon=True)
        self.script = script
        self.error: BaseException | None = None

    def run(self):
        try:
            self.script()
        except BaseException as exc:
            self.error = exc

    def check(self):
        self.join(10)
        if self.error is not None:
            raise self.error


def prefix() -> str:
    """A topic prefix of this test alone: other runs on the same broker cannot interfere."""
    return f"sbtest-{uuid.uuid4().hex[:10]}/sensors"


def waited(event: threading.Event, what: str) -> None:
    if not event.wait(15):
        raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.services
def test_the_listener_turns_published_alarms_into_cases(case_world):
    require_service("mosquitto", *BROKER)
    make_sensor(case_world)
    base = prefix()
    ready = threading.Event()
    now = timezone.now()

    def script():
        waited(ready, "the subscription")
        publish(
            f"{base}/CAM-001/alarm",
            alarm("A1", now - dt.timedelta(minutes=20)),
            alarm("A2", now - dt.timedelta(minutes=10), text="又满了"),
            alarm("A1", now - dt.timedelta(minutes=20)),  # a redelivery
            b"{broken",
        )
        publish(f"{base}/UNKNOWN/alarm", alarm("X1"))

    publisher = Publisher(script)
    publisher.start()
    lines: list[str] = []
    handled = mqtt.listen(
        f"mqtt://{BROKER[0]}:{BROKER[1]}",
        topic=f"{base}/+/alarm",
        once=5,
        timeout=30,
        echo=lines.append,
        on_ready=ready.set,
    )
    publisher.check()
    assert handled == 5
    case = Case.objects.get()
    assert case.channel == "sensor" and case.report_count == 2
    assert sorted(case.reports.values_list("external_id", flat=True)) == ["A1", "A2"]
    reports = {"who": "CAM-001 A2", "number": case.number, "n": 2}
    assert lines == [
        _("%(who)s: new case %(number)s") % {"who": "CAM-001 A1", "number": case.number},
        _("%(who)s: merged into case %(number)s (%(n)d reports)") % reports,
        _("%(who)s: already received (case %(number)s)")
        % {"who": "CAM-001 A1", "number": case.number},
        _("%(who)s: dropped: %(reason)s")
        % {"who": "CAM-001", "reason": _("The message is not JSON (UTF-8).")},
        _("%(who)s: dropped: %(reason)s") % {"who": "UNKNOWN", "reason": _("Unknown device.")},
    ]


class ReadySignal(io.StringIO):
    """The command's stdout: sets ``ready`` once it names the topic it listens to."""

    def __init__(self, topic):
        super().__init__()
        self.topic = topic
        self.ready = threading.Event()

    def write(self, text):
        if self.topic in text:
            self.ready.set()
        return super().write(text)


@pytest.mark.services
def test_the_command_handles_once_and_prints_a_line(case_world):
    require_service("mosquitto", *BROKER)
    make_sensor(case_world)
    base = prefix()
    stdout, stderr = ReadySignal(f"{base}/+/alarm"), io.StringIO()

    def script():
        waited(stdout.ready, "the subscription")
        publish(f"{base}/CAM-001/alarm", alarm("C1", timezone.now()))

    publisher = Publisher(script)
    publisher.start()
    call_command(
        "cases",
        "listen-mqtt",
        "--url",
        f"mqtt://{BROKER[0]}:{BROKER[1]}",
        "--topic",
        f"{base}/+/alarm",
        "--once",
        "1",
        "--timeout",
        "30",
        stdout=stdout,
        stderr=stderr,
    )
    publisher.check()
    case = Case.objects.get()
    assert case.number in stdout.getvalue() and "C1" in stdout.getvalue()


class Proxy:
    """A TCP relay to the broker whose connections the test can cut."""

    def __init__(self, target):
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self):
        for s in list(self.sockets):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.sockets.clear()

    def close(self):
        self.server.close()
        self.cut()


@pytest.mark.services
def test_the_listener_reconnects_after_the_connection_drops(case_world, caplog):
    require_service("mosquitto", *BROKER)
    make_sensor(case_world)
    base = prefix()
    proxy = Proxy(BROKER)
    subscribed, handled_first = threading.Event(), threading.Event()
    subscriptions: list[float] = []
    now = timezone.now()

    def on_ready():
        subscriptions.append(time.monotonic())
        subscribed.set()

    def script():
        waited(subscribed, "the subscription")
        publish(f"{base}/CAM-001/alarm", alarm("R1", now - dt.timedelta(minutes=5)))
        waited(handled_first, "the first alarm")
        subscribed.clear()
        proxy.cut()
        waited(subscribed, "the listener to come back")
        publish(f"{base}/CAM-001/alarm", alarm("R2", now))

    publisher = Publisher(script)
    publisher.start()
    try:
        with caplog.at_level(logging.WARNING, logger="streetbrain.cases.channels.mqtt"):
            handled = mqtt.listen(
                f"mqtt://127.0.0.1:{proxy.port}",
                topic=f"{base}/+/alarm",
                once=2,
                timeout=30,
                echo=lambda line: handled_first.set(),
                on_ready=on_ready,
            )
        publisher.check()
    finally:
        proxy.close()
    assert handled == 2 and len(subscriptions) == 2
    assert "lost" in caplog.text
    assert subscriptions[1] - subscriptions[0] >= 1.0  # it waited (backoff) before retrying
    case = Case.objects.get()
    assert case.report_count == 2


def test_the_command_stops_cleanly_on_sigterm(tmp_path):
    """A service manager stops the listener with SIGTERM: it ends the loop and exits 0."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "streetbrain.settings.test"}
    process = subprocess.Popen(
        [
            sys.executable,
            str(root / "manage.py"),
            "cases",
            "listen-mqtt",
            "--url",
            "mqtt://127.0.0.1:1",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        seen = ""
        while "unreachable" not in seen and time.monotonic() < deadline:
            seen += process.stderr.readline()  # the first retry is logged: the loop runs
        assert "unreachable" in seen, seen
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
