from django.utils import timezone

from sejour.applications.models import Application, Status
from sejour.registry.models import Prefecture
from sejour.rules.models import Procedure


def application_for(
    user, *, status=Status.FILED, ends_on=None, procedure=Procedure.RENEWAL, **fields
):
    """An application in a given state, written directly (these tests read, they don't file)."""
    from sejour.applications.services import current_document_for

    document = current_document_for(user)
    filed = status != Status.DRAFT
    return Application.objects.create(
        applicant=user,
        procedure=procedure,
        motive=document.motive,
        status=status,
        prefecture=Prefecture.objects.get(department_code="75"),
        current_document={"kind": document.kind, "number": document.number},
        current_document_ends_on=ends_on or document.valid_until,
        filed_at=timezone.now() if filed else None,
        **fields,
    )
