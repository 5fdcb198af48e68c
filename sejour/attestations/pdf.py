"""HTML templates turned into accessible PDFs (tagged, PDF/UA) with WeasyPrint."""

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML


def pdf_render(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    # base_url lets the stylesheet be read from the repository, never from the network.
    return HTML(
        string=html, base_url=str(settings.BASE_DIR / "sejour" / "templates" / "pdf")
    ).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True)
