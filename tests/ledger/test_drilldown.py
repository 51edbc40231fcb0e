"""The people behind the counts, read from the materialised facts: the drill-down page a page at a time,
and the monthly reminders a thousand people at a time. The exact path (every person evaluated) is the
reference they must agree with."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.paginator import Paginator

from jingpei.ledger import compliance, reminders, services, standing
from jingpei.ledger.compliance import people_for_rule
from jingpei.ledger.models import ComplianceFact, ComplianceState, Notification, RequirementRule
from jingpei.ledger.rules import Status
from tests.factories import make_user
from tests.ledger.test_standing import town  # noqa: F401  (the fixture)

AS_OF = date(2026, 6, 30)
LAGGING = {Status.BEHIND, Status.WILL_MISS, Status.MISSED}


def _pairs(results) -> list:
    return [(p.pk, r) for p, r in results]


@pytest.mark.parametrize("statuses", [None, LAGGING, {Status.MET}, {Status.EXEMPT, Status.ON_TRACK}])
def test_fact_listing_lists_exactly_the_people_the_exact_path_does(town, statuses):  # noqa: F811
    standing.rebuild(AS_OF)
    services.grant_exemption(actor=town.officer, person=town.people[3], kind="illness", starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 12, 31), reason="病休")
    cat = town.cats[0].pk
    for rule in RequirementRule.objects.switched_on():
        for root, child, category in [(town.district, None, None), (town.district, town.town_a.path, None),
                                      (town.town_a, None, None), (town.district, None, cat)]:
            exact = people_for_rule(root, rule, as_of=AS_OF, child_path=child, category_id=category, statuses=statuses)
            listing = standing.fact_listing(root, rule, as_of=AS_OF, child_path=child, category_id=category,
                                            statuses=statuses, order="name")
            # both in name (pinyin) order, each person with the same result, notes included
            assert _pairs(listing) == _pairs(exact), (rule.code, root.name, child, category)
            assert listing.count() == len(exact)


@pytest.mark.parametrize("statuses", [None, LAGGING, {Status.EXEMPT, Status.ON_TRACK}])
def test_another_date_lists_exactly_the_people_the_person_by_person_path_does(town, statuses):  # noqa: F811
    services.grant_exemption(actor=town.officer, person=town.people[3], kind="illness", starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 12, 31), reason="病休")
    cat = town.cats[0].pk
    for as_of in (date(2026, 3, 31), date(2025, 12, 31)):
        for rule in RequirementRule.objects.switched_on():
            for root, child, category in [(town.district, None, None), (town.district, town.town_a.path, None),
                                          (town.town_a, None, None), (town.district, None, cat)]:
                exact = people_for_rule(root, rule, as_of=as_of, child_path=child, category_id=category,
                                        statuses=statuses)
                listing = standing.listing_at(root, rule, as_of, child_path=child, category_id=category,
                                              statuses=statuses, order="name")
                assert _pairs(listing) == _pairs(exact), (as_of, rule.code, root.name, child, category)
                assert listing.count() == len(exact) and listing.as_of == as_of


def test_another_date_orders_and_pages(town, client):  # noqa: F811
    rule = RequirementRule.objects.get(code="online-yearly")
    as_of = date(2026, 3, 31)
    gaps = [r.required - r.earned for _p, r in standing.listing_at(town.district, rule, as_of, order="gap")]
    assert gaps == sorted(gaps, reverse=True) and len(gaps) > 20
    paths = [p.primary_org.path for p, _r in standing.listing_at(town.district, rule, as_of, order="org")]
    assert paths == sorted(paths)
    client.force_login(town.officer)
    page = client.get(f"/ledger/org/{town.district.pk}/rule/{rule.pk}/?as_of=2026-03-31&status=all&sort=name")
    assert page.status_code == 200 and page.context["as_of"] == as_of
    exact = people_for_rule(town.district, rule, as_of=as_of)
    assert [p.pk for p, _r in page.context["page"]] == [p.pk for p, _r in exact][:50]
    assert page.context["page"].paginator.count == len(exact) > 20


def test_fact_listing_orders(town):  # noqa: F811
    standing.rebuild(AS_OF)
    rule = RequirementRule.objects.get(code="online-yearly")
    gaps = [r.required - r.earned for _p, r in standing.fact_listing(town.district, rule, order="gap")]
    assert gaps == sorted(gaps, reverse=True) and len(gaps) > 20
    earned = [r.earned for _p, r in standing.fact_listing(town.district, rule, order="earned")]
    assert earned == sorted(earned)
    paths = [p.primary_org.path for p, _r in standing.fact_listing(town.district, rule, order="org")]
    assert paths == sorted(paths)


def test_a_page_evaluates_only_its_own_people(town, monkeypatch):  # noqa: F811
    standing.rebuild(AS_OF)
    rule = RequirementRule.objects.get(code="online-yearly")
    sizes = []
    evaluate = compliance._evaluate_many

    def counted(rule, people, *args, **kwargs):
        sizes.append(len(people))
        return evaluate(rule, people, *args, **kwargs)

    monkeypatch.setattr(compliance, "_evaluate_many", counted)
    services.grant_exemption(actor=town.officer, person=town.people[3], kind="illness", starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 12, 31), reason="病休")
    standing.refresh_dirty()
    listing = standing.fact_listing(town.district, rule, order="name")
    for number in range(1, 8):
        sizes.clear()
        page = Paginator(listing, 5).get_page(number)
        ids = [p.pk for p, _r in page]
        special = ComplianceFact.objects.filter(rule=rule, person_id__in=ids, special=True).count()
        # only the page's special people (joined this year, exempted, in grace) are evaluated again, for
        # their notes; the others are shown from their facts
        assert sizes == ([special] if special else [])
        assert _pairs(page) == _pairs(people_for_rule(town.district, rule, as_of=AS_OF))[5 * number - 5 : 5 * number]
    assert ComplianceFact.objects.filter(rule=rule, person=town.people[3], special=True).exists()
    assert ComplianceFact.objects.filter(rule=rule, special=False).count() > 20


def test_no_materialisation_for_the_date_means_the_exact_path(town):  # noqa: F811
    rule = RequirementRule.objects.get(code="online-yearly")
    assert standing.fact_listing(town.district, rule) is None  # never built
    standing.rebuild(AS_OF)
    assert standing.fact_listing(town.district, rule, as_of=date(2026, 3, 31)) is None  # another date
    ComplianceState.objects.update(stale=True)
    assert standing.fact_listing(town.district, rule, as_of=AS_OF) is None  # a rule changed since


def test_drill_down_page_lists_the_summarys_people_and_folds_credits_in(town, client):  # noqa: F811
    standing.rebuild(AS_OF)
    rule = RequirementRule.objects.get(code="online-yearly")
    [summary] = [s for s in standing.summary(town.district).summaries if s.rule.pk == rule.pk]
    client.force_login(town.officer)
    url = f"/ledger/org/{town.district.pk}/rule/{rule.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["as_of"] == AS_OF
    assert page.context["page"].paginator.count == summary.total.behind > 0
    # a person behind is credited enough: the next list leaves them out (the dirty mark is folded in)
    person, _result = page.context["page"][0]
    services.credit_hours(person=person, hours="60", form="online", occurred_on=date(2026, 5, 1), idempotency_key="x:1")
    again = client.get(url)
    assert person.pk not in [p.pk for p, _r in again.context["page"]]
    assert again.context["page"].paginator.count == summary.total.behind - 1
    # an explicit date the facts do not answer for takes the exact path, and says so by its date
    explicit = client.get(url + "?as_of=2026-03-31&status=all")
    assert explicit.context["as_of"] == date(2026, 3, 31)
    # a liaison's drill-down of another town is refused, whatever the facts hold
    other = client.get(f"/ledger/org/{town.town_b.pk}/rule/{rule.pk}/?child={town.town_a.path}")
    assert other.status_code == 404
    client.force_login(town.liaison_a)
    assert client.get(f"/ledger/org/{town.town_b.pk}/rule/{rule.pk}/").status_code == 404


@pytest.fixture
def accounts(town):  # noqa: F811
    """Accounts for ten of the town's people (the cast's trainee is 王小明's)."""
    RequirementRule.objects.exclude(code__in=["online-yearly", "online-monthly"]).update(active=False)
    for i, person in enumerate(town.people[3:13]):
        user = make_user(f"u{i}", person=person)
        user.email = f"u{i}@example.cn"
        user.save()
    return town


