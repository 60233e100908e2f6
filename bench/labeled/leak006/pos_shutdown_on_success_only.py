# Leaks: shutdown() is only reached when every future succeeds; an exception from result() skips it and strands the threads.
from concurrent.futures import ThreadPoolExecutor

from django.http import HttpRequest, JsonResponse

from .pricing import quote_from_supplier  # type: ignore

SUPPLIERS = ("acme", "globex", "initech", "umbrella")


def best_price(request: HttpRequest, sku: str) -> JsonResponse:
    executor = ThreadPoolExecutor(max_workers=len(SUPPLIERS))  # expect: LEAK006
    futures = {name: executor.submit(quote_from_supplier, name, sku) for name in SUPPLIERS}
    quotes = {name: fut.result(timeout=5) for name, fut in futures.items()}
    executor.shutdown(wait=False)
    best = min(quotes, key=quotes.get)
    return JsonResponse({"supplier": best, "price": str(quotes[best])})
