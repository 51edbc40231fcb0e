"""The demo generator: the article's pace (1,034 sessions by 3 April), credits through the ledger."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from jingpei.activities import queries
from jingpei.activities.demo import SESSIONS_BY_APRIL_3, build_activities_demo
from jingpei.activities.models import BranchSession, Meeting, SessionAttendance
from jingpei.ledger.models import LedgerEntry
from jingpei.orgs.models import Category, PersonCategory

pytestmark = pytest.mark.django_db


def test_demo_follows_the_article_pace_and_credits_every_attendee(cast):
    top = Category.objects.create(code="top_leader", name="党政一把手")
    PersonCategory.objects.create(person=cast.person_a, category=top, year=2026)
    today = date(2026, 1, 20)
    result = build_activities_demo(today=today)
    expected = round(SESSIONS_BY_APRIL_3 / 93 * 20)
    assert result["sessions"] == expected == BranchSession.objects.count()
    assert all(s.held_on <= today for s in BranchSession.objects.all())
    keys = set(BranchSession.objects.values_list("branch_id", "held_on", "topic_key"))
    assert len(keys) == expected  # never a duplicate
    branch_credits = LedgerEntry.objects.filter(source_type="activities.session").count()
    assert branch_credits == SessionAttendance.objects.count() > 0
    assert Meeting.objects.exists() and LedgerEntry.objects.filter(form="meeting").exists()
    summary = queries.district_summary(cast.district, queries.Period(today))
    assert summary.sessions == expected and summary.active_branches == summary.branches == 2
    assert build_activities_demo(today=today)["skipped"]  # a second run adds nothing


def test_command_runs(cast, capsys):
    with time_machine.travel("2026-01-05 12:00 +0800", tick=False):
        call_command("build_activities_demo")
    assert "次学习" in capsys.readouterr().out and BranchSession.objects.exists()
