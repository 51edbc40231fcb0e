from django.db import migrations, models


class Migration(migrations.Migration):
    """Facts say whether the person page's functions made them (ComplianceFact.special). The facts already
    there are marked special, which is what every fact was treated as before: a list evaluates them again
    with their notes until the next rebuild writes the real flags."""

    dependencies = [("ledger", "0005_fact_pinyin_and_index")]

    operations = [
        migrations.AddField(model_name="compliancefact", name="special", field=models.BooleanField(default=True)),
        migrations.AlterField(model_name="compliancefact", name="special", field=models.BooleanField(default=False)),
    ]
