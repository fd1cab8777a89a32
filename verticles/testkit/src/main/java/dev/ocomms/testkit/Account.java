package dev.ocomms.testkit;

import io.vertx.core.json.JsonObject;

/**
 * A registered account, with what registering it answered ({@code signUp}: the user and its first session). Tests
 * sign in again with {@link #username()} or {@link #email()} and {@link #password()}.
 */
public record Account(String id, String username, String email, String displayName, String password,
                      JsonObject signUp) {

  /** The access token of the first session. */
  public String token() {
    return signUp.getString("accessToken");
  }

  public String refreshToken() {
    return signUp.getString("refreshToken");
  }

  public Tokens tokens() {
    return Tokens.of(signUp);
  }

  /** The session as the web client keeps it in localStorage. */
  public JsonObject clientSession() {
    return new JsonObject()
        .put("user", signUp.getJsonObject("user"))
        .put("accessToken", token())
        .put("refreshToken", refreshToken())
        .put("expiresAt", System.currentTimeMillis() + signUp.getLong("expiresIn") * 1000);
  }

  /** The access and refresh token of one session. */
  public record Tokens(String accessToken, String refreshToken) {
    public static Tokens of(JsonObject body) {
      return new Tokens(body.getString("accessToken"), body.getString("refreshToken"));
    }
  }
}
