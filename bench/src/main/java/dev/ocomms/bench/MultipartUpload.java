package dev.ocomms.bench;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

/**
 * A {@code multipart/form-data} body with one part {@code file} (a {@code .txt} name, {@code text/plain}) holding
 * {@link GeneratedText}, as a browser's form upload sends it: its length is known up front ({@code Content-Length}),
 * and its bytes are made while the request sends them, never held whole.
 */
final class MultipartUpload {
  private static final String BOUNDARY = "----OcommsBenchBoundary7MA4YWxkTrZu0gW";

  private final byte[] head;
  private final byte[] tail;
  final GeneratedText content;
  final String fileName;

  MultipartUpload(String fileName, GeneratedText content) {
    this.fileName = fileName;
    this.content = content;
    this.head = ("--" + BOUNDARY + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"" + fileName + "\"\r\n"
        + "Content-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    this.tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  String contentType() {
    return "multipart/form-data; boundary=" + BOUNDARY;
  }

  /** The whole body's length: framing and file. */
  long length() {
    return head.length + content.length + tail.length;
  }

  /** The body, read from the start each time the request is sent. */
  InputStream stream() {
    return new SequenceInputStream(Collections.enumeration(List.of(new ByteArrayInputStream(head), content.stream(),
        new ByteArrayInputStream(tail))));
  }

  /** A publisher that streams {@link #stream()} with the declared length. */
  HttpRequest.BodyPublisher publisher() {
    return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(this::stream), length());
  }
}
