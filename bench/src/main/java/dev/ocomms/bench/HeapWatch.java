package dev.ocomms.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The Java heap of another JVM on this machine, over JMX: the local management agent is started in it through the
 * attach API (as {@code jcmd} does), so nothing had to be configured when it was launched. Samples what the heap holds
 * every few milliseconds (garbage not yet collected included) and, from the collectors' notifications, what it held
 * right after each collection (what was still reachable then).
 */
final class HeapWatch implements AutoCloseable {
  private static final ObjectName COLLECTORS = name("java.lang:type=GarbageCollector,name=*");

  private final JMXConnector connector;
  private final MBeanServerConnection mbeans;
  private final MemoryMXBean memory;
  private final Set<String> heapPools;

  private HeapWatch(JMXConnector connector) throws Exception {
    this.connector = connector;
    this.mbeans = connector.getMBeanServerConnection();
    this.memory = ManagementFactory.newPlatformMXBeanProxy(mbeans, ManagementFactory.MEMORY_MXBEAN_NAME,
        MemoryMXBean.class);
    this.heapPools = ManagementFactory.getPlatformMXBeans(mbeans, MemoryPoolMXBean.class).stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
  }

  /** Connects to the JVM of process {@code pid} (same user). */
  static HeapWatch attach(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
    String address;
    try {
      address = vm.startLocalManagementAgent();
    } finally {
      vm.detach();
    }
    return new HeapWatch(JMXConnectorFactory.connect(new JMXServiceURL(address)));
  }

  /** Bytes of heap in use now, garbage included. */
  long used() {
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Bytes of heap in use right after a full collection (requested as {@code System.gc()} does). */
  long usedAfterFullGc() {
    memory.gc();
    return used();
  }

  /** Starts sampling every {@code intervalMs} and listening to collections until {@link Recording#stop()}. */
  Recording record(int intervalMs) throws Exception {
    Recording recording = new Recording(intervalMs);
    for (ObjectName collector : mbeans.queryNames(COLLECTORS, null)) {
      mbeans.addNotificationListener(collector, recording, null, null);
    }
    recording.sampler.start();
    return recording;
  }

  @Override
  public void close() throws Exception {
    connector.close();
  }

  /** A point in time (seconds from the start of the recording) and bytes of heap. */
  record Point(double t, long bytes) {
  }

  /** What the heap held while something ran. */
  final class Recording implements NotificationListener {
    private final long startedAt = System.nanoTime();
    private final List<Point> samples = new ArrayList<>();
    private final List<Point> afterCollections = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile Exception failure;

    private Recording(int intervalMs) {
      sampler = new Thread(() -> {
        while (running) {
          try {
            long bytes = used();
            synchronized (this) {
              samples.add(new Point(seconds(), bytes));
            }
            Thread.sleep(intervalMs);
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            failure = e;
            return;
          }
        }
      }, "bench-heap-sampler");
      sampler.setDaemon(true);
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        return;
      }
      GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
          (CompositeData) notification.getUserData());
      long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
          .filter(pool -> heapPools.contains(pool.getKey())).map(java.util.Map.Entry::getValue)
          .mapToLong(MemoryUsage::getUsed).sum();
      synchronized (this) {
        afterCollections.add(new Point(seconds(), after));
      }
    }

    /** Stops sampling and listening; fails if a sample could not be read. */
    Recording stop() throws Exception {
      running = false;
      sampler.interrupt();
      sampler.join(TimeUnit.SECONDS.toMillis(10));
      for (ObjectName collector : mbeans.queryNames(COLLECTORS, null)) {
        mbeans.removeNotificationListener(collector, this);
      }
      if (failure != null) {
        throw failure;
      }
      return this;
    }

    synchronized List<Point> samples() {
      return List.copyOf(samples);
    }

    synchronized List<Point> afterCollections() {
      return List.copyOf(afterCollections);
    }

    /** The most the heap held in any sample (garbage included); -1 without samples. */
    synchronized long maxUsed() {
      return samples.stream().mapToLong(Point::bytes).max().orElse(-1);
    }

    /** The most the heap held right after any collection; -1 when none ran. */
    synchronized long maxAfterCollection() {
      return afterCollections.stream().mapToLong(Point::bytes).max().orElse(-1);
    }

    private double seconds() {
      return (System.nanoTime() - startedAt) / 1e9;
    }
  }

  private static ObjectName name(String name) {
    try {
      return new ObjectName(name);
    } catch (Exception e) {
      throw new IllegalArgumentException(name, e);
    }
  }
}
