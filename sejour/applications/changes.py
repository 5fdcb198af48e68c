"""“I declare a change of situation”: a change of address, or a lost, stolen or
damaged permit. Both become applications with their own steps, and go through
the same wizard, documents, state machine and back-office."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sejour.rules.models import Procedure
from sejour.rules.services import document_requirements, fee_breakdown

from . import services
from .forms import DeclarationForm
from .views import _applicant_only


@_applicant_only
def start(request):
    return render(request, "applications/changes/start.html")


def _page(request, procedure, template):
    today = timezone.localdate()
    document = services.current_document_for(request.user) if request.user.identifier else None
    refusal = services.change_refusal(applicant=request.user, procedure=procedure, today=today)
    renewal_redirect = (
        procedure == Procedure.DUPLICATE
        and document is not None
        and document.valid_until >= today
        and (document.valid_until - today).days < services.DUPLICATE_REDIRECT_DAYS
    )
    declaration_form = None
    if renewal_redirect:
        declaration_form = DeclarationForm(request.POST or None)
        if request.method == "POST" and declaration_form.is_valid():
            try:
                services.loss_declare_before_renewal(
                    applicant=request.user, answers=declaration_form.json_data(), today=today
                )
            except services.ApplicationError as error:
                messages.error(request, str(error))
                return redirect(request.path)
            messages.success(
                request,
                _(
                    "Your declaration is recorded. Now apply for the renewal of your permit: "
                    "it gives you a new one."
                ),
            )
            return redirect("applications:new")
    if request.method == "POST" and not refusal:
        try:
            application = services.application_start_change(
                applicant=request.user, procedure=procedure
            )
        except services.ApplicationError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        return redirect(
            "applications:step",
            reference=application.reference,
            slug=services.next_step(application),
        )
    return render(
        request,
        template,
        {
            "document": document,
            "refusal": refusal,
            "short_permit": bool(
                document
                and services.valid_for_less_than_a_year(document.valid_from, document.valid_until)
            ),
            "renewal_redirect": renewal_redirect,
            "declaration_form": declaration_form,
            "requirements": document_requirements(
                motive=document.motive, procedure=procedure, on=today
            )
            if document
            else [],
            "fees": fee_breakdown(
                procedure=procedure,
                motive=document.motive if document else "",
                late=False,
                on=today,
            ),
        },
    )


@_applicant_only
def address(request):
    return _page(request, Procedure.ADDRESS_CHANGE, "applications/changes/address.html")


@_applicant_only
def loss(request):
    return _page(request, Procedure.DUPLICATE, "applications/changes/loss.html")
