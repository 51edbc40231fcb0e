"""The demo district's surveys: this year's needs survey, answered by about a fifth of the district and
closed; next year's, open now (the demo trainee has it waiting); the notes of the visits, forums, calls and
interviews beside them; and the evaluations of the finished classes but the latest, scored by their
trainees (the demo lecturer sees the scores of their sessions).

Everything goes through the services, as the officer, the head and each trainee would do it."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from jingpei.accounts.models import User
from jingpei.classes.models import Enrolment, TrainingClass
from jingpei.orgs.models import Organization, Person
from jingpei.surveys import services
from jingpei.surveys.models import Question, QuestionKind, Survey
from jingpei.surveys.presets import is_other
from jingpei.surveys.services import AnswerInput, NoteInput

# how often each topic of the needs questionnaire is picked: the articles' topics lead
TOPIC_WEIGHTS = [9, 8, 7, 5, 6, 4, 5, 3, 1]
NOTES = [
    ("visit", "老窝镇", 2, 18, "朱集村村委会", 6, "走访朱集村“两委”班子，村里正在发展食用菌种植，缺少技术和销路，干部对电商销售不熟悉。",
     "农村电子商务、食用菌种植技术"),
    ("forum", "万金镇", 3, 6, "万金镇政府会议室", 15, "召开驻村第一书记座谈会，反映村集体经济项目选择难、资产管理不规范。",
     "壮大村集体经济、集体资产管理"),
    ("phone", None, 3, 20, "", 30, "电话问询 30 名致富带头人，多数希望到先进地区实地考察学习。", "交流考察学习、扶贫产业发展"),
    ("interview", None, 4, 9, "区委组织部", 3, "个别访谈新任乡镇党委书记，希望系统学习乡村振兴政策和群众工作方法。",
     "乡村振兴政策解读、群众工作方法"),
    ("forum", "老窝镇", 11, 20, "老窝镇党群服务中心", 22, "明年培训需求座谈：村干部希望培训时间避开麦收、秋收，多用案例教学。",
     "农村电子商务、案例教学、基层党建"),
]


def _answers(rng: random.Random, questions: list[Question]) -> dict[int, AnswerInput]:
    answers = {}
    for q in questions:
        if q.kind == QuestionKind.SCALE:
            answers[q.pk] = AnswerInput(score=rng.choices([5, 4, 3, 2], weights=[46, 38, 13, 3])[0])
        elif q.kind == QuestionKind.TEXT:
            if rng.random() < 0.15:
                answers[q.pk] = AnswerInput(text=rng.choice([
                    "希望多安排现场教学，少一些照本宣科。", "村里缺懂电商的人，希望有直播带货的实操课。",
                    "培训时间尽量避开农忙。", "希望请种养殖大户现身说法。", "课程很实用，建议每年都办。"]))
        else:
            weights = [TOPIC_WEIGHTS[i % len(TOPIC_WEIGHTS)] for i in range(len(q.choices))]
            if is_other(q.choices[-1]):
                weights[-1] = 1
            wanted = (q.max_choices or len(q.choices)) if q.kind == QuestionKind.MULTIPLE else 1
            picked: set[int] = set()
            while len(picked) < rng.randint(1, wanted):
                picked.add(rng.choices(range(len(q.choices)), weights=weights)[0])
            other = rng.choice(["乡村旅游", "直播带货", "村级财务管理"]) if any(is_other(q.choices[i]) for i in picked) else ""
            answers[q.pk] = AnswerInput(choices=sorted(picked), other=other)
    return answers


def _answer(rng, survey: Survey, people: list[Person], share: float) -> int:
    questions = list(survey.questions.order_by("position"))
    n = 0
    for person in people:
        if rng.random() < share:
            services.submit_response(person=person, survey=survey, answers=_answers(rng, questions))
            n += 1
    return n


def build_surveys_demo(*, seed: int = 2018, today: date | None = None, district_name: str = "召陵区") -> dict:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    district = Organization.objects.get(name=district_name, kind="district")
    officer, head = User.objects.get(username="officer"), User.objects.get(username="head")
    people = list(Person.objects.active().in_subtree(district).order_by("pk"))

    this_year = services.create_survey(actor=officer, org=district, data=services.preset_needs(today.year))
    services.open_survey(actor=officer, survey=this_year)
    answered = _answer(rng, this_year, people, 0.2)
    services.close_survey(actor=officer, survey=this_year)

    trainee = User.objects.get(username="trainee").person
    following = services.preset_needs(today.year + 1)
    following.closes_on = today + timedelta(days=24)
    next_year = services.create_survey(actor=officer, org=district, data=following)
    services.open_survey(actor=officer, survey=next_year)
    early = _answer(rng, next_year, [p for p in people if p.pk != trainee.pk], 0.06)

    towns = {o.name: o for o in Organization.objects.filter(path__startswith=district.path, depth=district.depth + 1)}
    for method, town, month, day, place, participants, summary, needs in NOTES:
        held_on = min(date(today.year, month, day), today)
        services.save_note(actor=officer, org=towns.get(town, district) if town else district, data=NoteInput(
            method=method, held_on=held_on, summary=summary, needs=needs, place=place, participants=participants))

    # every finished class but the latest, which the demo head may start themselves
    finished = list(TrainingClass.objects.filter(organizer__path__startswith=district.path,
                                                 status=TrainingClass.Status.COMPLETED).order_by("-end_date")[1:])
    scored = 0
    for klass in finished:
        survey = services.start_evaluation(actor=head, klass=klass)
        services.open_survey(actor=head, survey=survey)
        trainees = list(Person.objects.filter(class_enrolments__klass=klass,
                                              class_enrolments__status=Enrolment.Status.APPROVED).order_by("pk"))
        scored += _answer(rng, survey, trainees, 0.85)
        services.close_survey(actor=head, survey=survey)
    return {"needs_answers": answered, "open_answers": early, "notes": len(NOTES), "evaluations": len(finished),
            "evaluation_answers": scored}
