"""People whose surname reads otherwise than its character usually does (曾 zēng, 单 shàn …) get their
pinyin keys again, surname reading first (core.pinyin.name_keys): sorting by name and new login names
follow the surname. Only those names are touched; the keys of everyone else are unchanged."""

from django.db import migrations


def recompute(apps, schema_editor):
    from jingpei.core.pinyin import SURNAME_READINGS, name_keys

    Person = apps.get_model("orgs", "Person")
    for surname in SURNAME_READINGS:
        people = list(Person.objects.filter(name__startswith=surname).only("id", "name"))
        for person in people:
            person.pinyin, person.initials = name_keys(person.name)
        Person.objects.bulk_update(people, ["pinyin", "initials"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_person_rank_since")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
