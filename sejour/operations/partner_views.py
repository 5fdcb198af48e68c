"""Supervisors register the partner addresses of their département (audited)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.core.http import posted
from sejour.instruction.views import agent_required

from .forms import PartnerAddressForm
from .models import PartnerAddress
from .partners import PartnerAddressError, partner_address_add, partner_address_remove


def supervisor_required(view):
    """A supervisor with the second factor; other agents 403 (agent_required does the rest)."""

    @agent_required
    def wrapper(request, *args, **kwargs):
        if request.user.role != User.Role.SUPERVISOR:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@supervisor_required
def partner_addresses(request):
    form = PartnerAddressForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            partner_address_add(by=request.user, **form.cleaned_data)
        except PartnerAddressError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("The partner address is registered."))
            return redirect("operations:partner_addresses")
    partners = PartnerAddress.objects.filter(
        prefecture=request.user.prefecture, removed_at__isnull=True
    ).select_related("created_by")
    return render(
        request,
        "operations/partner_addresses.html",
        {"form": form, "partners": partners, "prefecture": request.user.prefecture},
    )


@require_POST
@supervisor_required
def partner_address_remove_view(request, pk):
    # Another prefecture's partner does not exist for this supervisor.
    partner = get_object_or_404(
        PartnerAddress, pk=pk, prefecture=request.user.prefecture, removed_at__isnull=True
    )
    partner_address_remove(partner=partner, by=request.user)
    messages.success(request, _("The partner address is removed: the usual limits apply again."))
    return redirect("operations:partner_addresses")
