"""A needs survey's results page (``surveys.queries.results``) against the same figures computed by hand
in SQL (choices unnested and counted by the database, scores grouped, the latest written answers, the
"其他" texts tallied, the audience and the answers by township).

    .venv/bin/python bench/survey_results.py [--responses 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_survey_bench .venv/bin/python bench/survey_results.py

The demo district's tree with ``--responses`` people registered in its branches, each having answered the
preset questionnaire (six questions: two multiple choice with 其他, two single, a score, a text answer for
15%). Prints both times (medians of interleaved runs) and their ratio, and the statements each makes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roster_common import QueryCounter, report, setup_django  # noqa: E402

HAND = {
    "postgresql": "SELECT a.question_id, e.value::int, count(*) FROM surveys_answer a "
                  "CROSS JOIN LATERAL jsonb_array_elements_text(a.choices) AS e(value) "
                  "JOIN surveys_question q ON q.id = a.question_id WHERE q.survey_id = %(s)s GROUP BY 1, 2",
    "sqlite": "SELECT a.question_id, e.value, count(*) FROM surveys_answer a, json_each(a.choices) e "
              "JOIN surveys_question q ON q.id = a.question_id WHERE q.survey_id = %(s)s GROUP BY 1, 2",
}
COMMON = [
    # how many answered each question, and the scores
    "SELECT a.question_id, count(*) FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "
    "WHERE q.survey_id = %(s)s GROUP BY 1",
    "SELECT a.question_id, a.score, count(*) FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "
    "WHERE q.survey_id = %(s)s AND a.score IS NOT NULL GROUP BY 1, 2",
    # the latest written answers and the 其他 texts
    "SELECT a.text FROM surveys_answer a WHERE a.question_id = %(text_q)s AND a.text <> '' ORDER BY a.id DESC LIMIT 100",
    "SELECT a.question_id, a.other, count(*) FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id "
    "WHERE q.survey_id = %(s)s AND a.other <> '' GROUP BY 1, 2 ORDER BY 3 DESC",
    # the audience and the answers, by township
    "SELECT substr(o.path, 1, %(cut)s), count(*) FROM orgs_person p JOIN orgs_organization o ON o.id = p.primary_org_id "
    "WHERE p.archived_at IS NULL AND EXISTS (SELECT 1 FROM orgs_membership m JOIN orgs_organization mo ON mo.id = m.org_id "
    "WHERE m.person_id = p.id AND mo.path LIKE %(like)s) GROUP BY 1",
    "SELECT substr(o.path, 1, %(cut)s), count(*) FROM surveys_response r JOIN orgs_organization o ON o.id = r.org_id "
    "WHERE r.survey_id = %(s)s GROUP BY 1",
    "SELECT id, path, name FROM orgs_organization WHERE archived_at IS NULL AND path LIKE %(like)s AND depth = %(depth)s",
]


def build(n: int, seed: int = 7):
    """The district, ``n`` people in its branches and their answer sheets, written in bulk (the services'
    path is tested; this is the data, fast)."""
    from django.utils import timezone

    from jingpei.accounts.models import User
    from jingpei.demo.builder import build as build_district
    from jingpei.orgs.models import Membership, Organization, Person
    from jingpei.surveys import services
    from jingpei.surveys.models import Answer, QuestionKind, Response

    build_district(people=200)
    officer = User.objects.get(username="officer")
    district = Organization.objects.get(kind="district", name="召陵区")
    branches = list(Organization.objects.filter(kind="branch").values_list("pk", flat=True))
    rng = random.Random(seed)
    people = Person.objects.bulk_create(
        Person(name="答卷人", gender="M", birth_date=date(1980, 1, 1), id_cipher="-", id_hash=f"bench{i}",
               id_masked="4111**********0000", primary_org_id=branches[i % len(branches)]) for i in range(n))
    Membership.objects.bulk_create(Membership(person=p, org_id=p.primary_org_id, is_primary=True) for p in people)
    survey = services.create_survey(actor=officer, org=district, data=services.preset_needs(timezone.localdate().year))
    services.open_survey(actor=officer, survey=survey)
    questions = list(survey.questions.order_by("position"))
    for start in range(0, n, 5000):
        batch = people[start:start + 5000]
        responses = Response.objects.bulk_create(Response(survey=survey, person=p, org_id=p.primary_org_id) for p in batch)
        answers = []
        for response in responses:
            for q in questions:
                if q.kind == QuestionKind.SCALE:
                    answers.append(Answer(response=response, question=q, score=rng.randint(2, 5)))
                elif q.kind == QuestionKind.TEXT:
                    if rng.random() < 0.15:
                        answers.append(Answer(response=response, question=q, text=f"建议{rng.randint(1, 999)}：多安排现场教学"))
                else:
                    k = rng.randint(1, q.max_choices or 1)
                    picked = sorted(rng.sample(range(len(q.choices)), k))
                    other = "乡村旅游" if len(q.choices) - 1 in picked and q.choices[-1] == "其他" else ""
                    answers.append(Answer(response=response, question=q, choices=picked, other=other))
        Answer.objects.bulk_create(answers, batch_size=5000)
    return survey, district


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    setup_django("survey-results")
    from django.db import connection

    from jingpei.surveys import queries

    started = time.perf_counter()
    survey, district = build(args.responses)
    print(f"built {args.responses:,} answer sheets in {time.perf_counter() - started:.1f} s "
          f"({connection.vendor})", flush=True)
    text_q = survey.questions.get(kind="text").pk
    params = {"s": survey.pk, "text_q": text_q, "like": district.path + "%", "cut": district.child_cut,
              "depth": district.depth + 1}
    statements = [HAND[connection.vendor], *COMMON]

    def hand():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    def ours():
        queries.results(survey)

    ours(), hand()  # warm the caches alike
    times: dict[str, list[float]] = {"ours": [], "hand": []}
    for _ in range(args.repeat):
        for name, fn in (("ours", ours), ("hand", hand)):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        ours()
    mine, theirs = statistics.median(times["ours"]), statistics.median(times["hand"])
    report([(f"results of {args.responses:,} answer sheets", f"{mine * 1000:.0f} ms", f"{theirs * 1000:.0f} ms",
             f"{mine / theirs:.2f}×"),
            ("statements", str(counter.n), str(len(statements)), "")])
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        connection.close()


if __name__ == "__main__":
    main()
