package dev.ocomms.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds a free loopback port, for servers whose port must be known before they start (embedded, cluster).
 * Ports come from below the kernel's ephemeral range (32768 and up on Linux): a port handed out from that range can
 * be taken by some outgoing connection before the server binds it. Each port is handed out once per JVM.
 */
public final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int HIGHEST = 32_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {
  }

  public static int next() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST);
      if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + LOWEST + " and " + HIGHEST);
  }

  /**
   * A free port whose companion {@code port + offset} is free too (a Redis Cluster node's bus port is its port +
   * 10000); both are handed out.
   */
  public static int nextWithCompanion(int offset) {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST - offset);
      if (!HANDED_OUT.contains(port) && !HANDED_OUT.contains(port + offset) && bindable(port)
          && bindable(port + offset) && HANDED_OUT.add(port)) {
        HANDED_OUT.add(port + offset);
        return port;
      }
    }
    throw new IllegalStateException("no free port pair " + offset + " apart between " + LOWEST + " and " + HIGHEST);
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
