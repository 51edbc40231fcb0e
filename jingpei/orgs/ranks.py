"""A person's rank history (``PersonRank``): the checks on 任现职级时间 and how a change is recorded.

One row per rank a person held from a known date. A new rank adds a row; a corrected date of the
current rank moves its row. The rules use the history to tell a person newly promoted into their ranks
(a grace period) from one promoted within them (副职 to 正职: no grace)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError
from jingpei.orgs.models import Person, PersonRank


def check(rank_level: str, since: date | None, *, birth_date: date | None, today: date) -> None:
    """The checks that need no history (the form, the API and the import run them on every row)."""
    if since is None:
        return
    if not rank_level:
        raise DomainError(_("填写了任现职级时间，请同时填写职级。"), field="rank_since")
    if since > today:
        raise DomainError(_("任现职级时间（%(d)s）不能晚于今天。") % {"d": since.isoformat()}, field="rank_since")
    if birth_date and since.year - birth_date.year < 16:
        raise DomainError(_("任现职级时间（%(d)s）与出生日期不符，请核对。") % {"d": since.isoformat()},
                          field="rank_since")


def check_change(history: list[tuple[str, date]], before: tuple[str, date | None],
                 after: tuple[str, date | None]) -> None:
    """A change against the recorded history (oldest first): a new rank needs a date after the last
    recorded one (an official who changed the rank and forgot the date would otherwise make the old date
    the promotion's); a corrected date of the current rank must stay after the rank before it."""
    rank, since = after
    if after == before:
        return
    if rank and rank != before[0] and before[1] is not None and since in (None, before[1]):
        # the old date kept (or the field left blank) for a new rank: the promotion's date is missing
        raise DomainError(_("职级已变更，请同时填写新职级的任职时间。"), field="rank_since")
    if since is None:
        return
    if rank != before[0]:
        rows = history
    else:  # the same rank: its own row (when recorded) is not a floor for its corrected date
        rows = history[:-1] if history and history[-1] == before else history
    floor = rows[-1][1] if rows else None
    if floor is not None and since <= floor:
        raise DomainError(_("任现职级时间须晚于上一职级的任职时间（%(d)s）。") % {"d": floor.isoformat()},
                          field="rank_since")


def history_of(person_ids) -> dict[int, list[tuple[str, date]]]:
    out: dict[int, list[tuple[str, date]]] = {}
    for person_id, rank, since in PersonRank.objects.filter(person_id__in=person_ids).order_by(
            "person_id", "since").values_list("person_id", "rank_level", "since"):
        out.setdefault(person_id, []).append((rank, since))
    return out


def record(changes: list[tuple[Person, tuple[str, date | None]]]) -> None:
    """Record the (person, rank and date before) changes already checked by :func:`check_change`: a new
    rank (or a first dated record) adds a row, a corrected date of the same rank moves its row."""
    dated = [(p, before, p.rank_since) for p, before in changes
             if p.rank_level and p.rank_since and (p.rank_level, p.rank_since) != before]
    if not dated:
        return
    history = history_of([p.pk for p, _before, _since in dated])
    moved, added = [], []
    for person, (rank, since), new in dated:
        rows = history.get(person.pk, [])
        if rank == person.rank_level and since is not None and rows and rows[-1] == (rank, since):
            moved.append((person.pk, since, new))
        else:
            added.append(PersonRank(person_id=person.pk, rank_level=person.rank_level, since=new))
    for person_id, old, new in moved:
        PersonRank.objects.filter(person_id=person_id, since=old).update(since=new)
    PersonRank.objects.bulk_create(added, update_conflicts=True, unique_fields=["person", "since"],
                                   update_fields=["rank_level"])
