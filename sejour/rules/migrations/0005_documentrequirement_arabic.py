import json
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parents[1] / "data" / "document_requirements.json"


def arabic_fill(apps, schema_editor):
    """Rows made before this migration get the file's Arabic text, when their French
    text is still the file's (an administrator's edit is not translated behind them).
    New rows get theirs from `rules_sync`, which reads the same file."""
    DocumentRequirement = apps.get_model("rules", "DocumentRequirement")
    rows = {row["code"]: row for row in json.loads(DATA.read_text(encoding="utf-8"))}
    using = schema_editor.connection.alias
    for requirement in DocumentRequirement.objects.using(using).filter(label_ar=""):
        row = rows.get(requirement.code)
        if row is None or row["label_fr"] != requirement.label_fr:
            continue
        requirement.label_ar = row.get("label_ar", "")
        if requirement.help_fr == row.get("help_fr", ""):
            requirement.help_ar = row.get("help_ar", "")
        requirement.save(update_fields=["label_ar", "help_ar"])


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0004_sources_and_dated_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentrequirement",
            name="label_ar",
            field=models.CharField(blank=True, max_length=200, verbose_name="label (Arabic)"),
        ),
        migrations.AddField(
            model_name="documentrequirement",
            name="help_ar",
            field=models.TextField(blank=True, verbose_name="guidance (Arabic)"),
        ),
        migrations.RunPython(arabic_fill, migrations.RunPython.noop),
    ]
