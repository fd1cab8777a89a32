package dev.ocomms.uploads.inspect;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Vertx;

import java.nio.file.Path;

/**
 * Inspects an upload already written to local disk: its real type (refused unless allowed and matching its name),
 * its name made safe, whether it may be shown inline, and for images their size, with pixel floods refused. Nothing
 * here decodes an image.
 */
public final class FileInspector {
  private final Vertx vertx;
  private final FileTypes types;

  public FileInspector(Vertx vertx, OcommsConfig config) {
    this(vertx, new FileTypes(config.uploadsAllowedTypes()));
  }

  public FileInspector(Vertx vertx, FileTypes types) {
    this.vertx = vertx;
    this.types = types;
  }

  /**
   * Inspects {@code file} off the event loop.
   *
   * @param originalName the name the client gave, or {@code null}
   * @return fails with an {@link OcommsException} ({@code file_type_not_allowed}, {@code file_type_mismatch},
   *     {@code image_too_large}, {@code image_unreadable}) when the file is refused
   */
  public Single<Inspection> inspect(Path file, String originalName) {
    // Unordered: inspections of unrelated uploads need not wait for each other.
    return vertx.rxExecuteBlocking(() -> inspectNow(file, originalName), false).toSingle();
  }

  /** The same, on the calling thread: blocking. */
  public Inspection inspectNow(Path file, String originalName) {
    String name = SafeNames.sanitize(originalName);
    String mediaType = types.detect(file, name);
    boolean inline = ServingPolicy.isInline(mediaType);
    // Only the inline images are previewed, so only theirs must be known safe to decode.
    Dimensions dimensions = inline ? ImageHeaders.read(file, mediaType) : null;
    return new Inspection(mediaType, name, inline, dimensions);
  }
}
