# Leaks: the bot appends every message it sees to a module-level history list that is only ever read, never trimmed.
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

MESSAGE_HISTORY = []  # expect: LEAK002


async def remember(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg = update.effective_message
    MESSAGE_HISTORY.append((msg.chat_id, msg.from_user.id, msg.text))
    if msg.text and msg.text.startswith("/count"):
        mine = sum(1 for chat, _, _ in MESSAGE_HISTORY if chat == msg.chat_id)
        await msg.reply_text(f"{mine} messages seen in this chat")


def main() -> None:
    application = Application.builder().token(os.environ["BOT_TOKEN"]).build()
    application.add_handler(MessageHandler(filters.TEXT, remember))
    application.run_polling()


if __name__ == "__main__":
    main()
