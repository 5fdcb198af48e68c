import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_returning_mark"),
    ]

    operations = [
        # The row's time now moves with its cookie; existing rows keep the time they had.
        migrations.RenameField(
            model_name="returningmark", old_name="created_at", new_name="refreshed_at"
        ),
        migrations.AlterField(
            model_name="returningmark",
            name="refreshed_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
    ]
