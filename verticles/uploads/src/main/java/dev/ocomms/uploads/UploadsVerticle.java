package dev.ocomms.uploads;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.shared.redis.RedisClients;
import dev.ocomms.uploads.inspect.FileInspector;
import dev.ocomms.uploads.inspect.Previews;
import dev.ocomms.uploads.storage.FileStorage;
import dev.ocomms.uploads.storage.FileStorages;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.core.http.HttpServer;
import io.vertx.rxjava3.core.shareddata.LocalMap;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.handler.BodyHandler;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * File sharing (schema {@code uploads}). File bytes never travel the event bus: this verticle serves an HTTP port of
 * its own on the cluster host ({@code OCOMMS_UPLOADS_PORT}), tells where on {@code uploads.endpoint}, and gateways
 * stream {@code /api/v1/files*}, avatars and chats' file lists to it after they have authenticated the caller
 * (docs/architecture.md, "File bytes"). Bytes live in the file storage (a directory or S3); what they are and who may
 * read them lives here. Messaging claims a message's files over the bus ({@link Attachments}); files no message
 * carries are swept after a grace period ({@link OrphanSweep}).
 */
public class UploadsVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(UploadsVerticle.class);
  private static final String ROLES = "ocomms.uploads.roles";
  private static final String FOLLOWER = "follower";

  private final String instanceId = UUID.randomUUID().toString();
  private OcommsConfig settings;
  private Pool pg;
  private Redis redis;
  private FileStorage storage;
  private Previews previews;
  private HttpServer server;
  private Attachments attachments;
  private OrphanSweep sweep;
  private boolean following;

  @Override
  public Completable rxStart() {
    settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "uploads")
        .doOnSuccess(pool -> pg = pool)
        .flatMap(pool -> RedisClients.connectedClient(vertx, settings))
        .doOnSuccess(client -> redis = client)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "uploads")))
        .andThen(Single.defer(() -> FileStorages.start(vertx, settings)))
        .doOnSuccess(started -> storage = started)
        .ignoreElement()
        .andThen(Completable.defer(this::serve));
  }

  private Completable serve() {
    Path incoming = Path.of(settings.uploadsDir(), ".incoming");
    previews = new Previews(vertx);
    FileInspector inspector = new FileInspector(vertx, settings);
    FileStore store = new FileStore(pg);
    ReadAccess access = new ReadAccess(vertx, store);
    Uploading uploading = new Uploading(vertx, store, storage, inspector, previews, RateLimiter.create(vertx, redis),
        access, settings.uploadsPerMinute(), settings.uploadsMaxBytes(), settings.uploadsQuotaBytes(), incoming);
    Serving serving = new Serving(store, storage, access);
    Avatars avatars = new Avatars(vertx, store, inspector, previews, uploading);
    ChatFiles chatFiles = new ChatFiles(store, access, uploading, settings.uploadsAllowedTypes());
    attachments = new Attachments(vertx, pg, store);
    sweep = new OrphanSweep(vertx, store, storage);

    // The body handlers run after the checks that decide whether a body is read at all (Vert.x Web would put them
    // first if added as body handlers; as plain handlers they run where they stand, the request paused until then).
    BodyHandler files = receiving(incoming, uploading.maxBytes());
    BodyHandler avatarImages = receiving(incoming, Avatars.MAX_BYTES);
    Router router = Router.router(vertx);
    router.post("/api/v1/files")
        .handler(ctx -> uploading.admit(ctx, uploading.maxBytes(), true))
        .handler(files::handle)
        .handler(uploading::receiveFile);
    router.put("/api/v1/users/me/avatar")
        .handler(ctx -> uploading.admit(ctx, Avatars.MAX_BYTES, false))
        .handler(avatarImages::handle)
        .handler(avatars::set);
    router.delete("/api/v1/users/me/avatar").handler(avatars::remove);
    router.get("/api/v1/files/limits").handler(chatFiles::limits);
    router.get("/api/v1/files/:fileId").handler(serving::file);
    router.get("/api/v1/files/:fileId/thumbnail").handler(serving::thumbnail);
    router.get("/api/v1/chats/:chatId/files").handler(chatFiles::list);
    router.get("/api/v1/avatars/:avatarId").handler(serving::avatar);
    router.route().last().handler(ctx -> ctx.fail(new OcommsException(ErrorCode.NOT_FOUND)));
    router.route().failureHandler(HttpExchange::fail);

    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(settings.clusterHost())
        .setPort(settings.uploadsPort())
        .setIdleTimeout(settings.httpIdleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS));
    server.requestHandler(router);

    Map<String, Function<Input, Single<JsonObject>>> internal = Map.of(
        Addresses.UPLOADS_FILES_CLAIM, attachments::claim,
        Addresses.UPLOADS_SWEEP, sweep::sweepNow);
    LocalMap<String, String> roles = vertx.sharedData().getLocalMap(ROLES);
    following = roles.putIfAbsent(FOLLOWER, instanceId) == null;
    return vertx.fileSystem().rxMkdirs(incoming.toString())
        .andThen(server.rxListen())
        .flatMapCompletable(listening -> {
          JsonObject endpoint = new JsonObject().put("host", settings.clusterHost()).put("port", listening.actualPort());
          MessageConsumer<JsonObject> endpoints = vertx.eventBus().consumer(Addresses.UPLOADS_ENDPOINT,
              message -> message.reply(endpoint));
          LOG.info("uploads listening: host={} port={} storage={}", settings.clusterHost(), listening.actualPort(),
              settings.uploadsStorage().name().toLowerCase());
          return endpoints.rxCompletion();
        })
        .andThen(following ? attachments.start() : Completable.complete())
        .doOnComplete(sweep::start)
        .andThen(BusService.serveInternal(vertx, internal));
  }

  /**
   * Streams the body's file part to a temporary file under {@code incoming}, refusing a body past the limit (and the
   * multipart framing around it); the temporary file goes when the answer has been sent.
   */
  private static BodyHandler receiving(Path incoming, long limitBytes) {
    return BodyHandler.create(incoming.toString())
        .setBodyLimit(limitBytes + Uploading.MULTIPART_OVERHEAD_BYTES)
        .setHandleFileUploads(true)
        .setDeleteUploadedFilesOnEnd(true)
        .setMergeFormAttributes(false);
  }

  @Override
  public Completable rxStop() {
    Duration grace = Duration.ofSeconds(settings.shutdownGraceSeconds());
    if (sweep != null) {
      sweep.stop();
    }
    return BusService.drain(vertx, grace)
        .andThen(Completable.defer(() -> server == null ? Completable.complete()
            : server.rxShutdown(grace.toMillis(), TimeUnit.MILLISECONDS).onErrorComplete()))
        .andThen(Completable.defer(() -> {
          boolean wasFollowing = vertx.sharedData().<String, String>getLocalMap(ROLES)
              .removeIfPresent(FOLLOWER, instanceId);
          return attachments != null && wasFollowing ? attachments.stop() : Completable.complete();
        }))
        .andThen(Completable.defer(() -> storage == null ? Completable.complete() : storage.close().onErrorComplete()))
        .andThen(Completable.defer(() -> pg == null ? Completable.complete() : pg.rxClose()))
        .doFinally(() -> {
          if (previews != null) {
            previews.close();
          }
          if (redis != null) {
            redis.close();
          }
        });
  }
}
