# Leaks: the bot schedules a logging task for every message and discards the task object.
import asyncio
import os

import discord


class ModBot(discord.Client):
    async def log_message(self, message: discord.Message) -> None:
        from .store import save_message  # type: ignore

        await save_message(message.guild.id, message.channel.id, message.author.id, message.content)

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return
        asyncio.create_task(self.log_message(message))  # expect: LEAK007
        if "http://" in message.content:
            await message.reply("Please share https links only.")


if __name__ == "__main__":
    intents = discord.Intents.default()
    intents.message_content = True
    ModBot(intents=intents).run(os.environ["DISCORD_TOKEN"])
