package dev.ocomms.integrations;

import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("A Slack payload read into a message: mrkdwn converted, attachments and blocks sanitized")
class SlackPayloadTest {

  @ParameterizedTest(name = "{0} → {1}")
  @DisplayName("Slack mrkdwn becomes our markdown")
  @CsvSource(delimiterString = "=>", quoteCharacter = '"', value = {
      "*bold*                              => **bold**",
      "a *bold* word and *two words*       => a **bold** word and **two words**",
      "_italic_                            => _italic_",
      "~strike~ and `code`                 => ~strike~ and `code`",
      "2*3*4                               => 2*3*4",
      "<https://example.com|the label>     => [the label](https://example.com)",
      "<https://example.com>               => https://example.com",
      "<https://x.io/a?b=1&amp;c=2|q>      => [q](https://x.io/a?b=1&c=2)",
      "<!channel> deploy done              => @channel deploy done",
      "<!here> look                        => @here look",
      "<!everyone>                         => @channel",
      "hi <@U024BE7LH>                     => hi <@U024BE7LH>",
      "see <#C024BE7LR|general>            => see <#C024BE7LR|general>",
      "<javascript:alert(1)|click>         => click",
      "a &lt;b&gt; &amp; c                 => a <b> & c",
      "*<https://e.com|CI #4>* failed      => **[CI #4](https://e.com)** failed",
  })
  void mrkdwn(String slack, String ours) {
    assertThat(SlackPayload.mrkdwn(slack)).isEqualTo(ours);
  }

  @Test
  @DisplayName("an attachment keeps only the keys we render; a non-http URL and an unknown color are dropped")
  void attachmentSanitized() {
    JsonObject payload = new JsonObject().put("attachments", new JsonArray().add(new JsonObject()
        .put("color", "expression(alert(1))").put("title", "T").put("title_link", "javascript:alert(1)")
        .put("text", "*x*").put("footer", "f").put("ts", "1733600000.123").put("callback_id", "cb")
        .put("actions", new JsonArray().add(new JsonObject().put("type", "button")))
        .put("fields", new JsonArray().add(new JsonObject().put("title", "a").put("value", "b").put("short", true)
            .put("extra", 1)))));

    SlackPayload.Post post = SlackPayload.read(payload);

    assertThat(post.attachments()).isEqualTo(new JsonArray().add(new JsonObject()
        .put("title", "T").put("text", "**x**")
        .put("fields", new JsonArray().add(new JsonObject().put("title", "a").put("value", "b").put("short", true)))
        .put("footer", "f").put("ts", 1733600000L)));
  }

  @Test
  @DisplayName("colors: good, warning, danger and hex (with or without #) are kept")
  void colors() {
    for (String color : new String[] {"good", "warning", "danger", "#36a64f"}) {
      assertThat(SlackPayload.read(attachmentWithColor(color)).attachments().getJsonObject(0).getString("color"))
          .isEqualTo(color);
    }
    assertThat(SlackPayload.read(attachmentWithColor("36a64f")).attachments().getJsonObject(0).getString("color"))
        .isEqualTo("#36a64f");
  }

  @Test
  @DisplayName("blocks of the kinds we render are kept (header, section, context, divider, image), others dropped")
  void blocks() {
    JsonArray blocks = new JsonArray()
        .add(new JsonObject().put("type", "header").put("text", plain("Deploy")))
        .add(new JsonObject().put("type", "section").put("text", mrkdwn("*done*"))
            .put("fields", new JsonArray().add(mrkdwn("*env:*\nprod")))
            .put("accessory", new JsonObject().put("type", "button")))
        .add(new JsonObject().put("type", "divider"))
        .add(new JsonObject().put("type", "image").put("image_url", "data:image/png;base64,AAAA").put("alt_text", "x"))
        .add(new JsonObject().put("type", "image").put("image_url", "https://e.com/a.png").put("alt_text", "chart"))
        .add(new JsonObject().put("type", "actions").put("elements", new JsonArray()))
        .add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(mrkdwn("by _ana_"))));

    SlackPayload.Post post = SlackPayload.read(new JsonObject().put("blocks", blocks));

    assertThat(post.blocks()).isEqualTo(new JsonArray()
        .add(new JsonObject().put("type", "header").put("text", "Deploy"))
        .add(new JsonObject().put("type", "section").put("text", "**done**")
            .put("fields", new JsonArray().add("**env:**\nprod")))
        .add(new JsonObject().put("type", "divider"))
        .add(new JsonObject().put("type", "image").put("image_url", "https://e.com/a.png").put("alt_text", "chart"))
        .add(new JsonObject().put("type", "context").put("elements", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "by _ana_")))));
  }

  @Test
  @DisplayName("long strings are capped; the text at 4000 characters")
  void capped() {
    SlackPayload.Post post = SlackPayload.read(new JsonObject().put("text", "a".repeat(10_000))
        .put("attachments", new JsonArray().add(new JsonObject().put("title", "t".repeat(1000)))));
    assertThat(post.text()).hasSize(SlackPayload.MAX_TEXT + 1).endsWith("…");
    assertThat(post.attachments().getJsonObject(0).getString("title")).hasSize(SlackPayload.MAX_SHORT + 1);
  }

  @Test
  @DisplayName("a payload with nothing to show, or of the wrong shape, is invalid_payload")
  void invalid() {
    for (JsonObject payload : new JsonObject[] {new JsonObject(), new JsonObject().put("text", "  "),
        new JsonObject().put("text", 42), new JsonObject().put("attachments", "no"),
        new JsonObject().put("attachments", new JsonArray().add("no"))}) {
      assertThatThrownBy(() -> SlackPayload.read(payload)).as("%s", payload)
          .isInstanceOfSatisfying(OcommsException.class,
              failure -> assertThat(failure.toProblem().getString("reason")).isEqualTo("invalid_payload"));
    }
  }

  private static JsonObject attachmentWithColor(String color) {
    return new JsonObject().put("attachments", new JsonArray().add(new JsonObject().put("color", color)
        .put("text", "x")));
  }

  private static JsonObject plain(String text) {
    return new JsonObject().put("type", "plain_text").put("text", text);
  }

  private static JsonObject mrkdwn(String text) {
    return new JsonObject().put("type", "mrkdwn").put("text", text);
  }
}
