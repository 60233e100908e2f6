# Leaks: every !ocr command builds a ThreadPoolExecutor for the blocking OCR call and never shuts it down.
import asyncio
import concurrent.futures
import os

import discord
from discord.ext import commands

bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())


def _ocr(image_bytes: bytes) -> str:
    import pytesseract
    from PIL import Image
    import io

    return pytesseract.image_to_string(Image.open(io.BytesIO(image_bytes)))


@bot.command(name="ocr")
async def ocr(ctx: commands.Context) -> None:
    if not ctx.message.attachments:
        await ctx.reply("attach an image")
        return
    data = await ctx.message.attachments[0].read()
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=2)  # expect: LEAK006
    text = await asyncio.get_running_loop().run_in_executor(executor, _ocr, data)
    await ctx.reply(text[:1900] or "(no text found)")


if __name__ == "__main__":
    bot.run(os.environ["DISCORD_TOKEN"])
