"""``streetbrain cases classifier train|evaluate``: the case classifier from the command line.

    streetbrain cases classifier train --csv history.csv --text-column title,description \\
        --label-column label --model var/case_classifier.joblib
    streetbrain cases classifier evaluate --csv held_out.csv --text-column title \\
        --text-column description --label-column label --model var/case_classifier.joblib --json

``--text-column`` may be repeated or comma-separated; the columns are joined by a newline.
``evaluate --json`` prints ``{"n", "accuracy", "macro_f1", "per_class": {label: {"precision",
"recall", "f1", "support"}}, "model": {...metadata}}``.

The workflow from the command line (as a named user, audited as "command line")::

    streetbrain cases act 202603020000001 dispatch --user disp --department cg --note "…"
    streetbrain cases act 202603020000001 request_extension --user cg1 --amount 2 \
        --unit work_hour --note "需要吊车"
    streetbrain cases show 202603020000001
    streetbrain cases flag-deadlines
    streetbrain cases intake [--retry-failed] [--process]
    streetbrain cases listen-mqtt [--url mqtt://127.0.0.1:1883] [--once N] [--timeout S]
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from streetbrain.cases.channels import mqtt
from streetbrain.cases.intake import classifier, pipeline, queue, tasks
from streetbrain.cases.intake.actions import retrain_classifier
from streetbrain.cases.models import Case
from streetbrain.cases.workflow import actions
from streetbrain.cases.workflow.clock import clock_of
from streetbrain.core.audit import audit_context
from streetbrain.core.models import User


class Command(BaseCommand):
    help = (
        "Case tools: take a workflow step, show a case, flag deadlines, listen for sensor "
        "alarms over MQTT, train and evaluate the case classifier."
    )

    def add_arguments(self, parser):
        groups = parser.add_subparsers(
            dest="group",
            required=True,
            metavar="{act,show,flag-deadlines,intake,listen-mqtt,classifier}",
        )
        act = groups.add_parser("act", help="take a workflow step on a case as a user")
        act.add_argument("number", help="the case number")
        act.add_argument("step", metavar="action", help="the step, e.g. accept, dispatch, close")
        act.add_argument("--user", required=True, help="the user name to act as")
        act.add_argument("--note", default="", help="note or reason")
        act.add_argument("--department", help="department code (dispatch, re-dispatch)")
        act.add_argument("--amount", help="extension amount (request_extension)")
        act.add_argument("--unit", help="extension unit: work_hour, work_day, hour, day, minute")
        show = groups.add_parser("show", help="a case's state, clock and timeline")
        show.add_argument("number", help="the case number")
        groups.add_parser(
            "flag-deadlines", help="refresh the lights; warn about and flag overdue cases"
        )
        queue = groups.add_parser(
            "intake", help="the intake queue: counts, failed items; retry or process it now"
        )
        queue.add_argument(
            "--retry-failed", action="store_true", help="put failed items back in the queue"
        )
        queue.add_argument("--process", action="store_true", help="register the waiting items now")
        mqtt = groups.add_parser("listen-mqtt", help="turn sensor alarms from MQTT into reports")
        mqtt.add_argument("--url", help="broker, e.g. mqtt://127.0.0.1:1883 (default MQTT_URL)")
        mqtt.add_argument("--once", type=int, metavar="N", help="stop after N messages")
        mqtt.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds")
        mqtt.add_argument(
            "--topic", default=None, help="topic filter (default streetbrain/sensors/+/alarm)"
        )
        mqtt.add_argument(
            "--client-id",
            default="",
            help="a fixed client id: the broker keeps the alarms that arrive while away",
        )
        clf = groups.add_parser("classifier", help="the case text classifier")
        subcommands = clf.add_subparsers(
            dest="action", required=True, metavar="{train,evaluate,retrain}"
        )
        retrain = subcommands.add_parser(
            "retrain",
            help="train on the street's registered cases and staff corrections",
        )
        retrain.add_argument(
            "--model", default="", help="model file to write (default: CASES_CLASSIFIER_MODEL)"
        )
        retrain.add_argument(
            "--limit", type=int, default=50_000, help="at most this many newest cases"
        )
        for name, help_text in [
            ("train", "train a model from a labelled CSV file"),
            ("evaluate", "measure a model on a labelled CSV file"),
        ]:
            sub = subcommands.add_parser(name, help=help_text)
            sub.add_argument("--csv", required=True, help="CSV file (UTF-8 or GB18030)")
            sub.add_argument(
                "--text-column",
                action="append",
                required=True,
                help="text column(s); repeat or separate with commas to join several",
            )
            sub.add_argument("--label-column", required=True, help="the label column")
            sub.add_argument(
                "--model",
                required=True,
                help="model file to write" if name == "train" else "model file to read",
            )
            if name == "evaluate":
                sub.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        group = options["group"]
        if group == "act":
            return self.act(options)
        if group == "show":
            return self.show(options)
        if group == "flag-deadlines":
            return self.flag_deadlines()
        if group == "intake":
            return self.intake(options)
        if group == "listen-mqtt":
            return self.listen_mqtt(options)
        try:
            if options["action"] == "retrain":
                self.retrain(options)
            elif options["action"] == "train":
                self.train(options)
            else:
                self.evaluate(options)
        except classifier.ClassifierError as exc:
            raise CommandError(str(exc)) from exc

    def retrain(self, options):
        try:
            result = retrain_classifier(options["model"] or None, limit=options["limit"])
        except OSError as exc:
            raise CommandError(
                _("Cannot write the model file: %(error)s") % {"error": exc.strerror or exc}
            ) from exc
        self.stderr.write(
            _("%(path)s: trained on %(n)d examples, %(k)d labels.")
            % {"path": result["path"], "n": result["examples"], "k": result["labels"]}
        )

    def _read(self, options):
        columns = classifier.split_columns(options["text_column"])
        return classifier.read_csv(options["csv"], columns, options["label_column"].strip())

    def train(self, options):
        texts, labels = self._read(options)
        model = classifier.train(texts, labels)
        path = Path(options["model"])
        try:
            model.save(path)
        except OSError as exc:
            raise CommandError(
                _("Cannot write the model file %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        self.stderr.write(
            _("%(path)s: trained on %(n)d examples, %(k)d labels.")
            % {"path": path, "n": len(texts), "k": len(model.labels)}
        )

    def evaluate(self, options):
        model = classifier.load(options["model"])
        texts, labels = self._read(options)
        report = classifier.evaluate(model, texts, labels)
        unknown = sorted(set(labels) - set(model.labels))
        report["unknown_labels"] = unknown
        report["model"] = model.meta
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        lines = [
            f"n={report['n']}  accuracy={report['accuracy']:.4f}  "
            f"macro-F1={report['macro_f1']:.4f}",
            f"{'label':<24} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}",
        ]
        for label, m in report["per_class"].items():
            lines.append(
                f"{label:<24} {m['precision']:>9.3f} {m['recall']:>9.3f} {m['f1']:>9.3f} "
                f"{m['support']:>8d}"
            )
        if unknown:
            lines.append(
                _("Labels the model never saw: %(labels)s") % {"labels": ", ".join(unknown)}
            )
        self.stdout.write("\n".join(lines))

    # -- the workflow -------------------------------------------------------------------------

    def _case(self, number: str):
        case = (
            Case.objects.select_related(
                "component_class", "org_unit", "community", "department", "suggested_department"
            )
            .filter(number=number.strip())
            .first()
        )
        if case is None:
            raise CommandError(_("No case with the number %(number)s.") % {"number": number})
        return case

    def act(self, options):
        case = self._case(options["number"])
        name = options["step"]
        transition = actions.TRANSITIONS.get(name)
        if transition is None:
            raise CommandError(
                _("Unknown action %(name)s. Known: %(names)s.")
                % {"name": name, "names": ", ".join(sorted(actions.TRANSITIONS))}
            )
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(user)s.") % {"user": options["user"]})
        inputs = {"note": options["note"]}
        for key in ("department", "amount", "unit"):
            if options[key] is not None:
                if key not in transition.inputs:
                    raise CommandError(
                        _("The action %(name)s does not take --%(option)s.")
                        % {"name": name, "option": key}
                    )
                inputs[key] = options[key]
        with audit_context(source="cli", user=user):
            try:
                case = actions.perform(case, name, user, **inputs)
            except PermissionDenied as exc:
                raise CommandError(str(exc) or _("Your role may not do this.")) from exc
            except ValidationError as exc:
                raise CommandError(_validation_text(exc)) from exc
        self.stdout.write(
            _("%(number)s: %(action)s → %(state)s")
            % {
                "number": case.number,
                "action": transition.label,
                "state": case.get_state_display(),
            }
        )

    def show(self, options):
        case = self._case(options["number"])
        clock = clock_of(case)
        local = timezone.localtime

        def when(value):
            return local(value).strftime("%Y-%m-%d %H:%M") if value else "—"

        lines = [
            f"{case.number} {case.title}",
            f"{_('state')}: {case.get_state_display()} ({case.state})",
            f"{_('class')}: {pipeline.label_of(case.component_class) or '—'}"
            + (f" {case.component_class.name}" if case.component_class else ""),
            f"{_('grid cell')}: {case.org_unit.code} {case.org_unit.name}",
            f"{_('responsible department')}: "
            + (f"{case.department.code} {case.department.name}" if case.department else "—"),
            f"{_('reports')}: {case.report_count}",
            f"{_('reported')}: {when(case.reported_at)}",
            f"{_('deadline')}: {when(clock.deadline)}",
            f"{_('timeliness')}: {clock.light or '—'}"
            + (f" ({clock.used:.0%})" if clock.used is not None else ""),
            "",
            _("Timeline:"),
        ]
        for event in case.events.select_related("department").order_by("time", "pk"):
            step = f"  {when(event.time)}  {event.get_action_display()}"
            if event.to_state and event.to_state != event.from_state:
                step += f" → {event.get_to_state_display()}"
            who = ", ".join(
                x
                for x in (
                    event.actor_name,
                    event.department.name if event.department else "",
                )
                if x
            )
            if who:
                step += f"  [{who}]"
            if event.note:
                step += f"  {event.note}"
            lines.append(step)
        self.stdout.write("\n".join(lines))

    def flag_deadlines(self):
        with audit_context(source="cli"):
            counts = actions.flag_deadlines()
        self.stdout.write(
            _("warned: %(warned)d, overdue: %(overdue)d, lights updated: %(updated)d") % counts
        )

    def intake(self, options):
        if options["retry_failed"]:
            n = queue.retry_failed()
            self.stdout.write(
                ngettext(
                    "%(n)d failed item put back in the queue.",
                    "%(n)d failed items put back in the queue.",
                    n,
                )
                % {"n": n}
            )
        if options["process"]:
            with audit_context(source="cli"):
                n = tasks.drain()
            self.stdout.write(
                ngettext("%(n)d report registered.", "%(n)d reports registered.", n) % {"n": n}
            )
        status = queue.status()
        self.stdout.write(
            _("waiting: %(pending)d, registered: %(done)d, failed: %(failed)d") % status
        )
        if status["oldest_pending"] is not None:
            self.stdout.write(
                _("oldest waiting since %(when)s")
                % {"when": timezone.localtime(status["oldest_pending"]).isoformat()}
            )
        for item in status["failed_items"]:
            self.stdout.write(f"  {item.token}  {item.attempts}×  {item.last_error}")

    # -- sensors ------------------------------------------------------------------------------

    def listen_mqtt(self, options):
        if options["once"] is not None and options["once"] < 1:
            raise CommandError(_("--once needs a positive number."))
        if options["timeout"] is not None and options["timeout"] <= 0:
            raise CommandError(_("--timeout needs a positive number of seconds."))
        topic = options["topic"] or mqtt.TOPIC
        if not topic.endswith("/+/alarm"):
            raise CommandError(_("The topic filter must end with /+/alarm."))
        try:
            address = mqtt.parse_url(options["url"] or settings.MQTT_URL)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        def ready():
            self.stdout.write(
                _("Listening on %(broker)s for %(topic)s") % {"broker": address, "topic": topic}
            )
            self.stdout.flush()

        def echo(line):
            self.stdout.write(line)
            self.stdout.flush()

        # SIGTERM (a service manager's stop) and Ctrl-C end the loop cleanly: the message in
        # hand is finished and the broker sees a proper disconnect.
        stop = threading.Event()
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, lambda *args: stop.set())
        try:
            handled = mqtt.listen(
                options["url"] or settings.MQTT_URL,
                topic=topic,
                once=options["once"],
                timeout=options["timeout"],
                client_id=options["client_id"],
                echo=echo,
                on_ready=ready,
                stop=stop,
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stderr.write(_("%(n)d messages handled.") % {"n": handled})


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())
    return " ".join(exc.messages)
