package dev.ocomms.notifications;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A push service run inside the test (a Vert.x HttpServer on a random loopback port) and the browsers subscribed to
 * it. Each browser has its own P-256 key pair and auth secret, as a real one; what the server posts to a browser's
 * endpoint is kept as it came, and {@link Received#payload()} decrypts it as RFC 8291 says (ECDH with the browser's
 * private key, HKDF with the auth secret, AES-128-GCM), with nothing but the JDK's JCA. {@link Received#vapid()}
 * checks the RFC 8292 Authorization header: an ES256 JWT signed by the key in {@code k}, whose {@code aud} is the
 * endpoint's origin without the port (the Web Push library leaves the port out).
 */
final class PushEndpoint implements AutoCloseable {
  /** What a browser's push service answers. */
  enum Behaviour { ACCEPT, GONE, HANG }

  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private final HttpServer server;
  private final Map<String, Browser> browsers = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  /** A browser subscribed with this push service. */
  final class Browser {
    final String token = UUID.randomUUID().toString();
    final KeyPair keys;
    final byte[] auth = new byte[16];
    volatile Behaviour behaviour;

    private Browser(Behaviour behaviour) throws Exception {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      this.keys = generator.generateKeyPair();
      new SecureRandom().nextBytes(auth);
      this.behaviour = behaviour;
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.actualPort() + "/push/" + token;
    }

    /** What PushSubscription.toJSON() gives: {endpoint, expirationTime, keys: {p256dh, auth}}. */
    JsonObject subscription() {
      return new JsonObject().put("endpoint", endpoint()).putNull("expirationTime")
          .put("keys", new JsonObject().put("p256dh", ENCODE.encodeToString(point((ECPublicKey) keys.getPublic())))
              .put("auth", ENCODE.encodeToString(auth)));
    }

    /** What this browser received, oldest first. */
    List<Received> received() {
      return received.stream().filter(r -> r.browser == this).toList();
    }

    /** Waits for a push to this browser that decrypts to a payload matching {@code test}. */
    Received await(Predicate<JsonObject> test, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (Received push : received()) {
          if (test.test(push.payload())) {
            return push;
          }
        }
        sleep(50);
      }
      throw new AssertionError("no such push within " + timeout + "; received " + received().size());
    }

