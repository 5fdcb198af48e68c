"""The conversation pages: the applicant's, the attachments, the agents' answer and
the supervisors' answer templates. Thin: parse the form, call one service, render."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.applications.selectors import application_for_applicant, application_for_viewer
from sejour.applications.services import ApplicationError
from sejour.core.http import download_filename
from sejour.core.storage import stored_file_response
from sejour.documents.views import can_frame
from sejour.instruction.views import agent_required, application_view

from . import selectors, services
from .forms import AnswerTemplateForm, MessageForm
from .models import AnswerTemplate


def applicant_context(application, form=None) -> dict:
    """What the application page and the conversation page show of the conversation."""
    return {
        "conversation": selectors.conversation(application),
        "conversation_ended": services.ended_reason(application),
        "message_form": form or MessageForm(),
    }


def conversation(request, reference):
    """The applicant's conversation with the prefecture (or their helper's, with consent)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_applicant:
        raise Http404
    application = application_for_applicant(request, reference)
    if application.filed_at is None:
        raise Http404
    form = MessageForm()
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.message_send(
                    application=application,
                    body=form.cleaned_data["body"],
                    uploaded=form.cleaned_data["attachment"],
                    by=request.user,
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
                status = 400
            else:
                messages.success(request, _("Your message is sent to the prefecture."))
                return redirect(reverse("conversations:conversation", args=[reference]))
        else:
            status = 400
    else:
        services.messages_mark_read(application=application, by=request.user)
    return render(
        request,
        "conversations/conversation.html",
        {"application": application, **applicant_context(application, form)},
        status=status,
    )


def attachment_download(request, reference, attachment_id):
    """An attachment, for the applicant and the competent prefecture's agents only."""
    application = application_for_viewer(request, reference)
    if application.filed_at is None:
        raise Http404
    attachment = selectors.attachment_for(application, attachment_id)
    if attachment is None:
        raise Http404
    return stored_file_response(
        request,
        attachment.file,
        content_type=attachment.content_type,
        as_attachment=not (request.GET.get("inline") == "1" and can_frame(attachment)),
        filename=download_filename(
            Path(attachment.original_name).stem, extension=attachment.extension
        ),
    )


@agent_required
@require_POST
def agent_message(request, reference):
    """An agent answers from the application view."""
    from sejour.instruction.views import _application

    application = _application(request, reference)
    form = MessageForm(request.POST, request.FILES, label=_("Your answer"))
    if form.is_valid():
        try:
            services.message_send(
                application=application,
                body=form.cleaned_data["body"],
                uploaded=form.cleaned_data["attachment"],
                by=request.user,
            )
        except PermissionError:
            raise PermissionDenied from None
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Your answer is sent; the applicant is told by e-mail."))
            return redirect(reverse("instruction:application", args=[reference]) + "#messages")
    return application_view(request, reference, forms={"message": form}, status=400)


# ------------------------------------------------------------ answer templates


def _supervisor(request):
    if request.user.role != User.Role.SUPERVISOR:
        raise PermissionDenied


@agent_required
def templates_list(request):
    """The prefecture's answer templates; supervisors add, change and delete them."""
    _supervisor(request)
    form = AnswerTemplateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_template_save(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Template saved."))
                return redirect("conversations:templates")
        status = 400
    return render(
        request,
        "conversations/templates.html",
        {"templates": selectors.templates_for(request.user.prefecture_id), "form": form},
        status=status,
    )


def _own_template(request, template_id) -> AnswerTemplate:
    """One of the supervisor's prefecture's templates; another prefecture's is 404."""
    return get_object_or_404(
        AnswerTemplate, pk=template_id, prefecture_id=request.user.prefecture_id
    )


@agent_required
def template_edit(request, template_id):
    _supervisor(request)
    template = _own_template(request, template_id)
    form = AnswerTemplateForm(request.POST or None, instance=template)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_template_save(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    template=template,
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, _("Template saved."))
                return redirect("conversations:templates")
        status = 400
    return render(
        request,
        "conversations/template_edit.html",
        {"template": template, "form": form},
        status=status,
    )


@agent_required
@require_POST
def template_delete(request, template_id):
    _supervisor(request)
    services.answer_template_delete(by=request.user, template=_own_template(request, template_id))
    messages.success(request, _("Template deleted."))
    return redirect("conversations:templates")
