# Leaks: open() is passed straight into csv.DictReader, so nothing ever holds the handle to close it.
from django.core.management.base import BaseCommand

from shop.models import Product  # type: ignore


def import_price_list(path: str) -> int:
    updated = 0
    for row in csv_rows(path):
        updated += Product.objects.filter(sku=row["sku"]).update(price=row["price"])
    return updated


def csv_rows(path: str):
    import csv

    return csv.DictReader(open(path, newline="", encoding="utf-8"))  # expect: LEAK008


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")

    def handle(self, *args, **options):
        for path in options["paths"]:
            self.stdout.write(f"{path}: {import_price_list(path)} products updated")
