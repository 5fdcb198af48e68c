"""The contact form (anyone, from any page) and the support back-office."""

import hashlib
import hmac
import time
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from sejour.accounts import throttle
from sejour.accounts.models import Attempt, User
from sejour.applications.services import ApplicationError
from sejour.core.errors import mark_rate_limited
from sejour.core.http import posted
from sejour.core.storage import stored_file_response
from sejour.rules.services import support_hours

from . import services
from .forms import AssistanceCodeForm, AssistanceForm, ContactForm, TicketAnswerForm
from .middleware import SESSION_KEY
from .models import Screenshot, Ticket


def contact(request):
    initial = {
        "page_url": request.GET.get("depuis") or request.META.get("HTTP_REFERER", ""),
        "happened_at": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
    }
    if request.user.is_authenticated:
        initial.update({"email": request.user.email, "name": request.user.full_name})
    form = ContactForm(posted(request), request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        until = throttle.limits_check(
            kind=Attempt.Kind.CONTACT,
            target=form.cleaned_data["email"],
            target_limit=settings.RATE_LIMIT_CONTACTS_PER_TARGET,
            address=throttle.client_address(request),
            address_limit=settings.RATE_LIMIT_CONTACTS_PER_ADDRESS,
        )
        if until is not None:
            form.add_error(
                None,
                _("Too many messages. Please try again after %(time)s.")
                % {"time": date_format(timezone.localtime(until), "H:i")},
            )
            mark_rate_limited(request, until)
        else:
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    category=data["category"],
                    message=data["message"],
                    email=data["email"],
                    name=data["name"],
                    page_url=data["page_url"],
                    happened_at=data["happened_at"],
                    screenshots=data["screenshots"],
                    user=request.user,
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                return render(request, "support/contact_sent.html", {"ticket": ticket})
    return render(
        request,
        "support/contact.html",
        {
            "form": form,
            "support_phone": settings.SUPPORT_PHONE,
            "hours": support_hours(timezone.localdate()),
        },
    )


def support_required(view):
    """Support agents, logged in through the agents' door with their second factor."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("instruction:login"))
        if user.role != User.Role.SUPPORT:
            raise PermissionDenied
        if not user.is_verified():
            return redirect_to_login(request.get_full_path(), reverse("instruction:login"))
        return view(request, *args, **kwargs)

    return wrapper


@support_required
def tickets(request):
    status = request.GET.get("status", Ticket.Status.OPEN)
    queryset = Ticket.objects.select_related("user").order_by("-created_at")
    if status in Ticket.Status.values:
        queryset = queryset.filter(status=status)
    return render(
        request,
        "support/tickets.html",
        {"tickets": queryset[:200], "status": status, "statuses": Ticket.Status.choices},
    )


@support_required
def ticket(request, reference):
    ticket = get_object_or_404(Ticket.objects.select_related("user"), reference=reference)
    form = TicketAnswerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_answer(
                ticket=ticket, message=form.cleaned_data["message"], by=request.user
            )
        except ApplicationError as error:
            form.add_error("message" if error.field == "message" else None, str(error))
        else:
            messages.success(request, _("Your answer is sent by e-mail."))
            return redirect("support:ticket", reference=reference)
    return render(
        request,
        "support/ticket.html",
        {
            "ticket": ticket,
            "form": form,
            "replies": ticket.replies.select_related("author"),
            "screenshots": ticket.screenshots.all(),
        },
    )


@support_required
@require_POST
def ticket_close(request, reference):
    ticket = get_object_or_404(Ticket, reference=reference)
    services.ticket_close(ticket=ticket, by=request.user)
    messages.success(request, _("Ticket closed."))
    return redirect("support:tickets")


@support_required
@csp_override({**settings.SECURE_CSP, "sandbox": True})  # shown inline: sandboxed like documents
def screenshot(request, reference, pk):
    shot = get_object_or_404(Screenshot, ticket__reference=reference, pk=pk)
    return stored_file_response(
        request, shot.file, content_type=shot.content_type, as_attachment=False
    )


PENDING_ASSISTANCE = "assistance_pending"
CODE_TRIES = 3
CODE_MINUTES = 15


@support_required
def assistance(request):
    """Assisted filing: the person is present, consents, and reads out a code sent to
    their e-mail address; only then does the agent act in their space."""
    pending = request.session.get(PENDING_ASSISTANCE)
    if request.method == "POST" and "code" in request.POST and pending:
        code_form = AssistanceCodeForm(request.POST)
        if time.time() > pending["expires"] or pending["tries"] >= CODE_TRIES:
            del request.session[PENDING_ASSISTANCE]
            messages.error(
                request, _("The code has expired or too many wrong codes were typed. Start again.")
            )
            return redirect("support:assistance")
        if code_form.is_valid():
            typed = "".join(code_form.cleaned_data["code"].split())
            digest = hashlib.sha256(f"{pending['foreign_number']}:{typed}".encode()).hexdigest()
            if hmac.compare_digest(digest, pending["code_hash"]):
                return _assistance_open(request, pending)
            pending["tries"] += 1
            request.session[PENDING_ASSISTANCE] = pending
            code_form.add_error(
                "code", _("This is not the code we sent. Check it with the person.")
            )
        return render(
            request, "support/assistance_code.html", {"form": code_form, "email": pending["email"]}
        )
    form = AssistanceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            code_hash, address = services.assistance_code_send(
                foreign_number=data["foreign_number"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                email=data["email"],
                consent=data["consent"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            request.session[PENDING_ASSISTANCE] = {
                "foreign_number": data["foreign_number"],
                "valid_from": data["valid_from"].isoformat(),
                "valid_until": data["valid_until"].isoformat(),
                "email": address,
                "code_hash": code_hash,
                "expires": time.time() + CODE_MINUTES * 60,
                "tries": 0,
            }
            return render(
                request,
                "support/assistance_code.html",
                {"form": AssistanceCodeForm(), "email": address},
            )
    return render(request, "support/assistance.html", {"form": form})


def _assistance_open(request, pending):
    del request.session[PENDING_ASSISTANCE]
    try:
        user = services.assistance_start(
            support_agent=request.user,
            foreign_number=pending["foreign_number"],
            valid_from=date.fromisoformat(pending["valid_from"]),
            valid_until=date.fromisoformat(pending["valid_until"]),
            email=pending["email"],
            consent=True,
        )
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("support:assistance")
    support_agent = request.user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = support_agent.identifier
    request.session["assisted_by_name"] = support_agent.full_name
    messages.info(request, _("You are now filing on behalf of this person."))
    return redirect("applications:new")


@require_POST
def assistance_end(request):
    """Leave the person's space; the support agent logs in again with their own factor."""
    assistant = request.session.get(SESSION_KEY)
    if assistant and request.user.is_authenticated:
        support_agent = User.objects.filter(identifier=assistant, role=User.Role.SUPPORT).first()
        if support_agent:
            services.assistance_end(support_agent=support_agent, user=request.user)
    logout(request)
    messages.info(request, _("Assistance ended. Log in again to go back to the support tools."))
    return redirect("instruction:login")
