"""The applicant's side of an application: choose, fill in, send, follow, correct."""

import contextlib
import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from sejour.attestations.pdf import pdf_render
from sejour.core.http import content_disposition, download_filename, posted
from sejour.registry.adapter import ONLINE_MOTIVES, get_registry
from sejour.registry.models import DocumentKind, Motive
from sejour.rules.models import Procedure
from sejour.rules.services import (
    document_requirements,
    fee_breakdown,
    filing_window,
    motive_rule,
    procedure_for,
    wizard_steps,
)

from . import pending, services
from .forms import (
    MOTIVE_FORMS,
    AddressCardForm,
    ConfirmForm,
    DeclarationForm,
    EphotoForm,
    PermitChoiceForm,
    PersonalForm,
    ResourcesForm,
    UploadForm,
    WithdrawForm,
)
from .models import APPLICANT_STAGES, Application, Status
from .selectors import (
    answers_display,
    application_for_applicant,
    documents_history,
    files_by_requirement,
    timeline,
)
from .states import APPLICANT, actions_for

EDITABLE_STEPS = services.ANSWER_STEPS
logger = logging.getLogger(__name__)


def _applicant_only(view):
    """Applicants only: staff have their own back-office.

    A step sent after the session expired is kept, not lost: what was typed waits
    in the new session and fills the form again once the person has logged in
    (only for someone who was logged in in this browser: see ``pending.py``).
    """

    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST" and request.resolver_match.url_name == "step":
                pending.pending_step_keep(request)
            return redirect_to_login(request.get_full_path())
        if not request.user.is_applicant:
            raise Http404
        response = view(request, *args, **kwargs)
        pending.returning_mark(request, response)
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_applicant_only
def dashboard(request):
    applications = (
        Application.objects.filter(applicant=request.user)
        .exclude(status=Status.WITHDRAWN, filed_at__isnull=True)
        .select_related("prefecture")
        .order_by("-created_at")
    )
    for application in applications:
        application.resume_step = services.next_step(application) if application.is_draft else None
    return render(
        request,
        "applications/dashboard.html",
        {"applications": applications, "stages": APPLICANT_STAGES},
    )


def _window_for(document, today):
    return filing_window(
        document_kind=document.kind,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        today=today,
    )


@_applicant_only
def new(request):
    """The procedure chooser: which permit the person asks for, and whether it is filed
    here. Every motive is offered; one not open online is answered with where to apply
    (decision 0010), whatever the document held."""
    document = services.current_document_for(request.user)
    window = _window_for(document, timezone.localdate()) if document else None
    prefecture = (
        get_registry().prefecture_for_postcode(document.person.postcode) if document else None
    )
    chosen = "choose" in request.GET or "motive" in request.GET
    form = PermitChoiceForm(request.GET if chosen else None)
    refused_motive = ""
    if document and document.opens_account and window.is_open and form.is_valid():
        motive = form.cleaned_data["motive"]
        if document.allows_application_for(motive):
            return redirect("applications:presentation", motive=motive)
        refused_motive = Motive(motive).label
    return render(
        request,
        "applications/new.html",
        {
            "document": document,
            "window": window,
            "too_early_message": services.window_refusal(window)
            if window and not window.is_open
            else "",
            "form": form,
            "refused_motive": refused_motive,
            "procedure": Procedure(procedure_for(document.kind)).label if document else "",
            "after_vls_ts": bool(document and document.kind == DocumentKind.VLS_TS),
            "prefecture": prefecture,
        },
    )


def _motive_or_404(motive: str) -> str:
    if motive not in ONLINE_MOTIVES:
        raise Http404
    return motive


@_applicant_only
def presentation(request, motive):
    """What the procedure asks for, before starting; POST starts (or resumes) it."""
    if motive in Motive.values and motive not in ONLINE_MOTIVES:
        # A permit not asked for online: the chooser says where to apply instead.
        return redirect(f"{reverse('applications:new')}?motive={motive}")
    motive = _motive_or_404(motive)
    document = services.current_document_for(request.user)
    if document is None or not document.allows_application_for(motive):
        return redirect("applications:new")
    today = timezone.localdate()
    window = _window_for(document, today)
    procedure = procedure_for(document.kind)
    if request.method == "POST":
        try:
            application = services.application_start(applicant=request.user, motive=motive)
        except services.ApplicationError as error:
            messages.error(request, str(error))
            return redirect("applications:presentation", motive=motive)
        return redirect(
            "applications:step",
            reference=application.reference,
            slug=services.next_step(application),
        )
    return render(
        request,
        "applications/presentation.html",
        {
            "motive": motive,
            "motive_label": Motive(motive).label,
            "procedure": procedure,
            "procedure_label": Procedure(procedure).label,
            "after_vls_ts": document.kind == DocumentKind.VLS_TS,
            "steps": wizard_steps(motive=motive, on=today, procedure=procedure),
            "requirements": document_requirements(motive=motive, procedure=procedure, on=today),
            "window": window,
            "too_early_message": "" if window.is_open else services.window_refusal(window),
            "fees": fee_breakdown(
                procedure=procedure, motive=motive, late=window.is_late, on=today
            ),
        },
    )


