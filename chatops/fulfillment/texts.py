"""Every user-facing text of the fulfillment layer, in one place to review and assert."""

NOTHING_TO_CONFIRM = "There is nothing waiting for confirmation."
CONFIRMATION_EXPIRED = "That confirmation expired, so nothing was done. Ask again if you still want it."
ONLY_REQUESTER = "Only the person who asked for this can confirm it."
CANCELLED = "OK, cancelled. Nothing was changed."
CONFIRM_QUESTION = "Shall I go ahead?"
HANDLER_FAILED = "Something went wrong while running {action}. The details were logged."
DENIED = "You are not allowed to do that: it needs the permission {permission}{on}{reason}."
STORE_DOWN = "The state store is unavailable right now, so I can't carry on the conversation. Please try again shortly."
NO_FALLBACK = "Sorry, I didn't get that. Say 'help' to see what I can do."


def generic_plan(action: str, parameters: dict[str, object]) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in parameters.items() if v not in (None, "", [], {}))
    return f"I am about to run {action}" + (f" with {shown}." if shown else ".")
