"""How a case of the history arrives (受理 in the generator): its channel, the moment, the
place (at the facility, shop or building concerned, or a point in the grid cell), the text
from ``synth.texts`` or a sensor's alarm, the reporter, and the class the intake pipeline gave
it (the reporter's, the sensor's, or the model's, right, unsure or wrong)."""

from __future__ import annotations

import datetime as dt
import random

from streetbrain.cases.models import Channel

from .. import texts as synth_texts
from .plans import CasePlan, ReportPlan, SensorPlan
from .tables import (
    BUILDING_MATTERS,
    CLASS_WEIGHTS,
    COMPONENT_MATTERS,
    MEDIA,
    NIGHT_CLASSES,
    SH,
    SHOP_MATTERS,
    SUPERIORS,
    caller,
    mobile,
    person,
    road_of,
)
from .world import GridSpec


class Arrivals:
    """The generator's part that makes a new case and its first report (a mixin of
    ``generator._Generator``: it reads the generator's world, grids, points, tables and
    sensors)."""

    def _when(self, rng: random.Random, day: dt.date, channel: str, code: str) -> dt.datetime:
        if channel == Channel.GRIDWORKER:
            profile = "night" if code in NIGHT_CLASSES and rng.random() < 0.3 else "patrol"
        elif channel in (Channel.SUPERIOR, Channel.MEDIA):
            profile = "office"
        elif channel == Channel.SENSOR:
            profile = "stall" if code == "09006" else "flat"
        elif code in NIGHT_CLASSES:
            profile = "night"
        elif channel in (Channel.HOTLINE, Channel.PHONE):
            profile = "hotline"
        else:
            profile = "public"
        hour = self.hours[profile].pick(rng)
        t = dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH) + dt.timedelta(
            seconds=rng.randrange(3600)
        )
        if t > self.now:  # later today than now: earlier today instead
            start = dt.datetime(day.year, day.month, day.day, tzinfo=SH)
            t = start + (self.now - start) * rng.random()
        return t.replace(microsecond=0)

    def _place(self, rng, grid: GridSpec, code: str):
        """(lon, lat, address, facility, shop, building) of a case of class ``code``."""
        points = self.points[grid.code]
        facility = shop = building = None
        anchor = None
        if code in COMPONENT_MATTERS and grid.facilities.get(code) and rng.random() < 0.85:
            anchor = rng.choice(grid.facilities[code])
            facility = anchor[0]
        elif grid.shop_anchors and rng.random() < SHOP_MATTERS.get(code, 0.0):
            anchor = rng.choice(grid.shop_anchors)
            shop = anchor[0]
        elif grid.buildings and rng.random() < BUILDING_MATTERS.get(code, 0.0):
            anchor = rng.choice(grid.buildings)
            building = anchor[0]
        if anchor is not None:
            _id, lon, lat, address = anchor
            if shop is not None or building is not None:
                lon, lat = points.near(rng, lon, lat, 15.0)
            if not points.inside(lon, lat):
                lon, lat = points.random(rng)
            return lon, lat, address or "", facility, shop, building
        lon, lat = points.random(rng)
        road = self._road(rng, grid)
        return lon, lat, f"{road}{rng.randrange(1, 1200)}号附近", None, None, None

    def _text(self, rng, label: str, channel: str, address: str) -> dict:
        road = road_of(address) or address[:6]
        voice = {
            Channel.GRIDWORKER: "grid",
            Channel.HOTLINE: "hotline",
            Channel.PHONE: "hotline",
            Channel.SUPERIOR: "hotline",
        }.get(channel, "citizen")
        row = synth_texts.compose(label, rng, voice=voice, place=(road, address))
        if channel == Channel.SUPERIOR:
            row["description"] = f"上级交办：{row['description']}"
        elif channel == Channel.MEDIA:
            row["description"] = f"媒体曝光：{row['description']}"
        return row

    def _new_case(self, rng: random.Random, day: dt.date, working: bool) -> CasePlan:
        channel = (self.channels_work if working else self.channels_rest).pick(rng)
        sensor = None
        if channel == Channel.SENSOR:
            table = self.sensor_table(day.month)
            if not table.items:
                channel = Channel.CITIZEN
            else:
                sensor = rng.choice(self.sensors_by_label[table.pick(rng)])
        if sensor is not None:
            label = sensor.label
        else:
            label = self.class_table(channel, day.month).pick(rng)
        code = label.rsplit(":", 1)[-1]
        reported_at = self._when(rng, day, channel, code)
        if sensor is not None:
            grid = self.grids[sensor.grid]
            lon, lat, address = sensor.lon, sensor.lat, sensor.address
            facility = shop = building = None
            row = self._sensor_text(rng, sensor, reported_at)
        else:
            grid = self.grids[self.grid_table(CLASS_WEIGHTS[label][1]).pick(rng)]
            lon, lat, address, facility, shop, building = self._place(rng, grid, code)
            row = self._text(rng, label, channel, address)
        case = CasePlan(
            title=row["title"],
            description=row["description"],
            channel=channel,
            grid=grid.code,
            community=grid.community,
            lon=lon,
            lat=lat,
            reported_at=reported_at,
            address=address,
            facility=facility,
            shop=shop,
            building=building,
            sensor=sensor.device_id if sensor else None,
        )
        primary = self._report(rng, case, channel, row, reported_at, lon, lat, sensor)
        primary.is_primary = True
        case.reports.append(primary)
        self._classify_at_intake(rng, case, label, primary)
        return case

    def _sensor_text(self, rng, sensor: SensorPlan, when: dt.datetime) -> dict:
        name = self.world.classes[sensor.label].name
        if sensor.kind == "ai_camera":
            score = rng.uniform(0.72, 0.99)
            title = f"AI识别：{name}"
            desc = (
                f"{sensor.device_id}（{sensor.name}）于{when.astimezone(SH):%H:%M}识别到"
                f"{name}，置信度{score:.2f}，抓拍图片已存档。"
            )
        elif sensor.kind == "water_level":
            depth = rng.randint(12, 45)
            title = "积水告警"
            desc = (
                f"{sensor.device_id}（{sensor.name}）监测到路面积水深度{depth}厘米，"
                "超过告警阈值10厘米。"
            )
        else:
            angle = rng.randint(8, 40)
            title = f"井盖异常告警（{name[:4]}）"
            desc = f"{sensor.device_id}（{sensor.name}）监测到井盖倾斜{angle}°，疑似移位或缺失。"
        return {"title": title, "description": desc, "label": sensor.label}

    def _report(self, rng, case, channel, row, when, lon, lat, sensor=None) -> ReportPlan:
        r = ReportPlan(
            channel=channel,
            received_at=when,
            title=row["title"],
            description=row["description"],
            is_primary=False,
            lon=lon,
            lat=lat,
            address=case.address,
        )
        local = when.astimezone(SH)
        if channel == Channel.GRIDWORKER:
            user, name = (None, self.gridworker_name(case.grid))
            if case.grid == self.world.gridworker_grid and "gridworker" in self.world.accounts:
                user, name = self.world.accounts["gridworker"]
            r.user, r.reporter_name = user, name
        elif channel == Channel.SENSOR and sensor is not None:
            r.sensor, r.device_id = sensor.device_id, sensor.device_id
        elif channel in (Channel.HOTLINE, Channel.PHONE):
            r.reporter_name = caller(rng)
            if rng.random() < 0.9:
                r.phone = mobile(rng)
            if channel == Channel.HOTLINE:
                day = local.date()
                self.hotline_seq[day] = self.hotline_seq.get(day, 0) + 1
                r.external_id = f"12345-{day:%Y%m%d}-{self.hotline_seq[day]:04d}"
        elif channel in (Channel.CITIZEN, Channel.OPEN311):
            r.reporter_name = person(rng) if rng.random() < 0.5 else caller(rng)
            if rng.random() < 0.8:
                r.phone = mobile(rng)
            if channel == Channel.OPEN311:
                r.api_key = True
                r.account_id = f"wx-{rng.randrange(16**8):08x}"
                r.device_id = f"app-{rng.randrange(16**6):06x}"
                if rng.random() < 0.3:
                    r.email = f"user{rng.randrange(10**5):05d}@example.com"
        elif channel == Channel.SUPERIOR:
            r.reporter_name = rng.choice(SUPERIORS)
            r.external_id = f"JB-{local:%Y%m%d}-{rng.randrange(1, 300):03d}"
        elif channel == Channel.MEDIA:
            r.reporter_name = rng.choice(MEDIA)
        return r

    def _classify_at_intake(self, rng, case: CasePlan, label: str, primary: ReportPlan) -> None:
        """The class the pipeline gave the report, and whether staff had to fix it later."""
        neighbours = [
            n
            for n in synth_texts.CLASSES.get(label, ("", [], [], []))[3]
            if n in self.world.classes
        ]
        if case.channel == Channel.SENSOR:
            source = "sensor"
        elif case.channel == Channel.GRIDWORKER:
            source = "reporter" if rng.random() < 0.9 else "model"
        elif case.channel in (Channel.CITIZEN, Channel.OPEN311):
            source = "reporter" if rng.random() < 0.45 else "model"
        else:
            source = "model"
        initial, confidence = label, 1.0
        if source == "sensor":
            pass
        elif source == "reporter":  # kept as chosen, the model is not asked
            primary.requested_label = label
        else:
            r = rng.random()
            if r < 0.05:  # below the threshold: waits for a human (needs triage)
                initial, confidence = "", None
                primary.predicted_label = rng.choice(neighbours or [label])
                primary.predicted_confidence = round(rng.uniform(0.2, 0.49), 3)
            elif r < 0.08 and neighbours:  # confidently wrong: staff correct it
                initial = rng.choice(neighbours)
                confidence = round(rng.uniform(0.5, 0.72), 3)
                primary.predicted_label, primary.predicted_confidence = initial, confidence
            else:
                confidence = round(0.5 + 0.49 * rng.random() ** 0.5, 3)
                primary.predicted_label, primary.predicted_confidence = label, confidence
        case.label = initial
        case.class_source = source if initial else ""
        case.class_confidence = confidence if initial else None
        case.needs_triage = not initial
        case.suggested_department = self.world.route(initial, case.grid)
        case.correction = (initial, label) if initial != label else None
