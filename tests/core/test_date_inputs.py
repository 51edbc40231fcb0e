"""Every <input type="date"> of an edit form shows its date as ISO (what the browser reads), in Chinese as in
English: with the locale's first input format (zh-hans 2026/03/05) the browser showed nothing, and saving a
form left unchanged cleared an optional date (a rule's validity, a person's 任现职级时间)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation

from jingpei.core.forms import StyledForm
from jingpei.ledger.models import RequirementRule
from jingpei.orgs.models import Person


def date_inputs(html: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'<input type="date" name="(\w+)" value="([^"]*)"', html)}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_styled_date_input_renders_iso(language):
    from django import forms

    class Dated(StyledForm):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override(language):
        assert 'value="2026-03-05"' in str(Dated(initial={"day": date(2026, 3, 5)})["day"])


def test_the_person_and_rule_edit_pages_show_their_dates(client_as, cast):
    Person.objects.filter(pk=cast.person_a.pk).update(rank_level="staff", rank_since=date(2021, 3, 1))
    client = client_as(cast.officer)
    page = client.get(f"/people/{cast.person_a.pk}/edit/").content.decode()
    assert date_inputs(page)["rank_since"] == "2021-03-01"
    assert date_inputs(page)["birth_date"] == cast.person_a.birth_date.isoformat()
    rule = RequirementRule.objects.get(code="online-yearly")
    RequirementRule.objects.filter(pk=rule.pk).update(valid_from=date(2024, 1, 1))
    page = client.get(f"/ledger/rules/{rule.pk}/").content.decode()
    assert date_inputs(page)["valid_from"] == "2024-01-01"
