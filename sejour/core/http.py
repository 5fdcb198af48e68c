def posted(request):
    """The submitted data on POST, else None: a form bound to an empty POST still validates."""
    return request.POST if request.method == "POST" else None
