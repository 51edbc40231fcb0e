"""Township A's needs survey and note, carrying the marker 甲镇机密, answered by 王小明 (the walk visits
every survey URL with their ids as liaison_b)."""

from __future__ import annotations

from datetime import date

from jingpei.core.permissions import Role
from jingpei.surveys import services
from jingpei.surveys.services import AnswerInput, NoteInput
from tests.factories import make_user


def make_objects(cast) -> dict[str, object]:
    officer_a = make_user("survey_officer_a", role=Role.TRAINING_OFFICER, org=cast.town_a)
    data = services.preset_needs(date.today().year)
    data.title = "甲镇机密需求调查"
    survey = services.create_survey(actor=officer_a, org=cast.town_a, data=data)
    services.open_survey(actor=officer_a, survey=survey)
    answers = {q.pk: AnswerInput(score=5) if q.kind == "scale" else AnswerInput(text="甲镇机密建议") if q.kind == "text"
               else AnswerInput(choices=[0]) for q in survey.questions.all()}
    services.submit_response(person=cast.person_a, survey=survey, answers=answers)
    note = services.save_note(actor=officer_a, org=cast.town_a, data=NoteInput(
        method="visit", held_on=date.today(), summary="甲镇机密走访", needs="甲镇机密需求"))
    return {"survey_id": survey, "note_id": note}


EXTRA_GETS = ["/surveys/?year=" + str(date.today().year), "/surveys/notes/?year=" + str(date.today().year)]
