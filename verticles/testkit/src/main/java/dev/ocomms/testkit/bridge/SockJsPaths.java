package dev.ocomms.testkit.bridge;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** SockJS session URLs: {@code /eventbus/<server>/<session>}, as sockjs-client makes them. */
public final class SockJsPaths {
  private SockJsPaths() {
  }

  public static String session() {
    return "/eventbus/" + ThreadLocalRandom.current().nextInt(100, 1000) + "/"
        + UUID.randomUUID().toString().replace("-", "");
  }
}
