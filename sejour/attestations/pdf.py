"""HTML templates turned into accessible PDFs (tagged, PDF/UA) with WeasyPrint."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint import HTML


def pdf_render(template: str, context: dict, *, translation_language: str = "") -> bytes:
    """Render `template` in the active language (French for what has legal value).

    With `translation_language` (the holder's, when it is not the active one), the same
    content follows, rendered in that language, marked as a translation with no legal
    value, `lang` and `dir` set (DejaVu Sans draws Arabic; WeasyPrint lays it out right
    to left).
    """
    extra = {}
    if translation_language and translation_language != translation.get_language():
        with translation.override(translation_language):
            extra["translation_html"] = mark_safe(  # noqa: S308 - our own template's output
                render_to_string(
                    template,
                    {
                        **context,
                        "LANGUAGE_CODE": translation_language,
                        "translation_of_french": True,
                        "translation_dir": "rtl" if translation.get_language_bidi() else "ltr",
                    },
                )
            )
    html = render_to_string(template, {**context, **extra})
    # base_url lets the stylesheet be read from the repository, never from the network.
    return HTML(
        string=html, base_url=str(settings.BASE_DIR / "sejour" / "templates" / "pdf")
    ).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True)
