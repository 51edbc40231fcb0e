import threading

import pytest
from django.db import connection

from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.orgs import services
from jingpei.orgs.models import Organization
from tests.factories import make_org


def test_create_rename_move_archive_are_audited(cast):
    org = services.create_org(actor=cast.officer, parent=cast.town_a, name="  新 村 ", kind="village")
    assert org.name == "新 村" and org.parent() == cast.town_a
    services.rename_org(actor=cast.officer, org=org, name="新华村")
    services.move_org(actor=cast.officer, org=org, new_parent=cast.town_b)
    services.archive_org(actor=cast.officer, org=org)
    actions = list(
        AuditLog.objects.filter(object_id=str(org.pk), object_type="orgs.organization")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["org.create", "org.rename", "org.move", "org.archive"]
    move = AuditLog.objects.get(action="org.move", object_id=str(org.pk))
    assert move.actor == cast.officer and move.before["path"] != move.after["path"]


def test_move_carries_the_whole_subtree_and_people_follow(cast):
    services.move_org(actor=cast.officer, org=cast.village_a, new_parent=cast.town_b)
    branch = Organization.objects.get(pk=cast.branch_a.pk)
    town_b = Organization.objects.get(pk=cast.town_b.pk)
    assert branch.path.startswith(town_b.path) and branch.depth == 4
    from jingpei.orgs.models import Person

    assert set(Person.objects.in_subtree(town_b).values_list("name", flat=True)) == {
        "王小明",
        "李芳",
        "赵秘密",
    }


def test_cannot_move_into_own_subtree(cast):
    with pytest.raises(DomainError, match="不能把组织移动到它自己或它的下级组织之下"):
        services.move_org(actor=cast.officer, org=cast.town_a, new_parent=cast.branch_a)


def test_sibling_names_must_differ(cast):
    with pytest.raises(Conflict, match="已有名为“朱集村”的组织"):
        services.create_org(actor=cast.officer, parent=cast.town_a, name="朱集村", kind="village")


def test_blank_name_and_unknown_kind_are_refused(cast):
    with pytest.raises(DomainError, match="请填写组织名称"):
        services.create_org(actor=cast.officer, parent=cast.town_a, name="   ", kind="village")
    with pytest.raises(DomainError, match="未知的组织类型"):
        services.create_org(actor=cast.officer, parent=cast.town_a, name="某村", kind="planet")


def test_liaison_cannot_restructure_and_outsider_cannot_touch(cast):
    with pytest.raises(NotAllowed):
        services.create_org(actor=cast.liaison_a, parent=cast.town_a, name="某村", kind="village")
    with pytest.raises(NotAllowed):
        services.rename_org(actor=cast.liaison_b, org=cast.village_a, name="改名")


def test_archive_refused_while_people_or_children_remain(cast):
    with pytest.raises(DomainError, match="还有未归档的下级组织"):
        services.archive_org(actor=cast.officer, org=cast.village_a)
    with pytest.raises(DomainError, match="2 名人员以它为主要组织"):
        services.archive_org(actor=cast.officer, org=cast.branch_a)


def test_delete_only_without_history(cast):
    with pytest.raises(DomainError, match="只能归档"):
        services.delete_org(actor=cast.officer, org=cast.branch_a)
    empty = services.create_org(actor=cast.officer, parent=cast.town_a, name="误建村", kind="village")
    services.delete_org(actor=cast.officer, org=empty)
    assert not Organization.objects.filter(pk=empty.pk).exists()


def test_archived_orgs_leave_scopes(cast):
    from jingpei.core.scoping import forget_grants, scope_for

    lonely = services.create_org(actor=cast.officer, parent=cast.town_b, name="空村", kind="village")
    from jingpei.accounts.services import grant_role

    grant_role(actor=None, user=cast.liaison_b, role="liaison", org=lonely)
    services.archive_org(actor=cast.officer, org=lonely)
    forget_grants(cast.liaison_b)
    assert scope_for(cast.liaison_b, "person.view").prefixes == (
        Organization.objects.get(pk=cast.town_b.pk).path,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_and_moves_never_corrupt_the_tree():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    root = make_org(None, "并发区", "district")
    towns = [make_org(root, f"镇{i}") for i in range(4)]
    barrier = threading.Barrier(8)
    errors = []

    def create(i):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.create_org(actor=None, parent=towns[i % 2], name=f"村{i}", kind="village")
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    def move(i):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.move_org(actor=None, org=towns[2 + i % 2], new_parent=towns[i % 2])
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(6)] + [
        threading.Thread(target=move, args=(i,)) for i in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    nodes = list(Organization.objects.filter(path__startswith=root.path))
    paths = [n.path for n in nodes]
    assert len(paths) == len(set(paths)) == 11
    by_path = {n.path: n for n in nodes}
    for n in nodes:
        if n.depth > 1:
            assert n.path[:-4] in by_path, f"orphan {n.name}"
        assert n.numchild == sum(1 for m in nodes if m.depth == n.depth + 1 and m.path.startswith(n.path))
