from django.db import migrations

from complaints.category_tree import load_category_tree


def seed(apps, schema_editor):
    load_category_tree(apps.get_model("complaints", "Category"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
