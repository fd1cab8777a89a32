package dev.ocomms.uploads.inspect;

import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What a file is, from its bytes (Tika's magic numbers and text heuristics), never from what the client claims,
 * and whether it may be uploaded. The name is only a hint where bytes alone cannot tell (a DOCX and an XLSX are both
 * OOXML packages; a DOC and an XLS both OLE2 containers) and a claim to check: a name whose extension says one type
 * while the bytes say another ({@code page.html} renamed {@code cat.png}) is refused.
 */
public final class FileTypes {
  private static final MimeTypes TIKA = MimeTypes.getDefaultMimeTypes();
  private static final MediaTypeRegistry REGISTRY = TIKA.getMediaTypeRegistry();
  private static final MediaType ZIP = MediaType.application("zip");
  private static final MediaType OOXML = MediaType.application("x-tika-ooxml");
  /** Containers whose bytes do not say what they hold; a name's extension may name a kind of them. */
  private static final Set<MediaType> CONTAINERS = Set.of(ZIP, OOXML, MediaType.application("x-tika-msoffice"));

  private final List<String> allowed;

  /** Accepting these MIME types (aliases such as {@code application/x-zip-compressed} count as their type). */
  public FileTypes(Collection<String> allowedTypes) {
    this.allowed = allowedTypes.stream().map(type -> canonical(MediaType.parse(type))).distinct().toList();
  }

  /** The types accepted, canonical, in configuration order. */
  public List<String> allowed() {
    return allowed;
  }

  /**
   * The type of the file, if it is allowed and its name does not claim another. Blocking: reads the file's head.
   *
   * @param name the (sanitized) original name, or {@code null}
   * @throws OcommsException {@code file_type_mismatch} or {@code file_type_not_allowed}, naming what was detected
   */
  public String detect(Path file, String name) {
    MediaType byBytes = detectBytes(file);
    MediaType byName = detectName(name);
    MediaType detected = byBytes;
    if (CONTAINERS.contains(byBytes) && REGISTRY.isSpecializationOf(byName, byBytes)) {
      detected = byName;
    }
    if (detected.equals(OOXML)) {
      // An Office package whose name does not say which: to us it is what it is built as, a ZIP archive.
      detected = ZIP;
    }
    String type = canonical(detected);
    if (!byName.equals(MediaType.OCTET_STREAM) && !byName.equals(detected)
        && !REGISTRY.isSpecializationOf(byName, detected)) {
      // A more specific claim than the bytes (notes.csv holding text) is fine; a different one is not.
      throw new OcommsException(Reason.FILE_TYPE_MISMATCH,
          "the file's name says " + canonical(byName) + " but its content is " + type,
          new JsonObject().put("detected", type).put("claimed", canonical(byName)));
    }
    if (!allowed.contains(type)) {
      throw new OcommsException(Reason.FILE_TYPE_NOT_ALLOWED,
          "files of type " + type + " are not accepted; accepted: " + String.join(", ", allowed),
          new JsonObject().put("detected", type).put("allowed", new JsonArray(allowed)));
    }
    return type;
  }

  private static MediaType detectBytes(Path file) {
    try (InputStream in = TikaInputStream.get(file)) {
      return TIKA.detect(in, new Metadata()).getBaseType();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MediaType detectName(String name) {
    if (name == null || name.isBlank()) {
      return MediaType.OCTET_STREAM;
    }
    Metadata metadata = new Metadata();
    metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, name);
    try {
      // Without a stream Tika judges by the name alone.
      return TIKA.detect(null, metadata).getBaseType();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String canonical(MediaType type) {
    return REGISTRY.normalize(type.getBaseType()).toString();
  }
}
