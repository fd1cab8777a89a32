package dev.ocomms.testkit.bridge;

import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.function.Predicate;

/** Client frames of the bridge wire protocol, and predicates over the server's frames. */
public final class Frames {
  private Frames() {
  }

  public static JsonObject withToken(JsonObject frame, String token) {
    return token == null ? frame : frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
  }

  /** A register whose success the server acknowledges on the returned frame's {@code replyAddress}. */
  public static JsonObject register(String address, String token) {
    return withToken(new JsonObject().put("type", "register").put("address", address)
        .put("replyAddress", replyAddress()), token);
  }

  public static JsonObject unregister(String address, String token) {
    return withToken(new JsonObject().put("type", "unregister").put("address", address), token);
  }

  /** A request: a send with a fresh {@code replyAddress}. */
  public static JsonObject request(String address, JsonObject body, String token) {
    return withToken(new JsonObject().put("type", "send").put("address", address).put("body", body)
        .put("replyAddress", replyAddress()), token);
  }

  /** A send without a {@code replyAddress}: the client asks for no answer. */
  public static JsonObject send(String address, JsonObject body, String token) {
    return withToken(new JsonObject().put("type", "send").put("address", address).put("body", body), token);
  }

  public static JsonObject publish(String address, JsonObject body, String token) {
    return withToken(new JsonObject().put("type", "publish").put("address", address).put("body", body), token);
  }

  public static String replyAddress() {
    return UUID.randomUUID().toString();
  }

  // Server frames

  public static Predicate<JsonObject> rec(String address) {
    return frame -> "rec".equals(frame.getString("type")) && address.equals(frame.getString("address"));
  }

  /** An event delivered on {@code address} whose body has this {@code marker}. */
  public static Predicate<JsonObject> event(String address, String marker) {
    return rec(address).and(frame -> frame.getValue("body") instanceof JsonObject body
        && marker.equals(body.getString("marker")));
  }

  /** An event delivered on {@code address} whose body has this {@code type} (such as {@code message.new}). */
  public static Predicate<JsonObject> eventOfType(String address, String type) {
    return rec(address).and(frame -> frame.getValue("body") instanceof JsonObject body
        && type.equals(body.getString("type")));
  }

  /** Any frame that mentions {@code address} (a delivery or an error about it). */
  public static Predicate<JsonObject> about(String address) {
    return frame -> address.equals(frame.getString("address"));
  }

  public static Predicate<JsonObject> err(String address) {
    return frame -> "err".equals(frame.getString("type")) && address.equals(frame.getString("address"));
  }

  /** An error with this wire code, whatever its address. */
  public static Predicate<JsonObject> errCode(String code) {
    return frame -> "err".equals(frame.getString("type")) && code.equals(frame.getString("message"));
  }

  public static Predicate<JsonObject> any() {
    return frame -> true;
  }

  /** A test event: unique, so that each assertion knows exactly which event it sees. */
  public static JsonObject testEvent(String marker) {
    return new JsonObject().put("type", "test.event").put("marker", marker);
  }

  public static String marker() {
    return UUID.randomUUID().toString();
  }
}
