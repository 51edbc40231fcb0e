"""The year figures of a subtree (``reports.figures.year_figures``) against the same aggregates written
by hand as SQL, on the ledger benchmark's data set (``bench/ledger_scale.py``; PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jp_ledger_bench .venv/bin/python bench/reports_year.py

Prints, for the whole tree, its largest township and one village: people, the figures' time and the hand
SQL's (medians of interleaved runs) and their ratio; and the time per 10,000 people, which is what
``LEDGER_INLINE_PEOPLE`` (above it the figures are made by a background job) should be judged by.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ledger_scale import setup


def _like(path: str) -> str:
    return path + "%"


# The statements year_figures makes, by hand: the same tables, filters and groupings.
HAND = [
    ("SELECT substr(o.path, 1, %(cut)s), count(*) FROM orgs_person p JOIN orgs_organization o "
     "ON o.id = p.primary_org_id WHERE o.path LIKE %(like)s AND p.archived_at IS NULL GROUP BY 1"),
    ("SELECT c.form, count(*) FROM classes_trainingclass c JOIN orgs_organization o ON o.id = c.organizer_id "
     "WHERE c.status IN ('open', 'completed') AND o.path LIKE %(like)s AND c.start_date BETWEEN %(start)s AND %(end)s "
     "GROUP BY c.form"),
    ("SELECT substr(o.path, 1, %(cut)s), k.form, count(*) FROM classes_enrolment e "
     "JOIN classes_trainingclass k ON k.id = e.klass_id "
     "JOIN orgs_person p ON p.id = e.person_id JOIN orgs_organization o ON o.id = p.primary_org_id "
     "WHERE e.status = 'approved' AND k.status IN ('open', 'completed') AND k.start_date BETWEEN %(start)s AND %(end)s "
     "AND o.path LIKE %(like)s GROUP BY substr(o.path, 1, %(cut)s), k.form"),
    ("SELECT k.form, count(*) FROM classes_certificate c JOIN classes_trainingclass k ON k.id = c.klass_id "
     "JOIN classes_enrolment e ON e.id = c.enrolment_id JOIN orgs_person p ON p.id = e.person_id "
     "JOIN orgs_organization o ON o.id = p.primary_org_id "
     "WHERE k.start_date BETWEEN %(start)s AND %(end)s AND o.path LIKE %(like)s GROUP BY k.form"),
    ("SELECT a.id, a.title, o.name, a.total_target FROM classes_annualplan a JOIN orgs_organization o "
     "ON o.id = a.org_id WHERE a.year = %(year)s AND o.path LIKE %(like)s ORDER BY o.path"),
    ("SELECT r.form, count(DISTINCT r.person_id) FILTER (WHERE r.tenths > 0) "
     "FROM ledger_monthrollup r JOIN orgs_person p ON p.id = r.person_id "
     "JOIN orgs_organization o ON o.id = p.primary_org_id "
     "WHERE r.month BETWEEN %(start)s AND %(end)s AND o.path LIKE %(like)s GROUP BY r.form"),
    ("SELECT count(DISTINCT r.person_id) FROM ledger_monthrollup r JOIN orgs_person p ON p.id = r.person_id "
     "JOIN orgs_organization o ON o.id = p.primary_org_id "
     "WHERE r.month BETWEEN %(start)s AND %(end)s AND o.path LIKE %(like)s AND r.tenths > 0"),
    ("SELECT substr(o.path, 1, %(cut)s), r.month, r.form, sum(r.tenths) FROM ledger_monthrollup r "
     "JOIN orgs_person p ON p.id = r.person_id JOIN orgs_organization o ON o.id = p.primary_org_id "
     "WHERE r.month BETWEEN %(start)s AND %(end)s AND o.path LIKE %(like)s GROUP BY 1, r.month, r.form"),
    ("SELECT count(*) FROM orgs_organization WHERE archived_at IS NULL AND path LIKE %(like)s AND kind = 'branch'"),
    ("SELECT substr(o.path, 1, %(cut)s), count(*), count(DISTINCT s.branch_id), sum(s.attendee_count) "
     "FROM activities_branchsession s JOIN orgs_organization o ON o.id = s.branch_id "
     "WHERE s.merged_into_id IS NULL AND o.path LIKE %(like)s AND s.held_on BETWEEN %(start)s AND %(end)s GROUP BY 1"),
    ("SELECT count(*), sum(m.attendee_count) FROM activities_meeting m JOIN orgs_organization o "
     "ON o.id = m.organizer_id WHERE o.path LIKE %(like)s AND m.held_on BETWEEN %(start)s AND %(end)s"),
    # 需求调研与培训评估 (surveys.queries.year_totals)
    ("SELECT count(*) FROM surveys_survey s JOIN orgs_organization o ON o.id = s.org_id WHERE s.kind = 'needs' "
     "AND s.year = %(year)s AND o.path LIKE %(like)s AND s.state <> 'draft'"),
    ("SELECT count(*) FROM surveys_response r JOIN surveys_survey s ON s.id = r.survey_id "
     "JOIN orgs_organization o ON o.id = s.org_id WHERE s.kind = 'needs' AND s.year = %(year)s "
     "AND o.path LIKE %(like)s AND s.state <> 'draft'"),
    ("SELECT count(*) FROM surveys_note n JOIN orgs_organization o ON o.id = n.org_id "
     "WHERE n.year = %(year)s AND o.path LIKE %(like)s"),
    ("SELECT count(*) FROM surveys_survey s JOIN classes_trainingclass k ON k.id = s.klass_id "
     "JOIN orgs_organization o ON o.id = k.organizer_id WHERE s.kind = 'evaluation' AND s.state <> 'draft' "
     "AND k.start_date BETWEEN %(start)s AND %(end)s AND o.path LIKE %(like)s"),
    ("SELECT count(*) FROM surveys_response r JOIN surveys_survey s ON s.id = r.survey_id "
     "JOIN classes_trainingclass k ON k.id = s.klass_id JOIN orgs_organization o ON o.id = k.organizer_id "
     "WHERE s.kind = 'evaluation' AND s.state <> 'draft' AND k.start_date BETWEEN %(start)s AND %(end)s "
     "AND o.path LIKE %(like)s"),
    ("SELECT count(*), count(*) FILTER (WHERE a.score >= 4), sum(a.score) FROM surveys_answer a "
     "JOIN surveys_question q ON q.id = a.question_id JOIN surveys_survey s ON s.id = q.survey_id "
     "JOIN classes_trainingclass k ON k.id = s.klass_id JOIN orgs_organization o ON o.id = k.organizer_id "
     "WHERE s.kind = 'evaluation' AND s.state <> 'draft' AND k.start_date BETWEEN %(start)s AND %(end)s "
     "AND o.path LIKE %(like)s AND a.score IS NOT NULL"),
    # 各下级组织: the children themselves (their figures come from the reads above)
    ("SELECT path, name FROM orgs_organization WHERE archived_at IS NULL AND path LIKE %(like)s AND depth = %(depth)s"),
]


def hand_written(cursor, root, year: int) -> None:
    args = {"like": _like(root.path), "start": f"{year}-01-01", "end": f"{year}-12-31", "year": year,
            "depth": root.depth + 1, "cut": len(root.path) + root.steplen}
    for sql in HAND:
        cursor.execute(sql, args)
        cursor.fetchall()


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per subtree (medians)")
    parser.add_argument("--year", type=int, default=2026, help="a past year adds the rules' standing at its end, "
                        "evaluated exactly (not in the hand SQL: that is the ledger's own benchmark)")
    args = parser.parse_args()
    connection = setup()
    from jingpei.orgs.models import Organization, Person
    from jingpei.reports.figures import year_figures

    top = Organization.objects.filter(depth=1).first()
    if top is None:
        raise SystemExit("no data: build it first with bench/ledger_scale.py")
    township = max(Organization.objects.filter(depth=2), key=lambda o: Person.objects.filter(
        primary_org__path__startswith=o.path).count())
    village = Organization.objects.filter(path__startswith=township.path, depth=3).first()
    print(f"{'subtree':<14}{'people':>10}{'figures (s)':>13}{'hand SQL (s)':>14}{'ratio':>8}{'s / 10k people':>16}")
    for label, root in (("whole tree", top), ("township", township), ("village", village)):
        people = Person.objects.active().filter(primary_org__path__startswith=root.path).count()
        ours, hand = [], []
        with connection.cursor() as cursor:
            for _ in range(args.repeat):
                ours.append(timed(lambda root=root: year_figures(root, args.year)))
                hand.append(timed(lambda root=root, cursor=cursor: hand_written(cursor, root, args.year)))
        a, b = statistics.median(ours), statistics.median(hand)
        print(f"{label:<14}{people:>10,}{a:>13.3f}{b:>14.3f}{a / b:>7.2f}x{a * 10_000 / max(people, 1):>16.3f}")


if __name__ == "__main__":
    main()
