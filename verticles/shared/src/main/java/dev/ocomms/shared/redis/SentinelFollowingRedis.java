package dev.ocomms.shared.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A Sentinel-mode client that moves to a new master as soon as the sentinels announce it. The Vert.x sentinel client
 * caches the topology it asked for and, on {@code +switch-master}, reconnects its connections from that cache, so for
 * a while after a failover some commands still reach the old master; until the sentinel turns that server into a
 * replica it accepts them, and then drops them with its data. Here a sentinel's {@code +switch-master} for our master
 * (or a {@code READONLY} answer, the sign of talking to a demoted master) replaces the whole client: the new one asks
 * the sentinels afresh, and the old one's connections close once what is in flight on them has had time to finish.
 */
final class SentinelFollowingRedis implements Redis {
  private static final Logger LOG = LoggerFactory.getLogger(SentinelFollowingRedis.class);
  private static final long RETRY_MS = 1_000;
  private static final long OLD_CLIENT_GRACE_MS = 2_000;
  private static final long MIN_SWITCH_INTERVAL_MS = 1_000;

  private final Vertx vertx;
  private final Supplier<Redis> clients;
  private final List<String> sentinelUrls;
  private final String masterName;
  private final AtomicInteger nextSentinel = new AtomicInteger();
  private volatile Redis current;
  private volatile RedisConnection announcements;
  private volatile Redis announcementsClient;
  private volatile boolean closed;
  private volatile long lastSwitch;

  SentinelFollowingRedis(Vertx vertx, Supplier<Redis> clients, List<String> sentinelUrls, String masterName) {
    this.vertx = vertx;
    this.clients = clients;
    this.sentinelUrls = List.copyOf(sentinelUrls);
    this.masterName = masterName;
    this.current = clients.get();
    listen();
  }

  @Override
  public Future<RedisConnection> connect() {
    return current.connect();
  }

  @Override
  public Future<Response> send(Request command) {
    return current.send(command).onFailure(this::demotedMaster);
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return current.batch(commands).onFailure(this::demotedMaster);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    RedisConnection connection = announcements;
    if (connection != null) {
      connection.close();
    }
    Redis listener = announcementsClient;
    if (listener != null) {
      listener.close();
    }
    return current.close();
  }

  /** Listens to one sentinel after another (each in turn, while none answers) for {@code +switch-master}. */
  private void listen() {
    if (closed) {
      return;
    }
    String url = sentinelUrls.get(Math.floorMod(nextSentinel.getAndIncrement(), sentinelUrls.size()));
    Redis listener = Redis.createClient(vertx, new RedisOptions().setConnectionString(url));
    announcementsClient = listener;
    listener.connect()
        .onSuccess(connection -> {
          announcements = connection;
          connection.handler(this::announced);
          connection.exceptionHandler(failure -> relisten(listener, connection));
          connection.endHandler(ended -> relisten(listener, connection));
          connection.send(Request.cmd(Command.SUBSCRIBE).arg("+switch-master"))
              .onFailure(failure -> relisten(listener, connection));
        })
        .onFailure(failure -> relisten(listener, null));
  }

  private void relisten(Redis listener, RedisConnection connection) {
    if (connection != null) {
      connection.close();
    }
    listener.close();
    if (!closed) {
      vertx.setTimer(RETRY_MS, id -> listen());
    }
  }

  /** {@code ["message", "+switch-master", "<name> <old-ip> <old-port> <new-ip> <new-port>"]}. */
  private void announced(Response message) {
    if ((message.type() == ResponseType.PUSH || message.type() == ResponseType.MULTI) && message.size() == 3
        && "message".equalsIgnoreCase(message.get(0).toString())
        && message.get(2).toString().startsWith(masterName + " ")) {
      LOG.info("Redis master '{}' switched: following the sentinels to the new master", masterName);
      replaceClient();
    }
  }

  private void demotedMaster(Throwable failure) {
    String text = failure.getMessage();
    if (text != null && text.startsWith("READONLY") && System.currentTimeMillis() - lastSwitch > MIN_SWITCH_INTERVAL_MS) {
      LOG.warn("Redis answered READONLY (a demoted master): asking the sentinels for the master again");
      replaceClient();
    }
  }

  private synchronized void replaceClient() {
    if (closed) {
      return;
    }
    lastSwitch = System.currentTimeMillis();
    Redis old = current;
    current = clients.get();
    vertx.setTimer(OLD_CLIENT_GRACE_MS, id -> old.close());
  }
}