    /** Waits until this browser received at least {@code count} requests (of any kind). */
    void awaitRequests(int count, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (received().size() < count) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("only " + received().size() + " requests within " + timeout);
        }
        sleep(50);
      }
    }
  }

  /** One request the server sent to a browser's endpoint. */
  final class Received {
    final Browser browser;
    final Map<String, String> headers;
    final byte[] body;

    private Received(Browser browser, Map<String, String> headers, byte[] body) {
      this.browser = browser;
      this.headers = headers;
      this.body = body;
    }

    String header(String name) {
      return headers.get(name.toLowerCase());
    }

    /** The payload, decrypted as RFC 8291 says (aes128gcm, one record). */
    JsonObject payload() {
      try {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        in.get(salt);
        in.getInt(); // record size
        byte[] serverKey = new byte[in.get() & 0xff];
        in.get(serverKey);
        byte[] ciphertext = new byte[in.remaining()];
        in.get(ciphertext);

        ECPublicKey browserPublic = (ECPublicKey) browser.keys.getPublic();
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(browser.keys.getPrivate());
        agreement.doPhase(publicKey(serverKey), true);
        byte[] ecdhSecret = agreement.generateSecret();

        byte[] keyInfo = concat("WebPush: info".getBytes(StandardCharsets.US_ASCII), new byte[] {0},
            point(browserPublic), serverKey);
        byte[] ikm = hkdf(browser.auth, ecdhSecret, keyInfo, 32);
        byte[] cek = hkdf(salt, ikm, concat("Content-Encoding: aes128gcm".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0}), 16);
        byte[] nonce = hkdf(salt, ikm, concat("Content-Encoding: nonce".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0}), 12);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] padded = cipher.doFinal(ciphertext);
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
          end--;
        }
        if (end < 0 || padded[end] != 2) {
          throw new AssertionError("the last record's delimiter (0x02) is missing");
        }
        return new JsonObject(new String(padded, 0, end, StandardCharsets.UTF_8));
      } catch (AssertionError e) {
        throw e;
      } catch (Exception e) {
        throw new AssertionError("the push does not decrypt: " + e, e);
      }
    }

    /**
     * The VAPID token's claims, once its signature is checked with the key the header names ({@code vapid t=<jwt>,
     * k=<key>}); the key itself is in {@code k} of the answer.
     */
    JsonObject vapid() {
      String authorization = header("Authorization");
      if (authorization == null || !authorization.startsWith("vapid ")) {
        throw new AssertionError("no VAPID Authorization header: " + authorization);
      }
      Map<String, String> parts = new TreeMap<>();
      for (String part : authorization.substring("vapid ".length()).split(",")) {
        String[] pair = part.trim().split("=", 2);
        parts.put(pair[0], pair[1]);
      }
      String[] jwt = parts.get("t").split("\\.");
      try {
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(publicKey(BASE64URL.decode(parts.get("k"))));
        verifier.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        if (!verifier.verify(BASE64URL.decode(jwt[2]))) {
          throw new AssertionError("the VAPID token's ES256 signature does not verify with k");
        }
      } catch (AssertionError e) {
        throw e;
      } catch (Exception e) {
        throw new AssertionError("the VAPID token cannot be checked: " + e, e);
      }
      JsonObject header = new JsonObject(new String(BASE64URL.decode(jwt[0]), StandardCharsets.UTF_8));
      if (!"ES256".equals(header.getString("alg"))) {
        throw new AssertionError("the VAPID token is not ES256: " + header);
      }
      return new JsonObject(new String(BASE64URL.decode(jwt[1]), StandardCharsets.UTF_8)).put("k", parts.get("k"));
    }
  }

  private PushEndpoint(HttpServer server) {
    this.server = server;
  }

  static PushEndpoint start(Vertx vertx) {
    PushEndpoint[] endpoint = new PushEndpoint[1];
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    server.requestHandler(request -> request.body().onSuccess(body -> {
      String path = request.path();
      Browser browser = endpoint[0].browsers.get(path.substring(path.lastIndexOf('/') + 1));
      if (browser == null) {
        request.response().setStatusCode(404).end();
        return;
      }
      Map<String, String> headers = new TreeMap<>();
      request.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
      endpoint[0].received.add(endpoint[0].new Received(browser, headers, body.getBytes()));
      switch (browser.behaviour) {
        case ACCEPT -> request.response().setStatusCode(201).end();
        case GONE -> request.response().setStatusCode(410).end();
        case HANG -> { }
      }
    }));
    endpoint[0] = new PushEndpoint(server);
    try {
      server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the push endpoint did not start", e);
    }
    return endpoint[0];
  }

  Browser browser(Behaviour behaviour) {
    try {
      Browser browser = new Browser(behaviour);
      browsers.put(browser.token, browser);
      return browser;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  List<Received> received() {
    return new ArrayList<>(received);
  }

  @Override
  public void close() {
    server.close();
  }

  // RFC 8291 by hand

  private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    byte[] okm = mac.doFinal(concat(info, new byte[] {1}));
    return Arrays.copyOf(okm, length);
  }

  private static ECPublicKey publicKey(byte[] point) throws Exception {
    if (point.length != 65 || point[0] != 4) {
      throw new AssertionError("not an uncompressed P-256 point: " + point.length + " bytes");
    }
    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
    parameters.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
    ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
        new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
    return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
  }

  static byte[] point(ECPublicKey key) {
    return concat(new byte[] {4}, unsigned(key.getW().getAffineX()), unsigned(key.getW().getAffineY()));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] fixed = new byte[32];
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, fixed, 32 - length, length);
    return fixed;
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
