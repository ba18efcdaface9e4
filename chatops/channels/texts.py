"""Every user-facing text of the channels, in one place to review and assert."""

ON_IT = "I'm on it. This is taking a while, so I'll give you the result with your next message."
NO_HANDLER = "I understood you, but I can't do that yet."
SECRET_ELSEWHERE = (
    "That answer is secret, so I won't send it through this channel. "
    "Ask me in a direct message on Slack or in the web chat."
)
SOMETHING_WRONG = "Something went wrong on our side. The details were logged."
UNAUTHORIZED = "Valid webhook credentials are required."
SLACK_ONLY_REQUESTER = "Only the person who asked for this can confirm or cancel it."
SLACK_CONFIRMED = "Confirmed by <@{user}>."
SLACK_CANCELLED = "Cancelled by <@{user}>."
SLACK_STALE = "Already answered."
SLACK_IMAGE_PRIVATE = "(The image was sent to you in a direct message.)"
SLACK_EMPTY = "Yes? Mention me with a question, for example: tell me a joke."
TOO_LONG = "That message is longer than {limit} characters; please shorten it."
