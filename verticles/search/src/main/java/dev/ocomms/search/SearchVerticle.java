package dev.ocomms.search;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.shared.node.Node;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.core.shareddata.LocalMap;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Message search (schema {@code search}). Its index is fed from messaging's durable event stream ({@link SearchIndex},
 * never part of a send) and read by {@code search.query} ({@link SearchActions}): messages with operators, people and
 * channels by prefix, and channel notes (fed from the notes verticle: {@link NoteIndex}). Searches use a pool of their own, whose statements are planned for their arguments (a common
 * word and a rare one want different plans) and stopped after {@link #STATEMENT_TIMEOUT_MS}, past which the client has
 * been told {@code search_unavailable} anyway; indexing uses another, so that searches never wait behind it. One
 * instance per node follows the event stream (the node runs one per core to serve searches): more would read every
 * page again only to find it stored.
 */
public class SearchVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(SearchVerticle.class);
  static final long STATEMENT_TIMEOUT_MS = 2_000;
  private static final String ROLES = "ocomms.search.roles";
  private static final String FOLLOWER = "follower";

  private Pool indexing;
  private Pool searching;
  private Redis redis;
  private SearchIndex index;
  private NoteIndex notes;
  private final String instanceId = UUID.randomUUID().toString();

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "search-index")
        .doOnSuccess(pool -> indexing = pool)
        // Searches may lag the index by a moment (it already lags messages by its follower): the read replica serves
        // them when there is one.
        .flatMap(pool -> PgClients.connectedReplicaPool(vertx, settings, "search-query", Map.of(
            "plan_cache_mode", "force_custom_plan",
            // A search reads a few months in order and stops early; parallel workers would only compete with the
            // other searches for the cores.
            "max_parallel_workers_per_gather", "0",
            "statement_timeout", Long.toString(STATEMENT_TIMEOUT_MS))))
        .doOnSuccess(pool -> searching = pool)
        .flatMap(pool -> RedisClients.connectedClient(vertx, settings))
        .doOnSuccess(client -> redis = client)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "search")))
        .andThen(Completable.defer(this::serve));
  }

  private Completable serve() {
    LocalMap<String, String> roles = vertx.sharedData().getLocalMap(ROLES);
    boolean follower = roles.putIfAbsent(FOLLOWER, instanceId) == null;
    index = new SearchIndex(vertx, indexing, Node.meters(vertx));
    SearchActions actions = new SearchActions(new MessageSearch(searching), new NoteSearch(searching),
        new Directory(vertx), RateLimiter.create(vertx, redis));
    Map<String, Function<BusRequest, Single<JsonObject>>> requests = Map.of(Addresses.SEARCH_QUERY, actions::query);
    Map<String, Function<Input, Single<JsonObject>>> internal = Map.of(Addresses.SEARCH_REINDEX,
        body -> index.reindex()
            .doOnComplete(() -> {
              LOG.info("search index dropped; rebuilding from the event stream");
              vertx.eventBus().publish(Addresses.SEARCH_INDEX_RESET, new JsonObject());
            })
            .toSingleDefault(new JsonObject()));
    Completable following = Completable.complete();
    if (follower) {
      MessageConsumer<JsonObject> resets = vertx.eventBus().consumer(Addresses.SEARCH_INDEX_RESET,
          message -> index.reset());
      notes = new NoteIndex(vertx, indexing);
      following = index.start().andThen(resets.rxCompletion()).andThen(Completable.defer(notes::start));
    }
    return following
        .andThen(BusService.serve(vertx, requests))
        .andThen(BusService.serveInternal(vertx, internal))
        .doOnComplete(() -> LOG.info("search ready"));
  }

  @Override
  public Completable rxStop() {
    Duration grace = Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds());
    // Searches begun are answered and the page being indexed is stored (with its cursor) before the pools close.
    return BusService.drain(vertx, grace)
        .andThen(Completable.defer(() -> {
          boolean following = vertx.sharedData().<String, String>getLocalMap(ROLES).removeIfPresent(FOLLOWER, instanceId);
          if (index == null || !following) {
            return Completable.complete();
          }
          return (notes == null ? Completable.complete() : notes.stop()).andThen(Completable.defer(index::stop));
        }))
        .andThen(Completable.defer(() -> close(searching)))
        .andThen(Completable.defer(() -> close(indexing)))
        .doFinally(() -> {
          if (redis != null) {
            redis.close();
          }
        });
  }

  private static Completable close(Pool pool) {
    return pool == null ? Completable.complete() : pool.rxClose();
  }
}
