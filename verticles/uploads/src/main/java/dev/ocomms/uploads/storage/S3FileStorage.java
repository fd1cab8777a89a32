package dev.ocomms.uploads.storage;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.OcommsConfig;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.rxjava3.core.Context;
import io.vertx.rxjava3.core.RxHelper;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketConfiguration;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Objects in a bucket of an S3-compatible store (AWS S3, MinIO, Ceph, Garage...), for clusters: a file uploaded
 * through one node is downloadable through every other, which a local disk cannot give.
 *
 * <p>The AWS SDK's async client runs on its own Netty event loops (it cannot share Vert.x's); every result is brought
 * back onto the Vert.x context that asked, so callers never run on SDK threads.
 */
public final class S3FileStorage implements FileStorage {
  private static final Logger LOG = LoggerFactory.getLogger(S3FileStorage.class);
  // Chunks a download may hold between the SDK and the Vert.x context; what bounds its memory, with the SDK's own.
  private static final int DOWNLOAD_PREFETCH_CHUNKS = 16;

  /**
   * Where and how to reach the store.
   *
   * @param accessKey static credentials with {@code secretKey}; empty: the SDK's default chain (environment, profile,
   *     instance role)
   */
  public record Settings(URI endpoint, String region, String bucket, boolean pathStyle, Optional<String> accessKey,
                         Optional<String> secretKey) {

    /**
     * The S3 settings of a configuration.
     *
     * @throws ConfigException when the bucket or the endpoint is missing
     */
    public static Settings from(OcommsConfig config) {
      String endpoint = config.s3Endpoint().orElseThrow(() ->
          new ConfigException("OCOMMS_UPLOADS_STORAGE=s3 needs OCOMMS_S3_ENDPOINT / s3Endpoint"));
      String bucket = config.s3Bucket().orElseThrow(() ->
          new ConfigException("OCOMMS_UPLOADS_STORAGE=s3 needs OCOMMS_S3_BUCKET / s3Bucket"));
      return new Settings(URI.create(endpoint), config.s3Region(), bucket, config.s3PathStyle(), config.s3AccessKey(),
          config.s3SecretKey());
    }

    /** Never prints the secret key. */
    @Override
    public String toString() {
      return "endpoint=" + endpoint + " region=" + region + " bucket=" + bucket + " pathStyle=" + pathStyle
          + " credentials=" + (accessKey.isPresent() ? "static" : "default chain");
    }
  }

  private final Vertx vertx;
  /** The SDK's own event loops (it cannot share Vert.x's): ours, so that closing need not wait the 2 s quiet period. */
  private final EventLoopGroup sdkLoops;
  private final S3AsyncClient s3;
  private final String bucket;

  private S3FileStorage(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    // The SDK recognises the classic NIO group only (it picks its datagram channel by the group's class).
    this.sdkLoops = new NioEventLoopGroup(2);
    this.s3 = client(settings, sdkLoops);
    this.bucket = settings.bucket();
  }

  /** A storage in the configured bucket, which is created if missing. */
  public static Single<FileStorage> start(Vertx vertx, Settings settings) {
    return Single.defer(() -> {
      S3FileStorage storage = new S3FileStorage(vertx, settings);
      return storage.createBucketIfMissing(settings.region())
          .doOnComplete(() -> LOG.info("S3 file storage ready: {}", settings))
          .onErrorResumeNext(failure -> storage.close().onErrorComplete().andThen(Completable.error(failure)))
          .toSingleDefault(storage);
    });
  }

