"""Answer templates (supervisors, their own prefecture) and the median time to
answer on the transparency page, kept at write time."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import User
from sejour.audit.models import AuditEvent
from sejour.conftest import _staff
from sejour.conversations import services
from sejour.conversations.models import AnswerTemplate
from sejour.figures.models import AnswerCount, AnswerTime
from sejour.instruction.tests.test_access_and_queue import make_filed

from .test_conversation import client_for

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.mark.django_db
def test_a_supervisor_adds_changes_and_deletes_the_prefectures_templates(supervisor_paris):
    supervisor = client_for(supervisor_paris, otp=True)
    listing = reverse("conversations:templates")
    refused = supervisor.post(listing, {"title": "  ", "body": "Bonjour"})
    assert refused.status_code == 400
    assert "Give the template a title." in refused.content.decode()
    assert 'value="Bonjour"' in refused.content.decode() or "Bonjour</textarea>" in (
        refused.content.decode()
    )
    response = supervisor.post(listing, {"title": "Délai", "body": "Votre demande avance."})
    assert response.status_code == 302
    template = AnswerTemplate.objects.get()
    assert template.prefecture == supervisor_paris.prefecture
    assert "Délai" in supervisor.get(listing).content.decode()
    edit = reverse("conversations:template", args=[template.pk])
    supervisor.post(edit, {"title": "Délai d'examen", "body": "Votre demande avance bien."})
    template.refresh_from_db()
    assert template.title == "Délai d'examen" and template.updated_by == supervisor_paris
    supervisor.post(reverse("conversations:template_delete", args=[template.pk]))
    assert not AnswerTemplate.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="answer_template.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["answer_template.created", "answer_template.changed", "answer_template.deleted"]


@pytest.mark.django_db
def test_templates_stay_in_their_prefecture_and_agents_only_use_them(supervisor_paris, agent_paris):
    lyon_supervisor = _staff("superviseur.lyon", User.Role.SUPERVISOR, "69")
    template = services.answer_template_save(
        by=supervisor_paris, title="Paris", body="Texte de Paris"
    )
    lyon = client_for(lyon_supervisor, otp=True)
    assert lyon.get(reverse("conversations:template", args=[template.pk])).status_code == 404
    delete = reverse("conversations:template_delete", args=[template.pk])
    assert lyon.post(delete).status_code == 404
    assert "Texte de Paris" not in lyon.get(reverse("conversations:templates")).content.decode()
    agent = client_for(agent_paris, otp=True)
    assert agent.get(reverse("conversations:templates")).status_code == 403
    with pytest.raises(PermissionError):
        services.answer_template_save(by=agent_paris, title="x", body="y")
    assert AnswerTemplate.objects.get().title == "Paris"


@pytest.mark.django_db
def test_another_prefectures_template_cannot_fill_an_answer(
    registry_person, supervisor_paris, agent_paris
):
    lyon_supervisor = _staff("superviseur.lyon", User.Role.SUPERVISOR, "69")
    lyon_template = services.answer_template_save(
        by=lyon_supervisor, title="Lyon", body="Texte de Lyon"
    )
    filed = make_filed(registry_person, "7500000951", 90)
    page = (
        client_for(agent_paris, otp=True)
        .get(
            reverse("instruction:application", args=[filed.reference]),
            {"template": lyon_template.pk},
        )
        .content.decode()
    )
    assert "Texte de Lyon" not in page


@pytest.mark.django_db
def test_the_median_time_to_answer_is_kept_at_each_answer_and_published(
    registry_person, agent_paris, client
):
    waits = [2, 5, 30]  # hours
    for index, hours in enumerate(waits):
        filed = make_filed(registry_person, f"75000009{60 + index}", 90)
        asked = timezone.now() - timedelta(hours=hours, minutes=10)
        with time_machine.travel(asked, tick=False):
            services.message_send(application=filed, body="Bonjour ?", by=filed.applicant)
        services.message_send(application=filed, body="Bonjour.", by=agent_paris)
        # A second answer without a new question counts nothing more.
        services.message_send(application=filed, body="Autre chose.", by=agent_paris)
    assert AnswerTime.objects.get(area="75").median_hours == 5
    assert AnswerTime.objects.get(area="FR").answers == 3
    assert sorted(AnswerCount.objects.filter(area="75").values_list("hours", flat=True)) == waits
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("transparency")).content.decode()
    assert "How long prefectures take to answer a message" in page
    assert "Whole of France: 5 hours, over 3 answers." in page
    # Shown once, in the page's body: the tab's title stays the page's name.
    assert "<title>Processing times — Séjour</title>" in page
    assert page.count("How long prefectures take to answer a message") == 1
    assert page.index("How long prefectures take to answer a message") > page.index("<main")
    # The page reads the published rows, never the messages.
    assert not [q for q in queries.captured_queries if "conversations_message" in q["sql"]]


@pytest.mark.django_db
def test_the_nightly_recount_finds_the_same_answer_times(registry_person, agent_paris):
    from sejour.figures.rebuild import figures_rebuild

    for index, hours in enumerate([1, 3, 8, 50]):
        filed = make_filed(registry_person, f"75000009{80 + index}", 90)
        with time_machine.travel(timezone.now() - timedelta(hours=hours, minutes=5), tick=False):
            services.message_send(application=filed, body="Bonjour ?", by=filed.applicant)
        services.message_send(application=filed, body="Bonjour.", by=agent_paris)
    kept = {(row.area, row.answers, row.median_hours) for row in AnswerTime.objects.all()}
    counts = set(AnswerCount.objects.values_list("area", "month", "hours", "answers"))
    AnswerTime.objects.update(median_hours=999)
    figures_rebuild()
    assert {(row.area, row.answers, row.median_hours) for row in AnswerTime.objects.all()} == kept
    assert set(AnswerCount.objects.values_list("area", "month", "hours", "answers")) == counts
    assert ("75", 4, 5.5) in {(a, n, float(m)) for a, n, m in kept}
