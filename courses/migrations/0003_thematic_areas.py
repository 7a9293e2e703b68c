"""The programme's three thematic areas. Reference data every environment needs."""

import uuid

from django.db import migrations

AREAS = [
    (
        "semplificazione-amministrativa",
        "Semplificazione amministrativa per lo sviluppo economico",
        "Procedimenti edilizi e urbanistici, sportelli unici, modulistica unificata, "
        "gestione degli open data.",
    ),
    (
        "pianificazione-strategica",
        "Pianificazione strategica metropolitana",
        "Coinvolgimento degli stakeholder e monitoraggio del piano strategico metropolitano.",
    ),
    (
        "gestione-associata",
        "Gestione associata dei servizi e riorganizzazione istituzionale",
        "Uffici condivisi, società partecipate, regolamenti unificati e riorganizzazione "
        "degli enti.",
    ),
]


def add_areas(apps, schema_editor):
    ThematicArea = apps.get_model("courses", "ThematicArea")
    for position, (slug, name, description) in enumerate(AREAS, start=1):
        ThematicArea.objects.get_or_create(
            slug=slug,
            defaults={
                "id": uuid.uuid4(), "name": name, "description": description,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("courses", "0002_relations")]

    operations = [migrations.RunPython(add_areas, migrations.RunPython.noop)]
