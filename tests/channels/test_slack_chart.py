"""The price chart reaches Slack as a PNG Slack can preview, drawn by the real prices handler from the bundled data."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from PIL import Image

from chatops.config import load_settings
from handlers.price_plot import HEIGHT, QUERY, WIDTH
from tests.channels.slack_support import CHANNEL, event, post_event, settled, slack_settings
from tests.channels.support import serve
from tests.fakes.slack import FakeSlack

BUNDLED = Path(__file__).resolve().parents[2] / "intents" / "intents"


async def test_the_price_chart_is_uploaded_as_a_png_with_alt_text(tmp_path: Path, fake_slack: FakeSlack) -> None:
    (tmp_path / "intents").mkdir()
    for name in ("prices.predict", "fallback"):
        shutil.copy(BUNDLED / f"{name}.yaml", tmp_path / "intents")
    engine = {"agent_dir": str(tmp_path), "handlers": ("prices",)}
    settings = load_settings(env={}, overrides={"engine": engine, "store": {"url": "sqlite:///:memory:"}})
    async with serve(slack_settings(settings, fake_slack), tables=None) as client:
        await post_event(client, event(text="<@UBOT> how much is a house with a lot of 5000 sq ft"))
        [completed] = await fake_slack.wait_for("files.completeUploadExternal", timeout=30)
        await settled(client)
    [answer] = fake_slack.called("chat.postMessage")
    assert "would cost about $" in answer.args["text"]
    [asked] = fake_slack.called("files.getUploadURLExternal")
    [upload] = fake_slack.uploads
    assert asked.args["filename"].endswith(".png") and int(asked.args["length"]) == len(upload.data)
    [shared] = json.loads(completed.args["files"])
    assert "5,000 sq ft lot" in shared["title"] and completed.args["channel_id"] == CHANNEL
    assert asked.args["alt_txt"] == shared["title"]
    picture = Image.open(io.BytesIO(upload.data))
    assert picture.format == "PNG" and picture.size == (2 * WIDTH, 2 * HEIGHT)
    red = tuple(int(QUERY[i : i + 2], 16) for i in (1, 3, 5))
    assert red in {colour for _, colour in picture.convert("RGB").getcolors(maxcolors=1 << 20) or []}
