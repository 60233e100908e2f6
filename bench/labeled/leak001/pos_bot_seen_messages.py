# Leaks: the bot records every message id it has reacted to in a module-level dict and never forgets any of them.
import discord

intents = discord.Intents.default()
intents.message_content = True
client = discord.Client(intents=intents)

_reacted: dict[int, str] = {}  # expect: LEAK001
KEYWORDS = {"deploy": "🚀", "bug": "🐛", "lgtm": "✅"}


@client.event
async def on_message(message: discord.Message) -> None:
    if message.author.bot or message.id in _reacted:
        return
    for word, emoji in KEYWORDS.items():
        if word in message.content.lower():
            await message.add_reaction(emoji)
            _reacted[message.id] = emoji
            break


if __name__ == "__main__":
    import os

    client.run(os.environ["DISCORD_TOKEN"])
