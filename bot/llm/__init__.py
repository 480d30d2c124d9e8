"""The language-model adapters: gateway, client persona, judge, coach, guards and prompts."""
