package dev.ocomms.gateway.http;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.ClientRequests;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /hooks/<secret>}: an incoming webhook (docs/protocol.md, "Incoming webhooks"). Open to anyone who has
 * the URL (the secret is the credential); the body is Slack's payload, JSON or a form field {@code payload}, at most
 * {@value #BODY_LIMIT_BYTES} bytes. Answered {@code 200 ok} (text/plain) as Slack does, failures as problems.
 */
public final class WebhookRoutes {
  public static final String PREFIX = "/hooks/";
  /** Slash commands' response URLs: {@code /hooks/commands/<token>}. */
  public static final String COMMAND_RESPONSES = "/hooks/commands/";
  public static final int BODY_LIMIT_BYTES = 40 * 1024;

  private final Vertx vertx;

  public WebhookRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  public void mount(Router router) {
    router.post(PREFIX + ":secret").handler(this::post);
    router.post(COMMAND_RESPONSES + ":token").handler(this::respond);
  }

  /**
   * {@code POST /hooks/commands/<token>}: a slash command's {@code response_url} (docs/protocol.md, "Slash commands"),
   * a JSON body {@code {response_type?, text, attachments?, blocks?}}; answered {@code 200 ok} as Slack does.
   */
  private void respond(RoutingContext ctx) {
    JsonObject payload;
    try {
      payload = payload(ctx);
    } catch (OcommsException invalid) {
      Problems.send(ctx, invalid);
      return;
    }
    JsonObject request = new JsonObject().put("token", ctx.pathParam("token")).put("payload", payload);
    Requests.<JsonObject>request(vertx, Addresses.COMMANDS_RESPONSE, request,
            new DeliveryOptions().setSendTimeout(ClientRequests.DEFAULT_TIMEOUT_MS))
        .subscribe(answer -> ctx.response().setStatusCode(200).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("ok").subscribe(() -> { }, e -> { }),
            failure -> Problems.send(ctx, ClientRequests.failure(Addresses.COMMANDS_RESPONSE, failure)));
  }

  private void post(RoutingContext ctx) {
    JsonObject payload;
    try {
      payload = payload(ctx);
    } catch (OcommsException invalid) {
      Problems.send(ctx, invalid);
      return;
    }
    JsonObject request = new JsonObject().put("secret", ctx.pathParam("secret")).put("payload", payload);
    Requests.<JsonObject>request(vertx, Addresses.WEBHOOKS_INCOMING, request,
            new DeliveryOptions().setSendTimeout(ClientRequests.DEFAULT_TIMEOUT_MS))
        .subscribe(answer -> ctx.response().setStatusCode(200).putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("ok").subscribe(() -> { }, e -> { }),
            failure -> Problems.send(ctx, ClientRequests.failure(Addresses.WEBHOOKS_INCOMING, failure)));
  }

  /** The payload as JSON, from a JSON body or a form's {@code payload} field. */
  private static JsonObject payload(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String text;
    if (type != null && type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      text = ctx.request().getFormAttribute("payload");
      if (text == null && ctx.body() != null && ctx.body().buffer() != null) {
        text = formField(ctx.body().asString(), "payload");
      }
    } else {
      text = ctx.body() == null ? null : ctx.body().asString();
    }
    if (text == null || text.isBlank()) {
      throw invalid("the body must be Slack's payload: JSON, or a form field payload");
    }
    try {
      Object json = io.vertx.core.json.Json.decodeValue(text);
      if (json instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException malformed) {
      throw invalid("the payload is not valid JSON");
    }
    throw invalid("the payload must be a JSON object");
  }

  private static String formField(String form, String name) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static OcommsException invalid(String detail) {
    return new OcommsException(Reason.INVALID_PAYLOAD, detail);
  }
}
