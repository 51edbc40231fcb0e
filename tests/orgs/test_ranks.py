"""任现职级时间 and the rank history: what is recorded on a promotion, a corrected date and a cleared rank,
and the tired official's mistakes refused on the right field, in the service, the form and the API."""

from __future__ import annotations

from datetime import date

import pytest

from jingpei.core.errors import DomainError
from jingpei.core.models import AuditLog
from jingpei.orgs import services
from jingpei.orgs.models import Person, PersonRank
from tests.factories import valid_id


def history(person) -> list[tuple[str, date]]:
    return list(PersonRank.objects.filter(person=person).order_by("since").values_list("rank_level", "since"))


def create(cast, **kw):
    person, _warnings = services.create_person(actor=cast.officer, name="赵提任", id_number=valid_id(date(1975, 3, 8)),
                                               primary_org=cast.branch_a, **kw)
    return person


def update(cast, person, **kw):
    return services.update_person(actor=cast.officer, person=person, **kw)[0]


def test_a_dated_rank_starts_the_history_and_an_undated_one_does_not(cast):
    dated = create(cast, rank_level="section_chief", rank_since=date(2018, 3, 1))
    assert history(dated) == [("section_chief", date(2018, 3, 1))]
    undated, _w = services.create_person(actor=cast.officer, name="钱未知", id_number=valid_id(date(1970, 1, 2)),
                                         primary_org=cast.branch_a, rank_level="county_deputy")
    assert history(undated) == [] and undated.rank_since is None


def test_promotion_adds_a_row_and_a_corrected_date_moves_it(cast):
    person = create(cast, rank_level="section_chief", rank_since=date(2018, 3, 1))
    person = update(cast, person, rank_level="county_deputy", rank_since=date(2025, 6, 10))
    assert history(person) == [("section_chief", date(2018, 3, 1)), ("county_deputy", date(2025, 6, 10))]
    person = update(cast, person, rank_since=date(2025, 6, 1))  # the date was typed wrong: corrected
    assert history(person) == [("section_chief", date(2018, 3, 1)), ("county_deputy", date(2025, 6, 1))]
    entry = AuditLog.objects.filter(action="person.update", object_id=str(person.pk)).latest("at")
    assert (entry.before, entry.after) == ({"rank_since": "2025-06-10"}, {"rank_since": "2025-06-01"})


def test_rank_changed_without_a_new_date_is_refused_on_the_date(cast):
    person = create(cast, rank_level="section_chief", rank_since=date(2018, 3, 1))
    with pytest.raises(DomainError, match="职级已变更，请同时填写新职级的任职时间。") as exc:
        update(cast, person, rank_level="county_deputy", rank_since=date(2018, 3, 1))
    assert exc.value.field == "rank_since"
    with pytest.raises(DomainError, match="职级已变更，请同时填写新职级的任职时间。"):  # the date left blank
        update(cast, person, rank_level="county_deputy", rank_since=None)
    with pytest.raises(DomainError, match=r"任现职级时间须晚于上一职级的任职时间（2018-03-01）。"):
        update(cast, person, rank_level="county_deputy", rank_since=date(2017, 1, 1))
    person.refresh_from_db()
    assert (person.rank_level, history(person)) == ("section_chief", [("section_chief", date(2018, 3, 1))])


@pytest.mark.parametrize(("rank", "since", "message"), [
    ("", date(2020, 1, 1), "填写了任现职级时间，请同时填写职级。"),
    ("staff", date(2099, 1, 1), "任现职级时间（2099-01-01）不能晚于今天。"),
    ("staff", date(1980, 1, 1), "任现职级时间（1980-01-01）与出生日期不符，请核对。"),  # born 1975
])
def test_impossible_dates_are_refused_and_nothing_is_written(cast, rank, since, message):
    with pytest.raises(DomainError, match=message.replace("（", "\\（").replace("）", "\\）")) as exc:
        create(cast, rank_level=rank, rank_since=since)
    assert exc.value.field == "rank_since"
    assert not Person.objects.filter(name="赵提任").exists() and not PersonRank.objects.exists()


def test_clearing_the_rank_clears_its_date_and_keeps_the_history(cast):
    person = create(cast, rank_level="staff", rank_since=date(2018, 3, 1))
    person = update(cast, person, rank_level="", rank_since=date(2018, 3, 1))
    assert (person.rank_level, person.rank_since) == ("", None)
    assert history(person) == [("staff", date(2018, 3, 1))]


def test_the_form_and_the_api_take_the_date_and_name_the_field(client_as, cast):
    client = client_as(cast.officer)
    form = {"name": "孙晋升", "id_number": valid_id(date(1980, 5, 5)), "ethnicity": "汉族", "political_status": "masses",
            "primary_org": cast.branch_a.pk, "rank_level": "", "rank_since": "2025-06-10"}
    body = client.post("/people/new/", form).content.decode()
    assert 'data-field="rank_since">填写了任现职级时间，请同时填写职级。' in body
    assert not Person.objects.filter(name="孙晋升").exists()
    resp = client.post("/people/new/", {**form, "rank_level": "county_deputy"})
    assert resp.status_code == 302
    person = Person.objects.get(name="孙晋升")
    assert history(person) == [("county_deputy", date(2025, 6, 10))]
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "（2025-06-10 起）" in page
    url = f"/api/v1/people/{person.pk}"
    resp = client.patch(url, {"rank_level": "county_chief"}, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["error"]["fields"][0]["field"] == "rank_since"
    resp = client.patch(url, {"rank_level": "county_chief", "rank_since": "2026-01-05"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["rank_since"] == "2026-01-05"
    assert 'data-testid="rank-history"' in client.get(f"/people/{person.pk}/").content.decode()
    # the date alone cleared (the rank kept, its date unknown): "" clears, null leaves it
    assert client.patch(url, {"rank_since": None}, content_type="application/json").json()["rank_since"] == "2026-01-05"
    resp = client.patch(url, {"rank_since": ""}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["rank_since"] is None and resp.json()["rank_level"] == "county_chief"
    assert client.patch(url, {"rank_since": "去年"}, content_type="application/json").status_code == 422
