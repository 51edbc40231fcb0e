"""The materialised compliance (facts + whole-subtree counts) equals the person-by-person evaluation,
after a full build and after random credits, reversals, exemptions, moves, category changes and rule
switches folded in through the dirty marks."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.core import audit
from jingpei.ledger import services, standing
from jingpei.ledger.compliance import Counts, _bucket, people_for_rule, subtree_summary
from jingpei.ledger.models import (
    ComplianceDirty,
    ComplianceFact,
    ComplianceState,
    Exemption,
    LedgerEntry,
    RequirementRule,
)
from jingpei.orgs import services as org_services
from jingpei.orgs.models import Category, Organization, Person, PersonCategory, PersonRank
from tests.factories import make_person, numbered

AS_OF = date(2026, 6, 30)
FORMS = ["online", "external", "class", "teaching", "meeting", "study_tour"]


def _nonzero(counts: dict) -> dict:
    return {k: (v.covered, v.met, v.on_track, v.behind, v.exempt) for k, v in counts.items()
            if v.covered or v.exempt}


def reference(root: Organization, as_of: date) -> dict:
    """Person by person (the person page's functions): per rule code, total / by child / by category."""
    child_len = len(root.path) + Organization.steplen
    out = {}
    for rule in RequirementRule.objects.switched_on():
        total, by_child, by_cat = Counts(), defaultdict(Counts), defaultdict(Counts)
        for person, result in people_for_rule(root, rule, as_of=as_of):
            bucket = _bucket(result)
            total = total.plus(bucket)
            child = person.primary_org.path[:child_len]
            by_child[child] = by_child[child].plus(bucket)
            for cat in PersonCategory.objects.filter(person=person, year=as_of.year).values_list("category_id", flat=True):
                by_cat[cat] = by_cat[cat].plus(bucket)
        out[rule.code] = (_nonzero({"": total}), _nonzero(by_child), _nonzero(by_cat))
    return out


def materialised(root: Organization) -> dict:
    m = standing.summary(root)
    assert m is not None
    return {s.rule.code: (_nonzero({"": s.total}), _nonzero(s.by_child), _nonzero(s.by_category))
            for s in m.summaries}


@pytest.fixture
def town(settled):
    """The cast plus 30 people over both towns, two categories, credits over 2025–2026 in every form."""
    cast = settled
    rnd = random.Random(4)
    cats = [Category.objects.create(code="c1", name="类别一"), Category.objects.create(code="c2", name="类别二")]
    people = [cast.person_a, cast.person_a2, cast.person_b]
    for i in range(30):
        p = make_person(rnd.choice([cast.branch_a, cast.branch_b, cast.village_a, cast.town_a]), numbered("人员", i))
        joined = datetime(2026, rnd.randint(1, 6), rnd.randint(1, 28), tzinfo=UTC) if i % 5 == 0 else datetime(2020, 1, 1, tzinfo=UTC)
        Person.objects.filter(pk=p.pk).update(created_at=joined, rank_level="county_deputy" if i % 4 == 0 else "staff")
        if i % 8 == 0:  # promoted into the county ranks during the cycle: a grace year (from July 2026)
            PersonRank.objects.create(person=p, rank_level="section_chief", since=date(2018, 3, 1))
            PersonRank.objects.create(person=p, rank_level="county_deputy", since=date(2025, 6, 20))
        elif i % 4 == 0:  # promoted within them: no grace
            Person.objects.filter(pk=p.pk).update(rank_level="county_chief", rank_since=date(2025, 3, 1))
            PersonRank.objects.create(person=p, rank_level="county_deputy", since=date(2019, 3, 1))
            PersonRank.objects.create(person=p, rank_level="county_chief", since=date(2025, 3, 1))
        people.append(p)
    for p in people:
        for cat in rnd.sample(cats, rnd.randint(0, 2)):
            PersonCategory.objects.create(person=p, category=cat, year=rnd.choice([2025, 2026]))
    for n in range(400):
        p = rnd.choice(people)
        services.credit_hours(person=p, hours=str(rnd.randint(1, 80) / 10), form=rnd.choice(FORMS),
                              occurred_on=date(rnd.choice([2025, 2026]), rnd.randint(1, 6), rnd.randint(1, 28)),
                              idempotency_key=f"t:{n}")
    cast.people, cast.cats, cast.rnd = [Person.objects.select_related("primary_org").get(pk=p.pk) for p in people], cats, rnd
    return cast


@pytest.mark.parametrize("as_of", [date(2026, 1, 10), AS_OF, date(2026, 12, 31)])
def test_full_build_equals_person_by_person(town, as_of):
    stats = standing.rebuild(as_of)
    assert stats["facts"] == ComplianceFact.objects.count() > 0
    # the four promoted into the county ranks on 2025-06-20: 18 of 60 months (July 2026 on; one joined in
    # 2026's first half, which the grace covers anyway)
    county = ComplianceFact.objects.filter(rule__code="county-leader-5y")
    assert county.filter(required=1650).count() == 4 and county.filter(required=5500).exists()
    for root in (town.district, town.town_a, town.village_a):
        assert materialised(root) == reference(root, as_of), root.name
    assert not ComplianceDirty.objects.exists()


def test_changes_fold_in_through_dirty_marks(town):
    standing.rebuild(AS_OF)
    rnd = town.rnd
    for step in range(6):
        for n in range(15):  # credits (single and batch) and reversals
            p = rnd.choice(town.people)
            services.credit_hours(person=p, hours=str(rnd.randint(1, 60) / 10), form=rnd.choice(FORMS),
                                  occurred_on=date(2026, rnd.randint(1, 6), 3), idempotency_key=f"s{step}:{n}")
        services.credit_many([services.CreditItem(person_id=p.pk, hours="2.5", form="online", occurred_on=date(2026, 6, 1),
                                                  idempotency_key=f"b{step}:{p.pk}") for p in rnd.sample(town.people, 5)])
        for entry in rnd.sample(list(LedgerEntry.objects.filter(reverses__isnull=True, reversed_by__isnull=True)), 3):
            services.reverse_entry(entry=entry, reason="录入错误")
        sick = rnd.choice(town.people)
        services.grant_exemption(actor=town.officer, person=sick, kind="leave", starts_on=date(2026, rnd.randint(1, 6), 1),
                                 ends_on=date(2026, 8, 31), reason="病假")
        mover = rnd.choice(town.people)  # a move and a category change, as orgs records them (audit rows)
        Person.objects.filter(pk=mover.pk).update(primary_org=rnd.choice([town.branch_a, town.branch_b, town.village_a]))
        audit.record("person.update", mover)
        changed = rnd.choice(town.people)
        PersonCategory.objects.get_or_create(person=changed, category=rnd.choice(town.cats), year=2026)
        audit.record("person.categories", changed)
        promoted = rnd.choice([p for p in town.people if p.rank_level == "staff"])
        org_services.update_person(actor=town.officer, person=promoted, rank_level="county_deputy",
                                   rank_since=date(2026, step + 1, 5))
        promoted.rank_level = "county_deputy"
        assert ComplianceDirty.objects.exists()
        for root in (town.district, town.town_a, town.town_b):
            assert materialised(root) == reference(root, AS_OF), (step, root.name)
        assert not ComplianceDirty.objects.exists()


def test_rule_switch_makes_it_stale_until_rebuilt(town):
    standing.rebuild(AS_OF)
    rule = RequirementRule.objects.get(code="online-monthly")
    services.switch_rule(actor=town.officer, rule=rule, active=False)
    assert ComplianceState.objects.get(pk=1).stale
    assert standing.summary(town.district) is None  # the caller takes the exact path
    standing.rebuild(AS_OF)
    assert "online-monthly" not in materialised(town.district)
    assert materialised(town.district) == reference(town.district, AS_OF)


def test_materialised_agrees_with_exact_summary_totals(town):
    standing.rebuild(AS_OF)
    fast = {s.rule.code: s.total for s in standing.summary(town.district).summaries}
    for s in subtree_summary(town.district, as_of=AS_OF):
        f = fast[s.rule.code]
        assert (f.covered, f.met, f.behind, f.exempt) == (s.total.covered, s.total.met, s.total.behind, s.total.exempt)


def test_clean_summary_is_one_query(town):
    standing.rebuild(AS_OF)
    standing.summary(town.district)  # the rules of this build are cached
    with CaptureQueriesContext(connection) as q:
        fast = standing.summary(town.district)
    assert len(q) == 1
    assert sum(s.total.covered for s in fast.summaries) == ComplianceFact.objects.exclude(status="exempt").count()


def _whole(m) -> list:
    return [(s.rule.pk, s.period, s.total, dict(s.by_child), dict(s.by_category)) for s in m.summaries]


def test_prepared_read_equals_the_cursor_read(town, settings):
    """The summary's read, prepared (PostgreSQL) or through Django's cursor, gives the same whole result,
    also for a leaf whose people sit on the root itself."""
    standing.rebuild(AS_OF)
    for root in (town.district, town.town_a, town.village_a, town.branch_a):
        settings.DB_PREPARED_STATEMENTS = True
        fast = standing.summary(root)
        settings.DB_PREPARED_STATEMENTS = False
        plain = standing.summary(root)
        assert fast is not None and plain is not None
        assert _whole(fast) == _whole(plain), root.name
        assert materialised(root) == reference(root, AS_OF), root.name
    assert all(isinstance(c, Counts) for s in fast.summaries for c in [s.total, *s.by_child.values()])


def test_counts_are_immutable_values():
    a = Counts(met=2, on_track=1, behind=3)
    assert (a.covered, a.exempt, a.rate) == (6, 0, 33.3)
    assert a.plus(Counts(exempt=1, met=1)) == Counts(3, 1, 3, 1) and a == Counts(2, 1, 3, 0)
    assert tuple.__new__(Counts, (1, 2, 3, 4)) == Counts._make([1, 2, 3, 4]) == Counts(1, 2, 3, 4)
    assert Counts().rate == 0.0 and Counts().covered == 0


def test_org_page_uses_the_materialised_figures(town, client):
    standing.rebuild(AS_OF)
    client.force_login(town.officer)
    response = client.get(f"/ledger/org/{town.district.pk}/")
    assert response.status_code == 200
    assert response.context["materialised"] is not None
    assert response.context["as_of"] == AS_OF
    explicit = client.get(f"/ledger/org/{town.district.pk}/?as_of=2026-03-31")
    assert explicit.context["materialised"] is None and explicit.context["as_of"] == date(2026, 3, 31)


def test_links_carrying_the_materialised_date_stay_on_the_materialised_figures(town, client):
    """The page's links to a child organisation (and its date form, resubmitted) carry ?as_of= of the
    figures shown: at a million people the exact path for a township takes half a minute."""
    standing.rebuild(AS_OF)
    client.force_login(town.officer)
    district = client.get(f"/ledger/org/{town.district.pk}/")
    child = Organization.objects.get(path=next(p for p in district.context["materialised"].summaries[0].by_child if p != town.district.path))
    link = f"/ledger/org/{child.pk}/?as_of={AS_OF.isoformat()}"
    assert link in district.content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(link)
    assert page.status_code == 200 and page.context["materialised"] is not None
    assert page.context["as_of"] == AS_OF and "统计截至 2026-06-30" in page.content.decode()
    assert not any("ledger_monthrollup" in q["sql"] for q in queries.captured_queries)  # no exact path
    exact = {s.rule.code: (s.total, _nonzero(s.by_child)) for s in subtree_summary(child, as_of=AS_OF)}
    shown = {s.rule.code: (s.total, _nonzero(s.by_child)) for s in page.context["materialised"].summaries}
    assert shown == exact


def test_exemption_is_counted(town):
    standing.rebuild(AS_OF)
    person = town.people[0]
    services.grant_exemption(actor=town.officer, person=person, kind="illness", starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 12, 31), reason="病休")
    [s] = [s for s in standing.summary(town.district).summaries if s.rule.code == "online-yearly"]
    assert ComplianceFact.objects.get(person=person, rule=s.rule).status == "exempt"
    assert s.total.exempt == Exemption.objects.filter(rule__isnull=True).values("person").distinct().count()


