"""Issue 16 §3: every rule carries its source; figures as dated data; the agents'
legal deadline becomes the implicit refusal of CESEDA R.432-2 (4 months, not 90 days).

The rows shipped with wrong values are corrected here when nobody edited them since
(an administrator's edit is kept); the rows that are new in data/*.json are created by
the post-migrate sync (`rules_sync`), as always."""

from django.db import migrations, models

# code → (field, shipped wrong value, right value, source)
CORRECTIONS = {
    "Fee": [
        (
            "tax_duplicate",
            "amount_cents",
            2500,
            20000,
            "CESEDA L.436-1 (the tax is due on a duplicate at the renewal rate; "
            "service-public.fr F21032 / F22312: tax + stamp duty) and loi de finances "
            "pour 2026 art. 128; rate for 2026 to confirm",
        ),
    ],
    "MotiveRule": [
        (
            "visitor_2026-01-01",
            "monthly_resources_cents",
            142600,
            144311,
            "CESEDA L.426-20 (at least the net minimum wage); SMIC raised 1.18 % on "
            "1 January 2026 (gross 1 823,03 €, net 1 443,11 €; decree of December 2025, "
            "number to confirm)",
        ),
    ],
}


def correct_shipped_values(apps, schema_editor):
    db = schema_editor.connection.alias
    for model_name, rows in CORRECTIONS.items():
        model = apps.get_model("rules", model_name)
        for code, field, wrong, right, source in rows:
            model.objects.using(db).filter(code=code, **{field: wrong}).update(
                **{field: right, "source": source}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0003_alter_fee_procedure"),
    ]

    operations = [
        *[
            migrations.AddField(
                model_name=name,
                name="source",
                field=models.CharField(blank=True, max_length=300, verbose_name="source"),
            )
            for name in (
                "documentrequirement",
                "fee",
                "filingwindow",
                "instructionrule",
                "motiverule",
            )
        ],
        migrations.RemoveField(model_name="instructionrule", name="legal_days"),
        migrations.AddField(
            model_name="instructionrule",
            name="implicit_refusal_months",
            field=models.PositiveSmallIntegerField(
                default=4, verbose_name="silence is an implicit refusal after (months)"
            ),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="Figure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                ("effective_from", models.DateField(verbose_name="applies from")),
                (
                    "effective_until",
                    models.DateField(
                        blank=True, null=True, verbose_name="applies until (excluded)"
                    ),
                ),
                (
                    "source",
                    models.CharField(blank=True, max_length=300, verbose_name="source"),
                ),
                ("name", models.SlugField(max_length=60, verbose_name="name")),
                ("value", models.JSONField(verbose_name="value")),
            ],
            options={
                "verbose_name": "figure",
                "verbose_name_plural": "figures",
                "ordering": ["name", "-effective_from"],
            },
        ),
        migrations.RunPython(correct_shipped_values, migrations.RunPython.noop),
    ]
