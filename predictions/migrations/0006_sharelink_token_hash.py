# Share links are looked up by the SHA-256 of their token (constant time in the secret); existing
# links keep working: their hashes are filled in from their tokens before the column is required.

import hashlib

from django.db import migrations, models


def fill_token_hashes(apps, schema_editor):
    ShareLink = apps.get_model("predictions", "ShareLink")
    for link in ShareLink.objects.only("pk", "token").iterator():
        ShareLink.objects.filter(pk=link.pk).update(token_hash=hashlib.sha256(link.token.encode()).hexdigest())


class Migration(migrations.Migration):

    dependencies = [
        ("predictions", "0005_job_attempts_score_spliceai_once"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharelink",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_token_hashes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sharelink",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