def test_figures_of_an_earlier_day_are_rebuilt_for_today_once(town, client, django_capture_on_commit_callbacks):
    from jingpei.core.models import Job
    from jingpei.ledger.compliance import today
    from jingpei.ledger.models import ComplianceState

    standing.rebuild(AS_OF)  # an install without cron: the last build is months old
    Job.objects.create(name=standing.JOB, status=Job.Status.QUEUED)  # a rebuild already waiting
    client.force_login(town.officer)
    assert client.get(f"/ledger/org/{town.district.pk}/").context["as_of"] == AS_OF
    assert Job.objects.filter(name=standing.JOB).count() == 1  # not queued twice
    Job.objects.filter(name=standing.JOB).delete()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/ledger/org/{town.district.pk}/")
    assert page.context["as_of"] == AS_OF  # this answer still shows the older figures, under their date
    assert ComplianceState.objects.get(pk=1).as_of == today()  # and today's were rebuilt (jobs run inline here)
    assert client.get(f"/ledger/org/{town.district.pk}/").context["as_of"] == today()


def test_shaping_places_the_roots_own_rows_wherever_they_arrive():
    """The rows come in heap order: the root's rows (total, a category, people placed on the root) mixed
    among its children's, the state row anywhere; the shaping must not let a root row pose as a child."""
    from types import SimpleNamespace

    rules = [SimpleNamespace(pk=1), SimpleNamespace(pk=2)]
    build = standing._Build(AS_OF, datetime(2026, 6, 30, tzinfo=UTC), [(r, None) for r in rules])
    root = "0001"
    rows = [
        ("0001" + "0002", 2, 0, 1, 0, 0, 0),
        (root, 1, 0, 9, 2, 1, 0),          # rule 1 total
        ("0001" + "0001", 1, 0, 4, 1, 0, 0),
        (root, 1, standing.DIRECT, 3, 0, 0, 0),
        ("7", 0, standing.STATE_MARK, 0, 0, 0, 0),
        ("0001" + "0002", 1, 0, 2, 1, 1, 0),
        (root, 1, 55, 5, 0, 1, 0),         # rule 1, category 55
        (root, 2, 0, 1, 0, 0, 0),          # rule 2 total
        (root, 3, 0, 8, 8, 8, 8),          # a rule not in this build: ignored
    ]
    one, two = standing._shape(rows, root, build, None)
    assert one.total == Counts(9, 2, 1, 0)
    assert one.by_child == {"00010001": Counts(4, 1, 0, 0), "00010002": Counts(2, 1, 1, 0), root: Counts(3, 0, 0, 0)}
    assert one.by_category == {55: Counts(5, 0, 1, 0)}
    assert two.total == Counts(1, 0, 0, 0)
    assert two.by_child == {"00010002": Counts(1, 0, 0, 0)}
    assert dict(two.by_category) == {}


