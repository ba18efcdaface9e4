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

# A browser's preflight for the widget's API from another origin (chatops/channels/cors.py).
CORS_ORIGIN = "Pages on {origin} may not use this chat service; its operator lists the sites allowed in CHATOPS_WIDGET_ORIGINS."
CORS_REFUSED = "This address accepts {methods} with the headers {headers}, not {refused}."

# A CSV shared in Slack as a data set for price prediction.
UPLOAD_NOT_CSV = "{name} is not a CSV file (Slack says: {kind}). Export it as CSV (comma-separated values) and share it again."
UPLOAD_NO_LINK = "Slack gave me no download link for {name}, so I can't read it."
UPLOAD_UNTRUSTED = "The download link of {name} does not point at Slack, so I did not fetch it."
UPLOAD_TOO_LARGE = "{name} is larger than {limit}, the most I read. Share a smaller CSV (fewer rows or columns)."
UPLOAD_FORBIDDEN = (
    "Slack would not let me download {name} ({problem}). The bot needs the files:read scope "
    "and must be a member of the conversation the file was shared in."
)
UPLOAD_GONE = "{name} is no longer on Slack (HTTP {status}); it may have been deleted. Share it again."
UPLOAD_UNAVAILABLE = "Slack could not hand me {name} just now ({problem}). Please share it again in a minute."
UPLOAD_NOT_TEXT = "{name} is not a text file, so it can't be a CSV. Export it as CSV (UTF-8) and share it again."
UPLOAD_EMPTY = "{name} is empty: a CSV needs a header row naming its columns, then the data."
UPLOAD_COLUMNS = (
    "{name} has the columns {columns}. Which is x (the lot area, in square feet) and which is y (the price)? "
    "Share the file again with a message like:\n{example}"
)
