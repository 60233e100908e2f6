# Not a leak: every task is collected in a local list and awaited with asyncio.gather before the function returns.
import asyncio

import aiohttp


async def fetch_status(session: aiohttp.ClientSession, url: str) -> tuple[str, int]:
    async with session.get(url) as resp:
        return url, resp.status


async def check_all(urls: list[str]) -> dict[str, int]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        tasks = [asyncio.create_task(fetch_status(session, url)) for url in urls]
        results = await asyncio.gather(*tasks, return_exceptions=True)
    return {r[0]: r[1] for r in results if isinstance(r, tuple)}


if __name__ == "__main__":
    import sys

    print(asyncio.run(check_all(sys.argv[1:])))