def test_joining_on_a_periods_first_day_is_counted_once(town):
    """Joined 2026-01-01 08:00 Beijing time (00:00 UTC): special in Python and, since the period's start is
    passed to the SQL as the ORM stores datetimes, in SQL too (SQLite compared local text with UTC text and
    the rebuild wrote the person twice)."""
    first = make_person(town.branch_a, "元旦入职")
    Person.objects.filter(pk=first.pk).update(created_at=datetime(2026, 1, 1, tzinfo=UTC), rank_level="county_deputy")
    standing.rebuild(AS_OF)
    assert ComplianceFact.objects.filter(person=first).count() == RequirementRule.objects.switched_on().count()
    assert materialised(town.district) == reference(town.district, AS_OF)


def test_the_org_page_offers_the_latest_figures_and_last_years_end(town, client):
    from jingpei.ledger.compliance import today

    standing.rebuild(AS_OF)
    client.force_login(town.officer)
    year_end = date(today().year - 1, 12, 31)
    latest = client.get(f"/ledger/org/{town.district.pk}/").content.decode()
    assert f'href="?as_of={year_end.isoformat()}">{year_end.year} 年末</a>' in latest
    assert "最新统计" not in latest  # already the latest
    past = client.get(f"/ledger/org/{town.district.pk}/?as_of={year_end.isoformat()}")
    assert past.context["materialised"] is None and past.context["as_of"] == year_end
    assert f'href="/ledger/org/{town.district.pk}/">最新统计</a>' in past.content.decode()
