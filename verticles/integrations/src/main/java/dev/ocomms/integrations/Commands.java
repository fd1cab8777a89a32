package dev.ocomms.integrations;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Slash commands (docs/protocol.md, "Slash commands"): running one ({@code chat.command}), the built-ins, custom
 * commands of a workspace (created by its owners and admins; each call POSTs Slack's form fields, signed, to the
 * command's URL) and their {@code response_url}s. The reply to {@code chat.command} never waits for a custom command's
 * endpoint: what it answers arrives later as a message or a {@code command.ephemeral} event.
 */
final class Commands {
  private static final Logger LOG = LoggerFactory.getLogger(Commands.class);
  static final Quota RUNS = Quota.bucket("command.runs", 10, Duration.ofSeconds(10),
      "a user may run 10 slash commands at once, then 1 a second");
  static final int MAX_TEXT = 4000;
  static final long CALL_TIMEOUT_MS = 3_000;
  static final Duration RESPONSE_URL_LIFETIME = Duration.ofMinutes(30);
  static final int RESPONSE_URL_USES = 5;
  static final String RESPONSE_PREFIX = "/hooks/commands/";
  private static final Pattern NAME = Pattern.compile("/[a-z0-9_-]{2,32}");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,4})\\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** ¯\_(ツ)_/¯ in markdown. */
  private static final java.time.format.DateTimeFormatter UNTIL_FORMAT =
      java.time.format.DateTimeFormatter.ofPattern("EEE d MMM HH:mm zzz", java.util.Locale.ENGLISH);
  static final String SHRUG = "¯\\\\\\_(ツ)\\_/¯";

  /** The built-ins, in the order /help lists them: name → {description, usageHint}. */
  static final Map<String, String[]> BUILT_INS = new LinkedHashMap<>();

  static {
    BUILT_INS.put("/me", new String[] {"Show an action: your text in italics, from you", "<text>"});
    BUILT_INS.put("/shrug", new String[] {"Append ¯\\_(ツ)_/¯ to your message", "[text]"});
    BUILT_INS.put("/topic", new String[] {"Set the channel's topic", "<text>"});
    BUILT_INS.put("/invite", new String[] {"Add someone to this chat", "@username"});
    BUILT_INS.put("/leave", new String[] {"Leave this chat", ""});
    BUILT_INS.put("/mute", new String[] {"Mute or unmute this chat for you", ""});
    BUILT_INS.put("/dnd", new String[] {"Do not disturb for a while, or off", "<30m | 1h | 2h | tomorrow | off>"});
    BUILT_INS.put("/help", new String[] {"List the commands", ""});
  }

  private final Vertx vertx;
  private final CommandStore store;
  private final Lookups lookups;
  private final Outbound outbound;
  private final Deliveries deliveries;
  private final RateLimiter limiter;
  private final String publicUrl;

  Commands(Vertx vertx, CommandStore store, Lookups lookups, Outbound outbound, Deliveries deliveries,
           RateLimiter limiter, String publicUrl) {
    this.vertx = vertx;
    this.store = store;
    this.lookups = lookups;
    this.outbound = outbound;
    this.deliveries = deliveries;
    this.limiter = limiter;
    this.publicUrl = publicUrl;
  }

  // Managing custom commands

  /** {@code integrations.commands.create {workspaceId, command, url, description?, usageHint?}} → {command, signingSecret}. */
  Single<JsonObject> create(BusRequest request) {
    Input body = request.body();
    UUID workspaceId = body.id("workspaceId");
    String name = body.name("command", NAME, "\"/\" and 2 to 32 of a-z, 0-9, _ and -");
    String url = body.string("url");
    Outbound.parse(url);
    String description = body.optionalText("description", 0, 200).orElse("");
    String usageHint = body.optionalText("usageHint", 0, 100).orElse("");
    if (BUILT_INS.containsKey(name)) {
      throw new OcommsException(Reason.COMMAND_TAKEN, name + " is a built-in command",
          new JsonObject().put("field", "command"));
    }
    String secret = Deliveries.newSecret();
    UUID id = Ids.next();
    return lookups.manager(request.caller(), workspaceId, "create commands")
        .flatMapCompletable(role -> outbound.checkResolved(url))
        .andThen(Single.defer(() -> store.createCommand(id, workspaceId, name, url, description, usageHint,
            request.caller(), secret)))
        .onErrorResumeNext(failure -> Single.error(isUniqueViolation(failure)
            ? new OcommsException(Reason.COMMAND_TAKEN, "the workspace already has " + name,
                new JsonObject().put("field", "command"))
            : failure))
        .map(command -> new JsonObject().put("command", command.toJson(true)).put("signingSecret", secret));
  }

  /** {@code integrations.commands.list {workspaceId}} → {commands, builtIns}; url only for owners and admins. */
  Single<JsonObject> list(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return lookups.role(request.caller(), workspaceId)
        .flatMap(role -> store.commandsOf(workspaceId).map(commands -> {
          boolean manager = "owner".equals(role) || "admin".equals(role);
          JsonArray list = new JsonArray();
          commands.forEach(command -> list.add(command.toJson(manager)));
          return new JsonObject().put("commands", list).put("builtIns", builtIns());
        }));
  }

  /** {@code integrations.commands.delete {commandId}} → {} (owners, admins). */
  Single<JsonObject> delete(BusRequest request) {
    UUID id = request.body().id("commandId");
    return managed(request.caller(), id, "delete commands")
        .flatMapCompletable(command -> store.deleteCommand(id))
        .toSingleDefault(new JsonObject());
  }

  /** {@code integrations.commands.deliveries {commandId}} → {deliveries} (owners, admins). */
  Single<JsonObject> deliveries(BusRequest request) {
    UUID id = request.body().id("commandId");
    return managed(request.caller(), id, "see a command's deliveries")
        .flatMap(command -> store.deliveries(id))
        .map(list -> new JsonObject().put("deliveries", list));
  }

  private Single<CommandStore.Command> managed(UUID caller, UUID id, String what) {
    return store.commandById(id)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such command")))
        .flatMap(command -> lookups.manager(caller, command.workspaceId(), what).map(role -> command));
  }

  static JsonArray builtIns() {
    JsonArray list = new JsonArray();
    BUILT_INS.forEach((name, about) -> list.add(new JsonObject().put("command", name)
        .put("description", about[0]).put("usageHint", about[1])));
    return list;
  }

  // Running

  /** A command run: who, where, and what they typed. */
  private record Run(UUID caller, UUID chatId, JsonObject chat, String clientId, UUID threadRootId, String name,
                     String args) {
    UUID workspaceId() {
      return UUID.fromString(chat.getString("workspaceId"));
    }
  }

  /** {@code chat.command {chatId, text, clientId, threadRootId?}} → {command, kind}. */
  Single<JsonObject> run(BusRequest request) {
    Input body = request.body();
    UUID chatId = body.id("chatId");
    String text = body.multilineText("text").strip();
    if (text.isEmpty() || text.length() > MAX_TEXT || !text.startsWith("/")) {
      throw Input.invalid("text", "text must be a command line (\"/name ...\") of 1 to " + MAX_TEXT + " characters");
    }
    String clientId = body.has("clientId") ? Ids.parse(body.string("clientId"))
        .orElseThrow(() -> Input.invalid("clientId", "clientId must be a UUID")).toString()
        : UUID.randomUUID().toString();
    UUID threadRootId = body.has("threadRootId") ? body.id("threadRootId") : null;
    int space = indexOfSpace(text);
    String name = (space < 0 ? text : text.substring(0, space)).toLowerCase(java.util.Locale.ROOT);
    String args = space < 0 ? "" : text.substring(space).strip();
    UUID caller = request.caller();
    return lookups.memberChat(caller, chatId)
        .flatMap(chat -> limiter.take(caller.toString(), RUNS).toSingleDefault(chat))
        .flatMap(chat -> {
          Run run = new Run(caller, chatId, chat, clientId, threadRootId, name, args);
          if (BUILT_INS.containsKey(name)) {
            return builtIn(run).toSingleDefault(reply(name, "builtin"));
          }
          if (!NAME.matcher(name).matches()) {
            return unknown(run);
          }
          return store.command(run.workspaceId(), name)
              .map(command -> {
                // Accepted: the call goes on after this reply, which it never delays.
                callCustom(run, command);
                return reply(name, "custom");
              })
              .switchIfEmpty(Single.defer(() -> unknown(run)));
        });
  }

  private static JsonObject reply(String name, String kind) {
    return new JsonObject().put("command", name).put("kind", kind);
  }

  private static int indexOfSpace(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private Single<JsonObject> unknown(Run run) {
    return help(run, "Unknown command " + run.name() + ". ").toSingleDefault(reply(run.name(), "unknown"));
  }

  // Built-ins: each asks the owning verticle as the invoker, as the REST API and the bridge do.

  private Completable builtIn(Run run) {
    String args = run.args();
    return switch (run.name()) {
      case "/me" -> args.isEmpty() ? usage(run)
          : send(run, "_" + args + "_");
      // Markdown escapes: shown as ¯\_(ツ)_/¯, arm and all (unescaped, the backslash would eat the underscore).
      case "/shrug" -> send(run, (args.isEmpty() ? "" : args + " ") + SHRUG);
      case "/topic" -> args.isEmpty() ? usage(run)
          : lookups.ask(run.caller(), Addresses.CHAT_UPDATE,
              new JsonObject().put("chatId", run.chatId().toString()).put("topic", args)).ignoreElement();
      case "/invite" -> invite(run);
      case "/leave" -> lookups.ask(run.caller(), Addresses.CHAT_LEAVE,
          new JsonObject().put("chatId", run.chatId().toString())).ignoreElement();
      case "/mute" -> mute(run);
      case "/dnd" -> dnd(run);
      default -> help(run, "");
    };
  }

  private Completable send(Run run, String content) {
    JsonObject message = new JsonObject().put("chatId", run.chatId().toString()).put("clientId", run.clientId())
        .put("content", content);
    if (run.threadRootId() != null) {
      message.put("replyTo", run.threadRootId().toString());
    }
    return lookups.ask(run.caller(), Addresses.CHAT_MESSAGE_SEND, message).ignoreElement();
  }

  private Completable invite(Run run) {
    String username = run.args().startsWith("@") ? run.args().substring(1).strip() : run.args();
    if (username.isEmpty() || indexOfSpace(username) >= 0) {
      return usage(run);
    }
    return lookups.askInternal(Addresses.USERS_BY_USERNAME,
            new JsonObject().put("usernames", new JsonArray().add(username)))
        .flatMapCompletable(found -> {
          JsonArray users = found.getJsonArray("users", new JsonArray());
          if (users.isEmpty()) {
            return ephemeral(run, "No one is called @" + username + ".", null);
          }
          String userId = users.getJsonObject(0).getString("id");
          return lookups.ask(run.caller(), Addresses.CHAT_MEMBER_ADD,
                  new JsonObject().put("chatId", run.chatId().toString()).put("userId", userId))
              .ignoreElement()
              .onErrorResumeNext(failure -> failure instanceof OcommsException problem
                  && (problem.code() == ErrorCode.VALIDATION_FAILED || problem.code() == ErrorCode.NOT_FOUND)
                  ? ephemeral(run, "@" + username + " cannot be added here (not in this workspace).", null)
                  : Completable.error(failure));
        });
  }

  private Completable mute(Run run) {
    JsonObject chat = new JsonObject().put("chatId", run.chatId().toString());
    return lookups.ask(run.caller(), Addresses.NOTIFICATION_CHAT_SETTINGS_GET, chat)
        .flatMap(settings -> lookups.ask(run.caller(), Addresses.NOTIFICATION_CHAT_SETTINGS_SAVE,
            chat.copy().put("muted", !settings.getBoolean("muted", false))))
        .flatMapCompletable(saved -> ephemeral(run, saved.getBoolean("muted", false)
            ? "This chat is muted for you." : "This chat is no longer muted for you.", null));
  }

  private Completable dnd(Run run) {
    String args = run.args().toLowerCase(java.util.Locale.ROOT);
    if (args.equals("off")) {
      return saveDnd(run, null, "Do not disturb is off.");
    }
    if (args.isEmpty()) {
      return saveDnd(run, new JsonObject(), "Do not disturb is on until you turn it off.");
    }
    // "tomorrow" and the time said back are the invoker's local time (their profile's zone; UTC without one).
    return lookups.profile(run.caller()).flatMapCompletable(profile -> {
      ZoneId zone = zoneOf(profile.getString("timeZone"));
      Optional<Instant> until = until(args, Instant.now(), zone);
      if (until.isEmpty()) {
        return usage(run);
      }
      return saveDnd(run, new JsonObject().put("until", until.get().toString()),
          "Do not disturb is on until " + UNTIL_FORMAT.format(until.get().atZone(zone)) + ".");
    });
  }

  private Completable saveDnd(Run run, JsonObject dnd, String said) {
    return lookups.ask(run.caller(), Addresses.NOTIFICATION_SETTINGS_SAVE, new JsonObject().put("dnd", dnd))
        .flatMapCompletable(saved -> ephemeral(run, said, null));
  }

  private static ZoneId zoneOf(String timeZone) {
    try {
      return timeZone == null ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (java.time.DateTimeException e) {
      return ZoneOffset.UTC;
    }
  }

  /** When a /dnd duration ends: 30m, 1h, 2 hours, 1d; tomorrow: 09:00 of the next day in {@code zone}. */
  static Optional<Instant> until(String args, Instant now, ZoneId zone) {
    if (args.equals("tomorrow")) {
      return Optional.of(now.atZone(zone).toLocalDate().plusDays(1).atTime(9, 0).atZone(zone).toInstant());
    }
    var match = DURATION.matcher(args);
    if (!match.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(match.group(1));
    char unit = match.group(2).charAt(0);
    Duration length = unit == 'm' ? Duration.ofMinutes(amount) : unit == 'h' ? Duration.ofHours(amount)
        : Duration.ofDays(amount);
    if (length.isZero() || length.compareTo(Duration.ofDays(30)) > 0) {
      return Optional.empty();
    }
    return Optional.of(now.plus(length));
  }

  private Completable usage(Run run) {
    String[] about = BUILT_INS.get(run.name());
    return ephemeral(run, "Usage: " + run.name() + " " + about[1] + " (" + about[0] + ")", null);
  }

  private Completable help(Run run, String lead) {
    return store.commandsOf(run.workspaceId()).flatMapCompletable(custom -> {
      StringBuilder text = new StringBuilder(lead).append("Commands:\n");
      BUILT_INS.forEach((name, about) -> text.append(name).append(about[1].isEmpty() ? "" : " " + about[1])
          .append(" — ").append(about[0]).append('\n'));
      custom.forEach(command -> text.append(command.command())
          .append(command.usageHint().isEmpty() ? "" : " " + command.usageHint())
          .append(command.description().isEmpty() ? "" : " — " + command.description()).append('\n'));
      return ephemeral(run, text.toString().strip(), null);
    });
  }

  /** What only the invoker sees, on all their connections; never stored. */
  private Completable ephemeral(Run run, String text, SlackPayload.Post rich) {
    return Completable.fromAction(() -> publishEphemeral(run.caller(), run.chatId(), run.threadRootId(), run.name(),
        text, rich));
  }

  private void publishEphemeral(UUID userId, UUID chatId, UUID threadRootId, String command, String text,
                                SlackPayload.Post rich) {
    JsonObject body = new JsonObject().put("id", UUID.randomUUID().toString()).put("chatId", chatId.toString());
    if (threadRootId != null) {
      body.put("threadRootId", threadRootId.toString());
    }
    body.put("command", command).put("text", text);
    if (rich != null && !rich.attachments().isEmpty()) {
      body.put("attachments", rich.attachments());
    }
    if (rich != null && !rich.blocks().isEmpty()) {
      body.put("blocks", rich.blocks());
    }
    body.put("at", Instant.now().toString());
    Events.publish(vertx.eventBus(), new Event.CommandEphemeral(userId.toString(), body));
  }

  // Custom commands: the call, its answer, the response URL

  private void callCustom(Run run, CommandStore.Command command) {
    byte[] token = new byte[32];
    RANDOM.nextBytes(token);
    String secretToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    CommandStore.ResponseTarget target = new CommandStore.ResponseTarget(command.id(), command.command(),
        run.chatId(), run.caller(), run.threadRootId());
    store.createResponseUrl(Webhooks.sha256(secretToken), target,
            OffsetDateTime.now(ZoneOffset.UTC).plus(RESPONSE_URL_LIFETIME))
        .andThen(lookups.profile(run.caller()))
        .flatMapMaybe(profile -> {
          Buffer form = form(Map.of(
              "token", "", "team_id", run.workspaceId().toString(),
              "channel_id", run.chatId().toString(), "channel_name", run.chat().getString("name", ""),
              "user_id", run.caller().toString(), "user_name", profile.getString("username", ""),
              "command", command.command(), "text", run.args(),
              "response_url", publicUrl + RESPONSE_PREFIX + secretToken,
              "trigger_id", UUID.randomUUID().toString()));
          return deliveries.call(command.id(), command.url(), "application/x-www-form-urlencoded", form,
              command.secret(), CALL_TIMEOUT_MS)
              .switchIfEmpty(io.reactivex.rxjava3.core.Maybe.defer(() -> {
                publishEphemeral(run.caller(), run.chatId(), run.threadRootId(), command.command(),
                    "The command " + command.command() + " did not work: its service could not be reached or"
                        + " failed. Its owners see why in its delivery log.", null);
                return io.reactivex.rxjava3.core.Maybe.empty();
              }));
        })
        .flatMapCompletable(reply -> answer(target, reply.body(), true))
        .subscribe(() -> { }, failure -> {
          LOG.warn("command not run: command={} reason={}", command.id(), failure.toString());
          publishEphemeral(run.caller(), run.chatId(), run.threadRootId(), command.command(),
              "The command " + command.command() + " did not work: its answer could not be shown.", null);
        });
  }

  /**
   * A command's answer (its endpoint's reply, or a post to its response URL): a message in the chat when
   * {@code response_type} is {@code in_channel}, else for the invoker's eyes only. An empty body shows nothing (as
   * Slack does) when it is the endpoint's reply.
   */
  private Completable answer(CommandStore.ResponseTarget target, Buffer body, boolean emptyIsFine) {
    if (emptyIsFine && body.length() == 0) {
      return Completable.complete();
    }
    JsonObject payload;
    try {
      Object json = io.vertx.core.json.Json.decodeValue(body);
      if (!(json instanceof JsonObject object)) {
        return Completable.error(new OcommsException(Reason.INVALID_PAYLOAD, "the answer must be a JSON object"));
      }
      payload = object;
    } catch (DecodeException e) {
      if (emptyIsFine) {
        // A plain-text reply, as Slack shows it: to the invoker.
        payload = new JsonObject().put("text", body.toString(StandardCharsets.UTF_8));
      } else {
        return Completable.error(new OcommsException(Reason.INVALID_PAYLOAD, "the answer is not JSON"));
      }
    }
    return post(target, payload);
  }

  private Completable post(CommandStore.ResponseTarget target, JsonObject payload) {
    SlackPayload.Post post = SlackPayload.read(payload);
    if ("in_channel".equals(payload.getString("response_type"))) {
      JsonObject via = new JsonObject().put("commandId", target.commandId().toString()).put("name", target.command());
      JsonObject message = new JsonObject().put("chatId", target.chatId().toString())
          .put("clientId", UUID.randomUUID().toString()).put("content", post.text())
          .put("integration", new JsonObject().put("via", via)
              .put("attachments", post.attachments()).put("blocks", post.blocks()));
      if (target.threadRootId() != null) {
        message.put("replyTo", target.threadRootId().toString());
      }
      return lookups.ask(target.userId(), Addresses.WEBHOOK_POST, message).ignoreElement();
    }
    return Completable.fromAction(() -> publishEphemeral(target.userId(), target.chatId(), target.threadRootId(),
        target.command(), post.text(), post));
  }

  /** {@code integrations.commands.response {token, payload}} (from {@code POST /hooks/commands/<token>}). */
  Single<JsonObject> respond(Input body) {
    String token = body.string("token");
    if (!TOKEN.matcher(token).matches()) {
      return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such response URL"));
    }
    JsonObject payload = body.object("payload");
    SlackPayload.read(payload);
    return store.useResponseUrl(Webhooks.sha256(token), RESPONSE_URL_USES)
        .flatMap(found -> {
          if (found instanceof CommandStore.ResponseTarget target) {
            return post(target, payload).toSingleDefault(new JsonObject());
          }
          return Single.error(switch ((CommandStore.ResponseRefusal) found) {
            case EXPIRED -> new OcommsException(Reason.RESPONSE_URL_EXPIRED,
                "this response URL expired (30 minutes after the command ran)");
            case USED_UP -> new OcommsException(Reason.RESPONSE_URL_USED_UP,
                "this response URL was used " + RESPONSE_URL_USES + " times already");
            default -> new OcommsException(ErrorCode.NOT_FOUND, "no such response URL");
          });
        });
  }

  static Buffer form(Map<String, String> fields) {
    StringBuilder form = new StringBuilder();
    // A stable order, as Slack sends its fields.
    for (String key : java.util.List.of("token", "team_id", "channel_id", "channel_name", "user_id", "user_name",
        "command", "text", "response_url", "trigger_id")) {
      if (form.length() > 0) {
        form.append('&');
      }
      form.append(key).append('=').append(URLEncoder.encode(fields.getOrDefault(key, ""), StandardCharsets.UTF_8));
    }
    return Buffer.buffer(form.toString());
  }

  private static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
  }
}
