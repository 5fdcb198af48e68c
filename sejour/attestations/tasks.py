from django.tasks import task

from .services import attestation_after_decision, attestation_filing_issue, coverage_ensure_all


@task
def issue_filing_attestation(application_id: int) -> None:
    attestation_filing_issue(application_id=application_id)


@task
def issue_after_decision(application_id: int, work: str) -> None:
    """ADP/ADF coverage ("cover"), or the attestation of address, or the decision letter."""
    attestation_after_decision(application_id=application_id, work=work)


@task
def ensure_coverage() -> int:
    """Daily: ADPs and ADFs issued or renewed before any gap."""
    return coverage_ensure_all()
