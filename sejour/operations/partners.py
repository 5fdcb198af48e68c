"""Partner addresses: which registered network an address belongs to, and the services
that register and remove them (audited, one transaction each)."""

from ipaddress import ip_address, ip_network

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sejour.audit.services import audit_record

from .models import PartnerAddress

# Wider than this is not "a place": a /16 would be a whole provider.
NARROWEST_PREFIX = {4: 24, 6: 48}


class PartnerAddressError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def network_normalise(value: str) -> str:
    """ "192.0.2.7" → "192.0.2.7/32"; refuses what is not an address or is too wide."""
    try:
        network = ip_network(value.strip(), strict=False)
    except ValueError as error:
        raise PartnerAddressError(
            _("Enter an IP address (192.0.2.10) or a network (192.0.2.0/28)."), "network"
        ) from error
    if network.prefixlen < NARROWEST_PREFIX[network.version]:
        raise PartnerAddressError(
            _("This network is too wide for one place: at most /%(prefix)s.")
            % {"prefix": NARROWEST_PREFIX[network.version]},
            "network",
        )
    if network.is_private or network.is_loopback or network.is_unspecified:
        # Behind the proxy every visitor would look local: only public addresses are places.
        raise PartnerAddressError(_("Enter the place's public address."), "network")
    return str(network)


def partner_for_address(address: str) -> PartnerAddress | None:
    """The partner whose network holds this address (the narrowest if several)."""
    try:
        candidate = ip_address(address)
    except ValueError:
        return None
    matches = [
        partner
        for partner in PartnerAddress.objects.filter(removed_at__isnull=True)
        if candidate in ip_network(partner.network)
    ]
    return max(matches, key=lambda p: ip_network(p.network).prefixlen, default=None)


def partner_address_add(*, name: str, network: str, ceiling: int, by) -> PartnerAddress:
    network = network_normalise(network)
    if not 1 <= ceiling <= settings.PARTNER_CEILING_MAX:
        raise PartnerAddressError(
            _("Choose a number between 1 and %(max)s.") % {"max": settings.PARTNER_CEILING_MAX},
            "ceiling",
        )
    with transaction.atomic():
        if PartnerAddress.objects.filter(network=network, removed_at__isnull=True).exists():
            raise PartnerAddressError(_("This address is already registered."), "network")
        partner = PartnerAddress.objects.create(
            prefecture=by.prefecture,
            name=name.strip(),
            network=network,
            ceiling=ceiling,
            created_by=by,
        )
        audit_record(
            action="partner_address.added",
            actor=by,
            data={
                "partner": partner.pk,
                "name": partner.name,
                "network": network,
                "ceiling": ceiling,
            },
        )
    return partner


def partner_address_remove(*, partner: PartnerAddress, by) -> None:
    with transaction.atomic():
        locked = PartnerAddress.objects.select_for_update().get(pk=partner.pk)
        if locked.removed_at is not None:
            return
        locked.removed_at = timezone.now()
        locked.save(update_fields=["removed_at"])
        audit_record(
            action="partner_address.removed",
            actor=by,
            data={"partner": locked.pk, "name": locked.name, "network": locked.network},
        )
