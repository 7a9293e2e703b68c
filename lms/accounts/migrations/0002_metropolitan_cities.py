"""The 14 Metropolitan Cities (law 56/2014 and the special-statute regions' laws), each with its
metropolitan body as the first organisation. Reference data every environment needs."""

import uuid

from django.db import migrations

# (name, slug, ISTAT code of the metropolitan city)
CITIES = [
    ("Bari", "bari", "272"),
    ("Bologna", "bologna", "237"),
    ("Cagliari", "cagliari", "292"),
    ("Catania", "catania", "287"),
    ("Firenze", "firenze", "248"),
    ("Genova", "genova", "210"),
    ("Messina", "messina", "283"),
    ("Milano", "milano", "215"),
    ("Napoli", "napoli", "263"),
    ("Palermo", "palermo", "282"),
    ("Reggio Calabria", "reggio-calabria", "280"),
    ("Roma Capitale", "roma-capitale", "258"),
    ("Torino", "torino", "201"),
    ("Venezia", "venezia", "227"),
]


def add_cities(apps, schema_editor):
    MetropolitanCity = apps.get_model("accounts", "MetropolitanCity")
    Organisation = apps.get_model("accounts", "Organisation")
    for name, slug, istat_code in CITIES:
        city, _ = MetropolitanCity.objects.get_or_create(
            slug=slug, defaults={"id": uuid.uuid4(), "name": name, "istat_code": istat_code}
        )
        Organisation.objects.get_or_create(
            city=city,
            kind="metropolitan_body",
            defaults={"id": uuid.uuid4(), "name": f"Città metropolitana di {name}"},
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(add_cities, migrations.RunPython.noop)]
