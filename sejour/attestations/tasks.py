from django.tasks import task

from .services import attestation_filing_issue


@task
def issue_filing_attestation(application_id: int) -> None:
    attestation_filing_issue(application_id=application_id)
