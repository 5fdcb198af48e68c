from django.tasks import task

from .services import check_answer_render


@task
def render_check_answer(check_id: int) -> None:
    """The signed PDF of an answer, made by the worker after the answer commits."""
    check_answer_render(check_id=check_id)
