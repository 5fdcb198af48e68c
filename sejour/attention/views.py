from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_current

from .forms import PreferencesForm
from .selectors import preferences_for
from .services import preferences_save


@login_required
def preferences(request):
    """The person's notice settings: mobile number, reminders, weekly digest, language."""
    if not request.user.is_applicant:
        raise Http404
    current = preferences_for(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            preferences_save(user=request.user, by=request.user, **form.cleaned_data)
            # The pages follow the language of messages from now on (the cookie).
            request.account_language = request.user.language
            translation.activate(request.user.language)
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:home")
    else:
        form = PreferencesForm(
            initial={
                "mobile_phone": current.mobile_phone,
                "text_messages": current.text_messages,
                "renewal_reminders": current.renewal_reminders,
                "weekly_digest": current.weekly_digest,
                "language": request.user.language or language_current(),
            }
        )
    return render(
        request,
        "attention/preferences.html",
        {"form": form, "submit_label": _("Save my settings")},
    )
