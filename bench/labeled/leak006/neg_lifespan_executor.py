# Not a leak: the executor is created once in the lifespan handler and shut down when the application stops.
import asyncio
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request


def _render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pdf_pool = ProcessPoolExecutor(max_workers=2)
    yield
    app.state.pdf_pool.shutdown(wait=True)


app = FastAPI(lifespan=lifespan)


@app.post("/pdf")
async def render(request: Request) -> dict:
    html = (await request.body()).decode()
    pdf = await asyncio.get_running_loop().run_in_executor(request.app.state.pdf_pool, _render_pdf, html)
    return {"bytes": len(pdf)}
