from django.db import migrations, models

FIELD = "PDF with scripts or automatic actions"


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
    ]

    operations = [
        # Files kept before PDFs were checked for scripts are not known to be free of
        # them: they are downloaded, never framed. New files get what the check found.
        migrations.AddField(
            model_name="supportingfile",
            name="active_content",
            field=models.BooleanField(default=True, verbose_name=FIELD),
        ),
        migrations.AlterField(
            model_name="supportingfile",
            name="active_content",
            field=models.BooleanField(default=False, verbose_name=FIELD),
        ),
    ]
