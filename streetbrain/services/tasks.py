"""The matching task: every operating enterprise against every current clause, stored
(idempotent: each run replaces the matches with current clauses). Runs nightly, after a
policy import or a clause's edit (the clause alone), after an enterprise's data changed (that
enterprise alone: ``signals.py``), when the staff start it and after the demo loads."""

from celery import shared_task

from streetbrain.core.audit import audit_context

from . import actions


@shared_task(name="streetbrain.services.tasks.recompute")
def recompute(enterprise_ids=None, clause_ids=None) -> dict:
    """All enterprises against all current clauses, or only ``enterprise_ids`` (their data
    changed) and/or only ``clause_ids`` (a clause was edited)."""
    with audit_context(source="task", actor_name="policy matching"):
        return actions.recompute_matches(enterprise_ids, clause_ids=clause_ids)
