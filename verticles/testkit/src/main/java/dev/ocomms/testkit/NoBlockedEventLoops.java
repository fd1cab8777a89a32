package dev.ocomms.testkit;

import dev.ocomms.runtime.BlockedEventLoops;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fails any test during which a node's event loop was blocked. Registered for every test through JUnit's extension
 * auto-detection ({@code junit-platform.properties} in this module's jar).
 */
public final class NoBlockedEventLoops implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoBlockedEventLoops.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NAMESPACE).put("before", BlockedEventLoops.count());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    long before = context.getStore(NAMESPACE).get("before", Long.class);
    assertEquals(before, BlockedEventLoops.count(),
        "an event loop was blocked during this test (see the 'thread blocked' warning in the log)");
  }
}