  private static S3AsyncClient client(Settings settings, EventLoopGroup loops) {
    AwsCredentialsProvider credentials = settings.accessKey().isPresent()
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey().get(),
            settings.secretKey().orElseThrow(() -> new ConfigException("OCOMMS_S3_ACCESS_KEY needs OCOMMS_S3_SECRET_KEY"))))
        : DefaultCredentialsProvider.builder().build();
    return S3AsyncClient.builder()
        .endpointOverride(settings.endpoint())
        .region(Region.of(settings.region()))
        .forcePathStyle(settings.pathStyle())
        .credentialsProvider(credentials)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .eventLoopGroup(SdkEventLoopGroup.create(loops, NioSocketChannel::new)))
        .build();
  }

  private Completable createBucketIfMissing(String region) {
    return onContext(() -> s3.headBucket(b -> b.bucket(bucket)))
        .ignoreElement()
        .onErrorResumeNext(failure -> {
          if (!isNotFound(failure)) {
            return Completable.error(failure);
          }
          CreateBucketRequest.Builder create = CreateBucketRequest.builder().bucket(bucket);
          // us-east-1 is S3's default location and must not be named; every other region must be.
          if (!Region.US_EAST_1.id().equals(region)) {
            create.createBucketConfiguration(CreateBucketConfiguration.builder().locationConstraint(region).build());
          }
          return onContext(() -> s3.createBucket(create.build()))
              .doOnSuccess(created -> LOG.info("S3 bucket created: bucket={}", bucket))
              .ignoreElement()
              // Another node starting at the same time created it first.
              .onErrorResumeNext(race -> race instanceof BucketAlreadyOwnedByYouException
                  ? Completable.complete() : Completable.error(race));
        });
  }

  @Override
  public Completable store(String key, Path file, long size, String contentType) {
    return Completable.defer(() -> {
      StorageKeys.requireValid(key);
      // One PUT, read from the file by the SDK's own threads; S3 replaces an object atomically.
      return onContext(() -> s3.putObject(put -> put.bucket(bucket).key(key).contentLength(size).contentType(contentType),
          AsyncRequestBody.fromFile(file))).ignoreElement();
    });
  }

  @Override
  public Maybe<StoredContent> read(String key, ByteRange range) {
    return Maybe.defer(() -> {
      StorageKeys.requireValid(key);
      // A HEAD first, so that the body can stay cold: a GET's response would hold a connection until consumed.
      return onContext(() -> s3.headObject(head -> head.bucket(bucket).key(key)))
          .toMaybe()
          .onErrorResumeNext(failure -> isNotFound(failure) ? Maybe.empty() : Maybe.error(failure))
          .map(head -> {
            long totalSize = head.contentLength();
            long length = range.lengthWithin(totalSize);
            return new StoredContent(totalSize, range.offset(), length, body(key, range.offset(), length));
          });
    });
  }

  private Flowable<Buffer> body(String key, long offset, long length) {
    if (length == 0) {
      return Flowable.empty();
    }
    String bytes = "bytes=" + offset + "-" + (offset + length - 1);
    return Flowable.defer(() -> {
      Context context = vertx.getOrCreateContext();
      return onContext(context, () -> s3.getObject(get -> get.bucket(bucket).key(key).range(bytes),
          AsyncResponseTransformer.toPublisher()))
          // The publisher honours demand, so the SDK reads from the socket only as fast as the caller writes.
          .flatMapPublisher(Flowable::fromPublisher)
          .map(S3FileStorage::toBuffer)
          .observeOn(RxHelper.scheduler(context), false, DOWNLOAD_PREFETCH_CHUNKS);
    });
  }

  private static Buffer toBuffer(ByteBuffer chunk) {
    byte[] bytes = new byte[chunk.remaining()];
    chunk.get(bytes);
    return Buffer.buffer(bytes);
  }

  @Override
  public Completable delete(String key) {
    return Completable.defer(() -> {
      StorageKeys.requireValid(key);
      // S3 answers 204 for a missing key too.
      return onContext(() -> s3.deleteObject(delete -> delete.bucket(bucket).key(key))).ignoreElement();
    });
  }

  @Override
  public Completable close() {
    // Closing shuts the SDK's event loops down; not on ours.
    return vertx.rxExecuteBlocking(() -> {
      s3.close();
      // No request is in flight once the client is closed: no quiet period to wait for.
      sdkLoops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      return true;
    }).ignoreElement();
  }

  private <T> Single<T> onContext(Supplier<CompletableFuture<T>> request) {
    return Single.defer(() -> onContext(vertx.getOrCreateContext(), request));
  }

  /** Sends the request, and delivers its result (or failure, unwrapped) on {@code context}. */
  private static <T> Single<T> onContext(Context context, Supplier<CompletableFuture<T>> request) {
    return Single.create(emitter -> {
      CompletableFuture<T> response = request.get();
      emitter.setCancellable(() -> response.cancel(false));
      io.vertx.core.Future.fromCompletionStage(response, context.getDelegate())
          .onSuccess(emitter::onSuccess)
          .onFailure(failure -> emitter.tryOnError(unwrap(failure)));
    });
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private static boolean isNotFound(Throwable failure) {
    return failure instanceof S3Exception s3 && s3.statusCode() == 404;
  }
}
