"""One vttui process of the ``store_processes`` benchmark, run as a script (never imported).

``python _store_child.py IOCS_FILE N SEED``: builds the client as the CLI does (settings
from the environment: VT_API_URL, VT_API_KEY, VTTUI_STORE, XDG_CACHE_HOME), looks up N
indicators drawn from the file in a seeded random order, 8 at a time, and prints what
it sent and where its answers came from as JSON.
"""

import asyncio
import json
import os
import random
import sys
import time

sys.path[0] = os.environ.get("VTTUI_BENCH_ROOT", sys.path[0])

from vttui.config import load_settings  # noqa: E402
from vttui.runtime import make_client  # noqa: E402


async def main(iocs: list[str], n: int, seed: int) -> dict:
    rng = random.Random(seed)
    order = [rng.choice(iocs) for _ in range(n)]
    client = make_client(load_settings())
    await client.prepare()
    queue = iter(order)
    errors = 0

    async def worker() -> None:
        nonlocal errors
        for text in queue:
            try:
                await client.lookup(text)
            except Exception:
                errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(8)))
    elapsed = time.perf_counter() - t0
    out = {"lookups": n, "sent": client.stats.requests, "store_hits": client.stats.store_hits,
           "memory_hits": client.cache.stats().hits, "errors": errors, "seconds": elapsed,
           "store": client.store.kind if client.store is not None else "memory",
           "notice": client.store_notice}
    await client.aclose()
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        indicators = [line.strip() for line in fh if line.strip()]
    print(json.dumps(asyncio.run(main(indicators, int(sys.argv[2]), int(sys.argv[3])))))
