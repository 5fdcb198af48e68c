from sejour.audit.services import on_behalf_by, on_behalf_by_name

SESSION_KEY = "assisted_by"
NAME_KEY = "assisted_by_name"


class AssistedFilingMiddleware:
    """While a support agent files for someone, every audit event names the agent
    (their identifier for the record, their name for the histories)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session if hasattr(request, "session") else {}
        assistant = session.get(SESSION_KEY)
        request.assisted_by = assistant
        token = on_behalf_by.set(assistant)
        name_token = on_behalf_by_name.set(session.get(NAME_KEY) if assistant else None)
        try:
            return self.get_response(request)
        finally:
            on_behalf_by_name.reset(name_token)
            on_behalf_by.reset(token)