def requirements_pdf(request, motive, procedure):
    """The list of supporting documents, to download or print before starting."""
    motive = _motive_or_404(motive)
    if procedure not in Procedure.values:
        raise Http404
    today = timezone.localdate()
    content = pdf_render(
        "pdf/requirements.html",
        {
            "motive_label": Motive(motive).label,
            "procedure_label": Procedure(procedure).label,
            "requirements": document_requirements(motive=motive, procedure=procedure, on=today),
            "today": today,
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        download_filename(
            pgettext("file name", "documents-to-provide"),
            Motive(motive).label,
            Procedure(procedure).label,
            extension="pdf",
        )
    )
    return response


def _step_context(application, slug):
    steps = wizard_steps(
        motive=application.motive, on=application.created_at.date(), procedure=application.procedure
    )
    index = [step.slug for step in steps].index(slug)
    return {
        "application": application,
        "steps": steps,
        "step": steps[index],
        "step_number": index + 1,
        "step_count": len(steps),
        "next_step": steps[index + 1] if index + 1 < len(steps) else None,
        "previous_step": steps[index - 1] if index > 0 else None,
        "after_filing": not application.is_draft,
        "session_ends_at": timezone.localtime() + timedelta(seconds=settings.SESSION_COOKIE_AGE),
    }


def _form_class(application, slug):
    if slug == "motive":
        return MOTIVE_FORMS[application.motive]
    return {
        "personal": PersonalForm,
        "resources": ResourcesForm,
        "card": AddressCardForm,
        "declaration": DeclarationForm,
    }[slug]


@_applicant_only
def step(request, reference, slug):
    application = application_for_applicant(request, reference)
    slugs = services.step_slugs(application)
    if slug not in slugs:
        raise Http404
    if not application.is_draft:
        editable = any(t.action == "correct" for t in actions_for(application.status, APPLICANT))
        # What decides the fee, the photo or the documents asked is fixed once sent.
        correctable = ("personal", "motive", "resources", "documents")
        if slug not in correctable or not editable:
            return redirect("applications:detail", reference=reference)
    elif slugs.index(slug) > slugs.index(services.next_step(application)):
        # No skipping ahead: resume where the person stopped.
        return redirect(
            "applications:step", reference=reference, slug=services.next_step(application)
        )
    if slug in EDITABLE_STEPS:
        return _answers_step(request, application, slug)
    if slug == "documents":
        return _documents_step(request, application)
    if slug == "summary":
        return _summary_step(request, application)
    return _confirmation_step(request, application)


def _after_save(application, slug):
    if not application.is_draft:
        return redirect("applications:detail", reference=application.reference)
    slugs = services.step_slugs(application)
    return redirect(
        "applications:step", reference=application.reference, slug=slugs[slugs.index(slug) + 1]
    )


def _answers_step(request, application, slug):
    form_class = _form_class(application, slug)
    initial = application.answers.get(slug, {})
    typed = pending.pending_step_take(request) if request.method == "GET" else None
    if typed is not None:
        initial = {
            key: values if len(values) > 1 or key == "sources" else values[0]
            for key, values in typed.items()
        }
        messages.info(
            request, _("Your session had ended: here is what you typed. Check it and save.")
        )
    form = form_class(posted(request), initial=initial)
    if slug == "personal" and not application.is_draft:
        # Once filed, the address no longer picks the prefecture (see `_prefecture_kept`).
        # The bound field was made when the form was, so it gets the text too.
        form["address"].help_text = form.fields["address"].help_text = _(
            "Correct a mistake here. If you have moved to another département, declare a "
            "change of address instead: a correction does not change your prefecture."
        )
    context = _step_context(application, slug)
    if slug == "resources":
        rule = motive_rule(application.motive, application.created_at.date())
        context["threshold_euros"] = rule.monthly_resources_cents // 100
    if request.method == "POST" and form.is_valid():
        data = form.json_data()
        try:
            if application.is_draft:
                application = services.application_step_save(
                    application=application, step=slug, data=data, by=request.user
                )
            else:
                application = services.application_correct(
                    application=application, step=slug, data=data, by=request.user
                )
                messages.success(
                    request, _("Your correction is saved and the prefecture can see it.")
                )
        except services.ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.html)
        except DatabaseError:
            logger.exception("Step %s of %s not saved", slug, application.reference)
            form.add_error(
                None,
                _(
                    "We could not save this step just now. What you typed is still below and "
                    "your earlier steps are safe: try again in a moment."
                ),
            )
            context["form"] = form
            return render(request, "applications/step_form.html", context, status=503)
        else:
            if (
                slug == "resources"
                and Decimal(data["monthly_amount"]) * 100 < context["threshold_euros"] * 100
            ):
                messages.warning(
                    request,
                    _(
                        "Your resources are below the amount usually expected "
                        "(%(amount)d € a month). "
                        "You can still apply: add any document that explains your situation."
                    )
                    % {"amount": context["threshold_euros"]},
                )
            return _after_save(application, slug)
    context["form"] = form
    return render(request, "applications/step_form.html", context)


