from contextvars import ContextVar

from django.db import transaction

from .models import AuditEvent

# Set while a support agent files on someone's behalf (see sejour.support.middleware):
# every event recorded meanwhile says who really acted.
on_behalf_by: ContextVar[str | None] = ContextVar("on_behalf_by", default=None)
# The same agent's name, which is what histories show (never the agent's login).
on_behalf_by_name: ContextVar[str | None] = ContextVar("on_behalf_by_name", default=None)


def audit_record(
    *,
    action: str,
    actor=None,
    subject=None,
    reason: str = "",
    ip_address: str | None = None,
    data: dict | None = None,
    application=None,
    from_status: str = "",
    to_status: str = "",
    visible_to_applicant: bool = True,
) -> AuditEvent:
    """Write an audit event; callers run it inside the transaction of the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run in the transaction of the change it records.")
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        subject=subject,
        reason=reason,
        ip_address=ip_address,
        data={
            **(data or {}),
            **({"on_behalf_by": on_behalf_by.get()} if on_behalf_by.get() else {}),
            **({"on_behalf_by_name": on_behalf_by_name.get()} if on_behalf_by.get() else {}),
        },
        application=application,
        from_status=from_status,
        to_status=to_status,
        visible_to_applicant=visible_to_applicant,
    )
