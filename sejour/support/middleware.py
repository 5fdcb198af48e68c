from sejour.audit.services import on_behalf_by

SESSION_KEY = "assisted_by"


class AssistedFilingMiddleware:
    """While a support agent files for someone, every audit event names the agent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        assistant = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        request.assisted_by = assistant
        token = on_behalf_by.set(assistant)
        try:
            return self.get_response(request)
        finally:
            on_behalf_by.reset(token)
