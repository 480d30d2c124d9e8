"""The Telegram adapter: python-telegram-bot 22 handlers over the practice services."""