def _documents_step(request, application, upload_forms=None, ephoto_form=None, status=200):
    context = _step_context(application, "documents")
    problems = []
    if (
        request.method == "POST"
        and upload_forms is None
        and ephoto_form is None
        and application.is_draft
    ):
        missing = services.missing_requirements(application)
        problems = [_("Missing document: %(label)s") % {"label": r.label} for r in missing]
        if services.needs_ephoto(application) and not application.ephoto_code:
            problems.append(_("Give your e-photo code."))
        if not problems:
            application = services.application_step_save(
                application=application, step="documents", data={}, by=request.user
            )
            return _after_save(application, "documents")
        status = 200
    upload_forms = upload_forms or {}
    requirements = document_requirements(
        motive=application.motive, procedure=application.procedure, on=application.created_at.date()
    )
    files = files_by_requirement(application)
    context.update(
        {
            "requirements": [
                {
                    "requirement": requirement,
                    "files": files.get(requirement.code, []),
                    "form": upload_forms.get(requirement.code)
                    or UploadForm(prefix=requirement.code),
                }
                for requirement in requirements
            ],
            "ephoto_form": ephoto_form or EphotoForm(initial={"code": application.ephoto_code}),
            "problems": problems,
            "needs_ephoto": services.needs_ephoto(application),
            "upload_limit_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        }
    )
    return render(request, "applications/step_documents.html", context, status=status)


@_applicant_only
@require_POST
def file_upload(request, reference, code):
    application = application_for_applicant(request, reference)
    form = UploadForm(request.POST, request.FILES, prefix=code)
    if form.is_valid():
        from sejour.documents.services import file_add

        try:
            file_add(
                application=application,
                requirement_code=code,
                uploaded=form.cleaned_data["file"],
                is_letter=form.cleaned_data["is_letter"],
                by=request.user,
            )
        except services.ApplicationError as error:
            form.add_error("file", str(error))
        except Exception:
            # Storage down or full: nothing half-saved (file_add cleans up), a clear message.
            form.add_error(
                "file",
                _("We could not save this file. Nothing else is lost: try again in a few minutes."),
            )
        else:
            messages.success(request, _("Your file is added."))
            if application.status == Status.WAITING_APPLICANT:
                return redirect(
                    reverse("applications:complement", args=[reference]) + f"#req-{code}"
                )
            return redirect(
                reverse("applications:step", args=[reference, "documents"]) + f"#req-{code}"
            )
    return _documents_step(request, application, upload_forms={code: form}, status=400)


@_applicant_only
@require_POST
def file_remove(request, reference, file_id):
    from sejour.documents.services import file_remove as remove

    application = application_for_applicant(request, reference)
    supporting_file = get_object_or_404(application.files, pk=file_id)
    try:
        remove(supporting_file=supporting_file, by=request.user)
    except services.TransitionNotAllowed:
        raise Http404 from None
    messages.success(request, _("The file is removed. It stays listed in the history."))
    if application.status == Status.WAITING_APPLICANT:
        return redirect(reverse("applications:complement", args=[reference]))
    return redirect(
        reverse("applications:step", args=[reference, "documents"])
        + f"#req-{supporting_file.requirement_code}"
    )


@_applicant_only
@require_POST
def ephoto(request, reference):
    application = application_for_applicant(request, reference)
    form = EphotoForm(request.POST)
    if form.is_valid():
        try:
            services.application_ephoto_set(
                application=application, code=form.cleaned_data["code"], by=request.user
            )
        except services.ApplicationError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("Your e-photo code is accepted."))
            return redirect(reverse("applications:step", args=[reference, "documents"]) + "#ephoto")
    return _documents_step(request, application, ephoto_form=form, status=400)


