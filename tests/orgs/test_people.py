from datetime import date

import pytest

from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.orgs import services
from jingpei.orgs.access import reveal_person_numbers
from jingpei.orgs.models import Person
from tests.factories import valid_id


def test_birth_date_and_gender_come_from_the_id(cast):
    number = valid_id(date(1975, 3, 8), male=False)
    person, warnings = services.create_person(
        actor=cast.liaison_a, name="刘 华", id_number=number, primary_org=cast.branch_a, phone="138-0000-2222"
    )
    assert (person.gender, person.birth_date, person.name) == ("F", date(1975, 3, 8), "刘华")
    assert person.id_masked == number[:4] + "*" * 10 + number[-4:]
    assert number not in person.id_cipher and person.reveal_id_number() == number
    assert person.phone_masked == "138****2222"
    assert warnings == []


def test_entered_gender_or_birth_date_must_agree(cast):
    number = valid_id(date(1975, 3, 8), male=True)
    with pytest.raises(DomainError, match="性别与身份证号不一致") as exc:
        services.create_person(
            actor=cast.liaison_a, name="某", id_number=number, primary_org=cast.branch_a, gender="F"
        )
    assert exc.value.field == "gender"
    with pytest.raises(DomainError, match="出生日期与身份证号不一致：身份证号中为 1975-03-08"):
        services.create_person(
            actor=cast.liaison_a,
            name="某",
            id_number=number,
            primary_org=cast.branch_a,
            birth_date=date(1975, 3, 9),
        )
    assert not Person.objects.filter(name="某").exists()


def test_same_id_twice_is_refused_clearly(cast):
    number = cast.person_a.reveal_id_number()
    with pytest.raises(Conflict, match="已登记在另一人员名下") as exc:
        services.create_person(
            actor=cast.liaison_a, name="重复", id_number=number.lower(), primary_org=cast.branch_a
        )
    assert exc.value.field == "id_number"


def test_bad_phone_is_refused(cast):
    with pytest.raises(DomainError, match="手机号 12345 格式不正确"):
        services.create_person(
            actor=cast.liaison_a, name="某", id_number=valid_id(), primary_org=cast.branch_a, phone="12345"
        )


@pytest.mark.parametrize("name", ["张三1", "王 5", "李四２"])
def test_a_name_with_a_digit_is_refused_on_the_name_field(cast, name):
    before = Person.objects.count()
    with pytest.raises(DomainError, match="姓名中不能有数字") as exc:
        services.create_person(actor=cast.liaison_a, name=name, id_number=valid_id(), primary_org=cast.branch_a)
    assert exc.value.field == "name" and Person.objects.count() == before


def test_minority_and_foreign_names_are_kept():
    assert services.clean_person_name(" 买买提·艾力 ") == "买买提·艾力"
    assert services.clean_person_name("Anna  Schmidt") == "Anna Schmidt"


def test_liaison_writes_only_in_own_subtree(cast):
    with pytest.raises(NotAllowed):
        services.create_person(
            actor=cast.liaison_a, name="越界", id_number=valid_id(), primary_org=cast.branch_b
        )
    with pytest.raises(NotAllowed):
        services.update_person(actor=cast.liaison_b, person=cast.person_a, position="书记")


def test_edit_keeps_history_with_masked_numbers(cast):
    new_number = valid_id(date(1981, 1, 2))
    services.update_person(
        actor=cast.liaison_a, person=cast.person_a, position="村党支部书记", id_number=new_number
    )
    row = AuditLog.objects.filter(action="person.update", object_id=str(cast.person_a.pk)).get()
    assert row.after["position"] == "村党支部书记"
    assert new_number not in str(row.after) and row.after["id_number"].count("*") == 10
    assert row.actor == cast.liaison_a


def test_unmasking_needs_the_role_and_is_audited(cast):
    with pytest.raises(NotAllowed):
        reveal_person_numbers(cast.liaison_a, cast.person_a)
    numbers = reveal_person_numbers(cast.officer, cast.person_a)
    assert numbers["phone"] == "13800001111"
    assert AuditLog.objects.filter(action="person.reveal", actor=cast.officer).count() == 1