def _expected_reminders() -> int:
    n = 0
    for rule in RequirementRule.objects.switched_on():
        n += sum(1 for p, _r in people_for_rule(standing.Organization.objects.get(depth=1), rule, as_of=AS_OF,
                                                statuses=LAGGING)
                 if getattr(p, "user", None) is not None)
    return n


def test_reminders_go_out_in_chunks_to_exactly_the_people_behind(accounts, monkeypatch):
    monkeypatch.setattr(reminders, "CHUNK", 3)
    expected = _expected_reminders()
    stats = reminders.send_reminders(as_of=AS_OF)  # builds the facts of that date first
    assert ComplianceState.objects.get(pk=1).as_of == AS_OF
    assert stats["people"] == expected > 3
    assert Notification.objects.filter(user__person__isnull=False).count() == expected
    assert reminders.send_reminders(as_of=AS_OF)["people"] == 0  # once per person, rule and period


def test_a_digest_names_the_first_people_and_counts_them_all(accounts, monkeypatch):
    monkeypatch.setattr(reminders, "DIGEST_LINES", 1)
    reminders.send_reminders(as_of=AS_OF)
    digests = Notification.objects.filter(user=accounts.liaison_a)
    assert digests.exists()
    for digest in digests:
        lines = digest.body.split("\n")
        n = int(digest.title.rsplit("（", 1)[1].split(" ")[0])
        assert len(lines) == (2 if n > 1 else 1)
        if n > 1:
            assert lines[1] == f"……共 {n} 人，完整名单请打开链接查看。"
        assert "（" in lines[0] and "/" in lines[0]


