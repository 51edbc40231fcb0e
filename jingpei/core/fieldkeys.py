"""Rotating the field-encryption key without losing the way to find people by their numbers.

A new first key in ``FIELD_ENCRYPTION_KEYS`` encrypts new values, and the older keys still decrypt; but the
blind indexes (``Person.id_hash``, ``phone_hash``) are keyed hashes under the first key, and every row
written before still holds the old key's hash. Until they are recomputed, nobody is found by ID or phone
number: a duplicate ID registers a second person, a phone number no longer logs in, an import finds no one.
:func:`rotate` recomputes every index and re-encrypts every value (ID and phone numbers, the rejected rows
of roster imports; legacy Fernet values too) under the first key, in one transaction; :func:`index_is_current`
tells a start whether that is needed (``jingpei serve`` / ``demo`` refuse to start until it is).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.utils.translation import gettext as _

from jingpei.core import crypto
from jingpei.core.errors import DomainError

BATCH = 20_000  # rows decrypted, re-encrypted and written back at a time


def index_is_current() -> bool:
    """Whether the stored ID-number indexes were computed under the current first key, checked on the first,
    a middle and the last person (an empty table is current). Raises DomainError when no configured key
    opens their numbers."""
    from jingpei.orgs.models import Person

    rows = Person.objects.values_list("pk", "id_cipher", "id_hash")
    first, last = rows.order_by("pk").first(), rows.order_by("-pk").first()
    if first is None or last is None:
        return True
    middle = rows.filter(pk__gte=(first[0] + last[0]) // 2).order_by("pk").first()
    decrypt, index = crypto.decryptor(), crypto.blind_indexer("id_number")
    return all(index(_open(decrypt, cipher, pk)) == stored for pk, cipher, stored in {first, middle or first, last})


def _open(decrypt, cipher: str, pk: int, table: str = "person") -> str:
    try:
        return decrypt(cipher)
    except crypto.InvalidToken:
        what = _("人员 #%(pk)s") if table == "person" else _("花名册导入的问题行 #%(pk)s")
        raise DomainError(_("%(what)s 的加密数据无法用已配置的任何密钥解开：请把原来的密钥保留在 "
                            "FIELD_ENCRYPTION_KEYS 中（新密钥在前）后再试。") % {"what": what % {"pk": pk}}) from None


def rotate(progress: Callable[[str, int], None] = lambda table, done: None) -> dict[str, int]:
    """Re-encrypt and re-index everything under the first key, all or nothing. Returns rows per table."""
    from jingpei.orgs.models import Person
    from jingpei.roster.models import ImportRow

    decrypt, encrypt = crypto.decryptor(), crypto.encryptor()
    id_index, phone_index = crypto.blind_indexer("id_number"), crypto.blind_indexer("phone")
    counts = {"people": 0, "import_rows": 0}
    person, row = Person._meta.db_table, ImportRow._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        batch: list[tuple] = []
        people = Person.objects.order_by("pk").values_list("pk", "id_cipher", "phone_cipher")
        for pk, id_cipher, phone_cipher in people.iterator(chunk_size=BATCH):
            number, phone = _open(decrypt, id_cipher, pk), _open(decrypt, phone_cipher, pk)
            batch.append((encrypt(number), id_index(number), encrypt(phone), phone_index(phone), pk))
            if len(batch) == BATCH:
                counts["people"] += _update(cursor, person, "id_cipher = %s, id_hash = %s, phone_cipher = %s, "
                                            "phone_hash = %s", batch)
                progress("people", counts["people"])
        counts["people"] += _update(cursor, person, "id_cipher = %s, id_hash = %s, phone_cipher = %s, "
                                    "phone_hash = %s", batch)
        batch = []
        rows = ImportRow.objects.exclude(values_cipher="").order_by("pk").values_list("pk", "values_cipher")
        for pk, cipher in rows.iterator(chunk_size=BATCH):
            batch.append((encrypt(_open(decrypt, cipher, pk, "import_row")), pk))
            if len(batch) == BATCH:
                counts["import_rows"] += _update(cursor, row, "values_cipher = %s", batch)
                progress("import_rows", counts["import_rows"])
        counts["import_rows"] += _update(cursor, row, "values_cipher = %s", batch)
    return counts


def _update(cursor, table: str, assignments: str, batch: list[tuple]) -> int:
    """Write ``batch`` (new values…, id) back. PostgreSQL: COPY into a temporary table, then one UPDATE …
    FROM (a statement per row spent most of a 100k rotation's time); elsewhere an executemany."""
    done = len(batch)
    if batch and connection.vendor == "postgresql":
        columns = [a.split(" = ")[0] for a in assignments.split(", ")]
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS rotated_{table} AS "  # noqa: S608
                       f"SELECT {', '.join(columns)}, id FROM {table} WITH NO DATA")
        cursor.execute(f"TRUNCATE rotated_{table}")
        with cursor.cursor.copy(f"COPY rotated_{table} ({', '.join(columns)}, id) FROM STDIN") as copy:
            for values in batch:
                copy.write_row(values)
        cursor.execute(f"UPDATE {table} t SET {', '.join(f'{c} = r.{c}' for c in columns)} "  # noqa: S608
                       f"FROM rotated_{table} r WHERE t.id = r.id")
    elif batch:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", batch)  # noqa: S608
    batch.clear()
    return done