def _summary_step(request, application):
    if request.method == "POST":
        application = services.application_step_save(
            application=application, step="summary", data={}, by=request.user
        )
        return _after_save(application, "summary")
    context = _step_context(application, "summary")
    files = files_by_requirement(application)  # one query, not one per document
    context.update(
        {
            "answers": answers_display(application),
            "requirements": [
                {
                    "requirement": requirement,
                    "files": files.get(requirement.code, []),
                }
                for requirement in document_requirements(
                    motive=application.motive,
                    procedure=application.procedure,
                    on=application.created_at.date(),
                )
            ],
        }
    )
    return render(request, "applications/step_summary.html", context)


def _confirmation_step(request, application):
    form = ConfirmForm(posted(request))
    context = _step_context(application, "confirmation")
    document = application.current_document
    today = timezone.localdate()
    window = filing_window(
        document_kind=document["kind"],
        valid_from=date.fromisoformat(document["valid_from"]),
        valid_until=application.current_document_ends_on,
        today=today,
    )
    context["window"] = window
    context["fees"] = fee_breakdown(
        procedure=application.procedure, motive=application.motive, late=window.is_late, on=today
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(application=application, by=request.user)
        except services.ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Your application is filed. Your attestation of filing will be in your "
                    "account and in your e-mail within a few minutes."
                ),
            )
            return redirect("applications:detail", reference=application.reference)
    context["form"] = form
    return render(request, "applications/step_confirmation.html", context)


@_applicant_only
def detail(request, reference):
    application = application_for_applicant(request, reference)
    if application.is_draft:
        return redirect(
            "applications:step", reference=reference, slug=services.next_step(application)
        )
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "stages": APPLICANT_STAGES,
            "timeline": timeline(application),
            "documents": documents_history(application),
            "attestations": application.attestations.all(),
            "actions": [t.action for t in actions_for(application.status, APPLICANT)],
            **_conversation_context(request, application),
            "fees": fee_breakdown(
                procedure=application.procedure,
                motive=application.motive,
                late=application.late,
                on=timezone.localdate(),
            ),
        },
    )


def _conversation_context(request, application) -> dict:
    """The conversation with the prefecture, written from this page (its own app)."""
    from sejour.conversations import services as conversation_services
    from sejour.conversations.views import applicant_context

    conversation_services.messages_mark_read(application=application, by=request.user)
    return applicant_context(application)


@_applicant_only
def withdraw(request, reference):
    application = application_for_applicant(request, reference)
    form = WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.TransitionNotAllowed:
            form.add_error(None, _("This application can no longer be withdrawn."))
        else:
            messages.success(request, _("Your application is withdrawn."))
            return redirect("applications:dashboard")
    return render(request, "applications/withdraw.html", {"application": application, "form": form})


@_applicant_only
def complement(request, reference):
    """Answer the prefecture's request: keep, replace or add documents, then send."""
    from sejour.instruction.services import complement_answer, open_complement

    application = application_for_applicant(request, reference)
    request_ = open_complement(application)
    if application.status != Status.WAITING_APPLICANT or request_ is None:
        return redirect("applications:detail", reference=reference)
    if request.method == "POST":
        # A second click finds the answer already sent: nothing more to do.
        with contextlib.suppress(services.TransitionNotAllowed):
            complement_answer(application=application, by=request.user)
        messages.success(
            request, _("Your answer is sent. The prefecture goes on examining your application.")
        )
        return redirect("applications:detail", reference=reference)
    requirements = {
        r.code: r
        for r in document_requirements(
            motive=application.motive,
            procedure=application.procedure,
            on=application.created_at.date(),
        )
    }
    files = files_by_requirement(application)
    return render(
        request,
        "applications/complement.html",
        {
            "application": application,
            "complement": request_,
            "items": [
                {
                    "requirement": requirements[item["code"]],
                    "problem": item["problem"],
                    "files": files.get(item["code"], []),
                    "form": UploadForm(prefix=item["code"]),
                }
                for item in request_.items
                if item["code"] in requirements
            ],
        },
    )