def test_a_failing_email_keeps_the_in_app_reminder_and_the_rest(accounts, monkeypatch):
    send = EmailMessage.send

    def flaky(self, *args, **kwargs):
        if self.to == ["u0@example.cn"]:
            raise OSError("mail server refused")
        return send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    stats = reminders.send_reminders(as_of=AS_OF)
    u0 = accounts.people[3].user
    assert stats["mail_failed"] >= 1 and Notification.objects.filter(user=u0).exists()
    with_address = Notification.objects.exclude(user__email="").count()
    assert len(mail.outbox) == with_address - stats["mail_failed"] > 0


def test_a_renamed_person_moves_in_the_name_order(town):  # noqa: F811
    from jingpei.orgs import services as org_services

    standing.rebuild(AS_OF)
    rule = RequirementRule.objects.get(code="online-yearly")
    last = list(standing.fact_listing(town.district, rule, order="name"))[-1][0]
    org_services.update_person(actor=town.officer, person=last, name="阿阿")  # pinyin "a a": first now
    first, _result = list(standing.fact_listing(town.district, rule, order="name"))[0]
    assert first.pk == last.pk and first.name == "阿阿"
    assert _pairs(standing.fact_listing(town.district, rule, order="name")) == _pairs(
        people_for_rule(town.district, rule, as_of=AS_OF))


def test_the_nightly_job_builds_only_what_is_not_current(town):  # noqa: F811
    from types import SimpleNamespace

    from jingpei.ledger.jobs import standing_job

    ctx = SimpleNamespace(progress=lambda *a, **k: None)
    nightly = {"full": True, "unless_current": True}
    assert "facts" in standing_job(ctx, **nightly)  # nothing built yet: built
    assert standing_job(ctx, **nightly) == {"refreshed": 0}  # built today for today: only drained
    assert "facts" in standing_job(ctx, full=True)  # an explicit full run always builds
    ComplianceState.objects.update(as_of=date(2026, 1, 1))  # yesterday's (or older) figures: built again
    assert "facts" in standing_job(ctx, **nightly)
    assert ComplianceState.objects.get().as_of == compliance.today()


def test_the_rebuild_keeps_the_drilldown_index(town):  # noqa: F811
    from django.db import connection

    from jingpei.ledger.models import ComplianceFact

    standing.rebuild(AS_OF)  # on PostgreSQL it drops the index for the load and makes it again
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ComplianceFact._meta.db_table)
    assert constraints[standing.FACT_INDEX]["columns"] == ["rule_id", "org_path"]


def test_listing_reads_a_fixed_number_of_queries_whatever_the_page_size(town):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    standing.rebuild(AS_OF)
    services.grant_exemption(actor=town.officer, person=town.people[3], kind="illness", starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 12, 31), reason="病休")
    standing.refresh_dirty()
    rule = RequirementRule.objects.get(code="online-yearly")
    order = [p.pk for p, _r in standing.fact_listing(town.district, rule, order="name")]
    at = order.index(town.people[3].pk)  # both slices hold the special (exempted) person and regular ones
    counts = []
    for window in (slice(max(0, at - 1), at + 2), slice(0, len(order))):
        listing = standing.fact_listing(town.district, rule, order="name")
        with CaptureQueriesContext(connection) as queries:
            results = listing[window]
            assert [p.primary_org.name for p, _r in results] and [p.name for p, _r in results]
        counts.append(len(queries))
    assert counts[0] == counts[1], counts  # no query per person (deferred fields are not touched)
