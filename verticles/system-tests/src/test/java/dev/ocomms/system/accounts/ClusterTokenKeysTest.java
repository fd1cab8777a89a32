package dev.ocomms.system.accounts;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.keys.Es256KeyPair;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.rxjava3.ext.auth.jwt.JWTAuth;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes started with no access-token keys configured, each with a data directory of its own, sharing one PostgreSQL:
 * as a new node joins a cluster with nothing copied by hand. Nodes 0 and 1 run accounts and the gateway; node 2 only
 * a gateway, which gets the keys from accounts over the event bus.
 */
@DisplayName("Access-token keys agreed by the nodes of a cluster")
class ClusterTokenKeysTest {
  private static final List<Integer> GATEWAYS = List.of(0, 1, 2);
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder().nodes(3).servingNodes(2)
        .configure(config -> config.without(Setting.JWT_PRIVATE_KEY).without(Setting.JWT_PUBLIC_KEY))
        .deploy(AccountsVerticle::new).deploy(GatewayVerticle::new)
        .deployOn(2, GatewayVerticle::new)
        .start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  private static int me(int node, String token) {
    return system.call(node, HttpMethod.GET, "/users/me", token, null).statusCode();
  }

  private static String kidOf(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8))
        .getString("kid");
  }

  /** A login through {@code node}: a new session's access token. */
  private static String loginThrough(int node, Account account) {
    HttpResponse<Buffer> response = system.call(node, HttpMethod.POST, "/auth/login", null,
        new JsonObject().put("login", account.username()).put("password", account.password()));
    assertThat(response.statusCode()).as("login: %s", response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getString("accessToken");
  }

  private static String rotate() {
    HttpResponse<Buffer> response = system.ops(0, HttpMethod.POST, "/admin/token-keys/rotate");
    assertThat(response.statusCode()).as("rotate: %s", response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getString("kid");
  }

  @Test
  @DisplayName("a token issued through one node is accepted by every other node")
  void tokensAcceptedEverywhere() {
    Account account = system.register();
    String issuedOnNode1 = loginThrough(1, account);

    for (int node : GATEWAYS) {
      assertThat(me(node, account.token())).as("node 0's token on node %d", node).isEqualTo(200);
      assertThat(me(node, issuedOnNode1)).as("node 1's token on node %d", node).isEqualTo(200);
    }
    assertThat(kidOf(issuedOnNode1)).isEqualTo(kidOf(account.token()));
  }

  @Test
  @DisplayName("after a rotation, new tokens carry the new kid on every node and tokens of the previous key are"
      + " still accepted")
  void rotation() {
    Account account = system.register();
    String before = account.token();

    String current = rotate();

    assertThat(current).isNotEqualTo(kidOf(before));
    // Every accounts instance signs with the new key as soon as it has heard of the rotation.
    String after = issuedWith(0, account, current);
    assertThat(issuedWith(1, account, current)).isNotNull();
    for (int node : GATEWAYS) {
      assertThat(me(node, before)).as("the previous key's token on node %d", node).isEqualTo(200);
      assertThat(me(node, after)).as("the new key's token on node %d", node).isEqualTo(200);
    }
  }

  /** A token issued through {@code node} that carries {@code kid}, logging in again for a few seconds until one does. */
  private static String issuedWith(int node, Account account, String kid) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String token = loginThrough(node, account);
      if (kid.equals(kidOf(token)) || System.nanoTime() > deadline) {
        assertThat(kidOf(token)).as("the kid of a token issued through node %d", node).isEqualTo(kid);
        return token;
      }
      Blocking.pause(100);
    }
  }

  @Test
  @DisplayName("a token naming a key the cluster does not have is refused (401) by every node")
  void unknownKid() {
    Account account = system.register();
    Es256KeyPair stranger = Es256KeyPair.generate();
    String token = JWTAuth.create(system.cluster().node(0), new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
            .setAlgorithm("ES256").setBuffer(stranger.privateKey()).setId(stranger.kid())))
        .generateToken(ForgedTokens.claims(account.id()), new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));

    for (int node : GATEWAYS) {
      assertProblem(system.call(node, HttpMethod.GET, "/users/me", token, null), 401, "unauthorized");
    }
  }

  @Test
  @DisplayName("a token naming the cluster's key but signed with another is refused (401) by every node")
  void borrowedKid() {
    Account account = system.register();
    Es256KeyPair stranger = Es256KeyPair.generate();
    String token = JWTAuth.create(system.cluster().node(0), new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
            .setAlgorithm("ES256").setBuffer(stranger.privateKey()).setId(kidOf(account.token()))))
        .generateToken(ForgedTokens.claims(account.id()), new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));

    for (int node : GATEWAYS) {
      assertProblem(system.call(node, HttpMethod.GET, "/users/me", token, null), 401, "unauthorized");
    }
  }
}
