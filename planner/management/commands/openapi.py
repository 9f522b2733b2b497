import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from ninja.responses import NinjaJSONEncoder

from config.api import api, without_examples


def committed_text() -> str:
    """docs/openapi.json as it must read: the API's document, less the shared examples."""
    schema = without_examples(api.get_openapi_schema())
    return json.dumps(schema, cls=NinjaJSONEncoder, indent=1, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = (
        "Write the JSON API's OpenAPI document (less the shared examples) to FILE, "
        "stdout without: `openapi docs/openapi.json` after a deliberate API change."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args, file: Path | None, **options):
        text = committed_text()
        if file is None:
            self.stdout.write(text, ending="")
            return
        try:
            file.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