def test_person_pages_validate_and_keep_input(client_as, cast):
    client = client_as(cast.liaison_a)
    resp = client.post(
        "/people/new/",
        {
            "name": "张三",
            "id_number": "411104197503081235",
            "ethnicity": "汉族",
            "political_status": "masses",
            "primary_org": cast.branch_a.pk,
        },
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "校验位不正确" in body and 'value="张三"' in body
    resp = client.post(
        "/people/new/",
        {
            "name": "张三",
            "id_number": valid_id(),
            "ethnicity": "汉族",
            "political_status": "masses",
            "primary_org": cast.branch_b.pk,
        },
    )
    assert "请从搜索结果中选择您管理范围内的组织" in resp.content.decode()
    assert not Person.objects.filter(name="张三").exists()
    resp = client.post(
        "/people/new/",
        {
            "name": "张三",
            "id_number": valid_id(),
            "ethnicity": "汉族",
            "political_status": "masses",
            "primary_org": cast.branch_a.pk,
        },
    )
    assert resp.status_code == 302 and Person.objects.filter(name="张三").exists()


def test_the_person_form_names_every_wrong_field_at_once(client_as, cast):
    body = client_as(cast.liaison_a).post("/people/new/", {
        "name": "李四4", "id_number": "１２３abc", "phone": "１２３abc", "ethnicity": "汉族",
        "political_status": "masses"}).content.decode()
    assert "姓名中不能有数字（“李四4”），请核对。" in body  # the name…
    assert "请选择组织。" in body  # the organisation left empty…
    assert "身份证号应为 18 位，当前为 6 位，请核对。" in body  # …and the ID number…
    assert "手机号 １２３abc 格式不正确，应为 11 位手机号或固定电话。" in body  # …and the phone, in one answer
    assert not Person.objects.filter(name__startswith="李四").exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wxm", ["王小明"]),
        ("WXM", ["王小明"]),
        ("wangxiao", ["王小明"]),
        ("王小", ["王小明"]),
        ("lf", ["李芳"]),
    ],
)
def test_search_by_name_pinyin_and_initials(client_as, cast, query, expected):
    resp = client_as(cast.liaison_a).get("/api/v1/people/", {"q": query})
    assert [p["name"] for p in resp.json()["items"]] == expected


def test_search_by_last_digits_and_full_id(client_as, cast):
    number = cast.person_a2.reveal_id_number()
    client = client_as(cast.liaison_a)
    assert [p["name"] for p in client.get("/api/v1/people/", {"q": number[-4:]}).json()["items"]] == ["李芳"]
    assert [p["name"] for p in client.get("/api/v1/people/", {"q": number}).json()["items"]] == ["李芳"]
    bad = client.get("/api/v1/people/", {"q": "1234567"})
    assert bad.status_code == 400 and "末尾 1–4 位" in bad.json()["error"]["message"]


def test_secondary_membership_makes_the_person_visible_there(client_as, cast):
    client = client_as(cast.liaison_a)
    resp = client.post(f"/people/{cast.person_a.pk}/memberships/", {"org": cast.branch_b.pk, "action": "add"})
    assert resp.status_code == 302
    assert not cast.person_a.memberships.filter(org=cast.branch_b).exists()  # B is not liaison_a's to use
    officer = client_as(cast.officer)
    officer.post(
        f"/people/{cast.person_a.pk}/memberships/",
        {"org": cast.branch_b.pk, "action": "add", "title": "驻村"},
    )
    assert cast.person_a.memberships.filter(org=cast.branch_b, title="驻村").exists()
    names = [p["name"] for p in client_as(cast.liaison_b).get("/api/v1/people/").json()["items"]]
    assert sorted(names) == ["王小明", "赵秘密"]
    with pytest.raises(DomainError, match="不能移除主要组织"):
        services.remove_membership(actor=cast.officer, person=cast.person_a, org=cast.branch_a)
    services.remove_membership(actor=cast.officer, person=cast.person_a, org=cast.branch_b)
    assert [p["name"] for p in client_as(cast.liaison_b).get("/api/v1/people/").json()["items"]] == ["赵秘密"]


def test_search_keys_fit_their_columns_whatever_the_name():
    from jingpei.core.pinyin import search_keys

    full, initials = search_keys("中国共产党漯河市召陵区委员会组织部干部教育培训中心" * 3)
    assert len(full) <= 300 and len(initials) <= 80
    assert full.startswith(" zhongguogongchandang") and initials.startswith(" zggcd")


def test_a_surname_read_its_own_way_comes_first_and_the_other_reading_still_finds_the_person(client_as, cast):
    from jingpei.core.pinyin import name_keys, search_keys

    assert name_keys("曾国藩") == (" zengguofan cengguofan", " zgf cgf")
    assert name_keys("单雄信")[0].startswith(" shanxiongxin") and name_keys("尉迟恭")[0].startswith(" yuchigong")
    assert name_keys("王小明") == search_keys("王小明")  # most surnames read as their characters do
    assert search_keys("召陵区")[0].startswith(" zhaolingqu")  # places keep the usual reading first
    person, _warnings = services.create_person(actor=cast.liaison_a, name="曾小芳", id_number=valid_id(male=False),
                                               primary_org=cast.branch_a)
    assert person.pinyin.split()[0] == "zengxiaofang"
    client = client_as(cast.liaison_a)
    for query in ("zengxiao", "cengxiao", "zxf"):
        assert "曾小芳" in [p["name"] for p in client.get("/api/v1/people/", {"q": query}).json()["items"]]


def test_the_migration_gives_existing_surnames_their_reading(cast):
    import importlib

    from django.apps import apps

    from jingpei.core.pinyin import search_keys

    migration = importlib.import_module("jingpei.orgs.migrations.0003_person_surname_readings")
    Person.objects.filter(pk=cast.person_a.pk).update(name="单小明", pinyin=search_keys("单小明")[0])
    before = set(Person.objects.exclude(pk=cast.person_a.pk).values_list("pk", "pinyin", "initials"))
    migration.recompute(apps, None)
    assert Person.objects.get(pk=cast.person_a.pk).pinyin.split()[0] == "shanxiaoming"
    assert set(Person.objects.exclude(pk=cast.person_a.pk).values_list("pk", "pinyin", "initials")) == before
