package dev.ocomms.uploads.storage;

import io.reactivex.rxjava3.core.Flowable;
import io.vertx.core.buffer.Buffer;

/**
 * What {@link FileStorage#read} found: the object's total size (for {@code Content-Range}), the part being read, and
 * its bytes as a back-pressured stream. (Vert.x 5's RxJava 3 API streams the core {@link Buffer}; there is no RxJava
 * wrapper of it any more.)
 *
 * @param body cold: the file or request is opened on subscription and closed when the stream ends, fails or is
 *     cancelled; subscribe once
 */
public record StoredContent(long totalSize, long offset, long length, Flowable<Buffer> body) {
}
