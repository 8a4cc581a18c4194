"""Ten times the economy demo without ten times its generator: the demo's enterprises, with their
leases, monthly tax and headcount, copied in SQL (the generator's plan places its towers in
the street's grid cells, and at ten times the towers it does not finish). Used by the benches
whose bar is at ten times the demo (``bench_investment.py``, ``bench_services.py``). Not a
benchmark itself."""

from __future__ import annotations


def multiply_economy(times: int) -> dict:
    """Copy the enterprises with their leases, tax and headcount ``times - 1`` times in SQL
    (new ids and credit codes ``X<k>…``, the same figures), in one transaction; the counts
    after it."""
    from django.db import connection, transaction

    from streetbrain.economy.models import Enterprise, HeadcountRecord, Lease, TaxRecord

    def columns(model):
        return [f.column for f in model._meta.concrete_fields]

    with connection.cursor() as cur, transaction.atomic():
        cur.execute("SELECT MAX(id) FROM economy_enterprise")
        e_off = cur.fetchone()[0] + 1
        cur.execute("SELECT MAX(id) FROM economy_lease")
        l_off = cur.fetchone()[0] + 1
        for k in range(1, times):
            cols = columns(Enterprise)
            exprs = [
                f"id + {k * e_off}"
                if c == "id"
                else f"'X{k}' || substr(credit_code, 3)"
                if c == "credit_code"
                else c
                for c in cols
            ]
            cur.execute(
                f"INSERT INTO economy_enterprise ({', '.join(cols)}) "
                f"SELECT {', '.join(exprs)} FROM economy_enterprise WHERE id < {e_off}"
            )
            cols = columns(Lease)
            exprs = [
                f"id + {k * l_off}"
                if c == "id"
                else f"enterprise_id + {k * e_off}"
                if c == "enterprise_id"
                else f"contract_number || '-x{k}'"
                if c == "contract_number"
                else f"renewed_from_id + {k * l_off}"
                if c == "renewed_from_id"
                else c
                for c in cols
            ]
            cur.execute(
                f"INSERT INTO economy_lease ({', '.join(cols)}) "
                f"SELECT {', '.join(exprs)} FROM economy_lease WHERE id < {l_off}"
            )
            for model in (TaxRecord, HeadcountRecord):
                table = model._meta.db_table
                cols = [c for c in columns(model) if c != "id"]
                exprs = [
                    f"enterprise_id + {k * e_off}" if c == "enterprise_id" else c for c in cols
                ]
                cur.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                    f"FROM {table} WHERE enterprise_id < {e_off}"
                )
    return {
        "enterprises": Enterprise.objects.count(),
        "leases": Lease.objects.count(),
        "tax rows": TaxRecord.objects.count(),
        "headcount rows": HeadcountRecord.objects.count(),
    }
