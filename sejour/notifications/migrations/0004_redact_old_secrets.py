"""Messages written before secrets were kept apart hold them in their body: remove them.

Only messages that have left (sent or given up) are changed; one still waiting is
sent as it was written, once.
"""

import re

from django.db import migrations

REMOVED = "[secret removed]"
LINKS = re.compile(r"https?://\S*/(?:compte/verifier|connexion/visa|mot-de-passe/nouveau)/\S+")
TEMPORARY_PASSWORD = re.compile(r"(Temporary password:|Mot de passe temporaire\s*:)[ \t]*\S+")
CODE = re.compile(r"\b\d{6}\b")
CODE_SUBJECTS = (
    "Séjour: your code to let a support agent help you",
    "Séjour : votre code pour être aidé par un agent du support",
)


def redact(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    for message in OutboxMessage.objects.exclude(status="pending").iterator(chunk_size=500):
        body = LINKS.sub(REMOVED, message.body)
        body = TEMPORARY_PASSWORD.sub(rf"\1 {REMOVED}", body)
        if message.subject in CODE_SUBJECTS:
            body = CODE.sub(REMOVED, body)
        if body != message.body:
            OutboxMessage.objects.filter(pk=message.pk).update(body=body)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_outbox_secrets")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
