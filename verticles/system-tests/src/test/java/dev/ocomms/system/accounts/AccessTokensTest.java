package dev.ocomms.system.accounts;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.keys.Es256KeyPair;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Access tokens on authenticated routes")
class AccessTokensTest {
  private static TestSystem gateway;
  private static OcommsConfig config;

  @BeforeAll
  static void start() {
    gateway = TestSystem.builder().deploy(AccountsVerticle::new).deploy(GatewayVerticle::new).start();
    config = gateway.cluster().config(0);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static JsonObject claims(String userId) {
    return ForgedTokens.claims(userId);
  }

  private static String signEs256(String privateKeyPem, JsonObject claims) {
    return ForgedTokens.signEs256(gateway.cluster().node(0), privateKeyPem, claims);
  }

  private static JsonObject meRefused(String token) {
    return assertProblem(gateway.get("/users/me", token), 401, "unauthorized");
  }

  @Test
  @DisplayName("issued access tokens are ES256 JWTs naming their key, the user and a session, expiring after 15"
      + " minutes")
  void issuedTokens() {
    Account account = gateway.register();
    String[] parts = account.token().split("\\.");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    JsonObject claims = ForgedTokens.claimsOf(account.token());

    assertThat(header.getString("alg")).isEqualTo("ES256");
    // Signed with the configured key (configured keys win over the cluster's stored ones), which the kid names.
    assertThat(header.getString("kid")).isEqualTo(Es256KeyPair.kidOf(config.jwtPublicKey().orElseThrow()));
    assertThat(claims.getString("sub")).isEqualTo(account.id());
    assertThat(UUID.fromString(claims.getString("sid"))).isNotNull();
    assertThat(claims.getString("iss")).isEqualTo("ocomms");
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(900);
  }

  @Test
  @DisplayName("a token signed with the configured key and well-formed claims is accepted (the control case)")
  void wellFormedTokenAccepted() {
    Account account = gateway.register();
    String token = signEs256(config.jwtPrivateKey().orElseThrow(), claims(account.id()));

    HttpResponse<Buffer> response = gateway.get("/users/me", token);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(account.id());
  }

  @Test
  @DisplayName("a token signed with another EC key is refused")
  void forgedSignature() {
    Account account = gateway.register();
    meRefused(signEs256(Es256KeyPair.generate().privateKey(), claims(account.id())));
  }

  @Test
  @DisplayName("an expired token signed with the configured key is refused")
  void expired() {
    Account account = gateway.register();
    long now = System.currentTimeMillis() / 1000;
    meRefused(signEs256(config.jwtPrivateKey().orElseThrow(),
        claims(account.id()).put("iat", now - 1000).put("exp", now - 100)));
  }

  @Test
  @DisplayName("a token accepted before is refused once it has expired (its checked signature does not outlive it)")
  void acceptedTokenRefusedAfterExpiry() throws InterruptedException {
    Account account = gateway.register();
    long expiresAt = System.currentTimeMillis() / 1000 + 2;
    String token = signEs256(config.jwtPrivateKey().orElseThrow(), claims(account.id()).put("exp", expiresAt));
    assertThat(gateway.get("/users/me", token).statusCode()).isEqualTo(200);

    Thread.sleep(Math.max(0, expiresAt * 1000 + 200 - System.currentTimeMillis()));
    meRefused(token);
  }

  @Test
  @DisplayName("a token with alg 'none' and no signature is refused")
  void algNone() {
    Account account = gateway.register();
    meRefused(ForgedTokens.algNone(claims(account.id())));
  }

  @Test
  @DisplayName("an HS256 token using the public key PEM as the HMAC secret is refused")
  void hs256WithPublicKeyAsSecret() {
    Account account = gateway.register();
    meRefused(ForgedTokens.hs256WithKeyAsSecret(claims(account.id()), config.jwtPublicKey().orElseThrow()));
  }

  @Test
  @DisplayName("a token from another issuer or for another audience is refused")
  void wrongIssuerOrAudience() {
    Account account = gateway.register();
    String key = config.jwtPrivateKey().orElseThrow();
    meRefused(signEs256(key, claims(account.id()).put("iss", "someone-else")));
    meRefused(signEs256(key, claims(account.id()).put("aud", new JsonArray().add("someone-else"))));
  }

  @Test
  @DisplayName("a correctly signed token without a session claim is refused")
  void missingSessionClaim() {
    Account account = gateway.register();
    JsonObject claims = claims(account.id());
    claims.remove("sid");
    meRefused(signEs256(config.jwtPrivateKey().orElseThrow(), claims));
  }

  @Test
  @DisplayName("a token whose payload was altered after signing is refused")
  void tamperedPayload() {
    Account victim = gateway.register();
    Account attacker = gateway.register();
    String[] parts = attacker.token().split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    String tampered = parts[0] + "." + ForgedTokens.base64Url(payload.put("sub", victim.id()).encode()) + "." + parts[2];

    meRefused(tampered);
  }

  @Test
  @DisplayName("garbage in place of a token is refused")
  void garbage() {
    meRefused("garbage");
    meRefused("a.b.c");
    meRefused("....");
    meRefused("x".repeat(5000));
  }

  @Test
  @DisplayName("a missing Authorization header is refused")
  void missingHeader() {
    meRefused(null);
  }

  @Test
  @DisplayName("an Authorization header with another scheme or no token is refused")
  void otherScheme() {
    Account account = gateway.register();
    for (String header : new String[] {"Basic " + account.token(), "Bearer", "Bearer ", account.token()}) {
      HttpResponse<Buffer> response = gateway.request(HttpMethod.GET, TestSystem.API + "/users/me")
          .putHeader("Authorization", header).rxSend().blockingGet();
      assertProblem(response, 401, "unauthorized");
    }
  }

  @Test
  @DisplayName("the Bearer scheme name is case-insensitive")
  void bearerCaseInsensitive() {
    Account account = gateway.register();
    HttpResponse<Buffer> response = gateway.request(HttpMethod.GET, TestSystem.API + "/users/me")
        .putHeader("Authorization", "bearer " + account.token()).rxSend().blockingGet();
    assertThat(response.statusCode()).isEqualTo(200);
  }
}
