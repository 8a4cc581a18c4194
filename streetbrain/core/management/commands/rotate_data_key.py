"""Re-encrypt every protected value with the newest key (the first of STREETBRAIN_DATA_KEYS).

Rotation: put the new secret first in STREETBRAIN_DATA_KEYS, keep the old ones after it, run
this command, then remove the old secrets. Digests do not change (they use the digest key)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from streetbrain.core.protected import protected_names, rotate


class Command(BaseCommand):
    help = "Re-encrypt all protected personal data with the first key of STREETBRAIN_DATA_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size, **options):
        total = 0
        for model in apps.get_models():
            names = protected_names(model)
            if not names:
                continue
            fields = [f"{n}_cipher" for n in names]
            count = 0
            with transaction.atomic():
                batch = []
                # Plain queryset iteration on the base manager: every row, not a user's scope.
                for obj in model._base_manager.only("pk", *fields).iterator(chunk_size=batch_size):
                    for f in fields:
                        token = getattr(obj, f)
                        if token:
                            setattr(obj, f, rotate(token))
                    batch.append(obj)
                    if len(batch) >= batch_size:
                        model._base_manager.bulk_update(batch, fields)
                        count += len(batch)
                        batch = []
                if batch:
                    model._base_manager.bulk_update(batch, fields)
                    count += len(batch)
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
            total += count
        self.stdout.write(self.style.SUCCESS(f"done: {total} rows"))
